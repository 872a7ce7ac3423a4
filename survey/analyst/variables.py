"""The variables of the analyst's SPSS, Stata and XLSX files: names, labels, values, missing codes.

One variable per question, except a multiple-choice question, which is one 0/1 variable per
option; then one per score. The questions of several questionnaires share a variable when they
share a code and agree on its type and option values (the columns of responses.csv); when they
do not, each gets its own variable.

A choice answer is written as its option's value (:attr:`survey.core.questionnaire.Option.value`,
a scale point's own number), with a value label in the report's language. Two kinds of missing
answer have codes of their own (:mod:`survey.core.codebook`): "Prefer not to say" (-99) and "not
shown" (-98: the question's condition did not hold); a question shown and skipped is left empty
(system-missing). A text question's missing codes are the text "-99" and "-98" (user-missing
in SPSS; Stata has no missing strings). Text answers and labels have their control characters made visible
(:func:`survey.core.visible_text.visible`).

Names are what SPSS and Stata both take: at most 32 characters, a letter first, then letters,
digits and ``_``, no reserved word, unique regardless of case. A question's code is its name
when it can be; a multiple-choice option's variable is ``<question>_<option>``; a name that is
too long, reserved or taken is cut and numbered. The codebook sheet of the XLSX file maps every
name to its question and option."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from survey.analyst.answer_row import AnswerRow
from survey.analyst.labels import Labels
from survey.core.codebook import NOT_SHOWN_VALUE, PREFER_NOT_TO_SAY_VALUE
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Question, Questionnaire
from survey.core.visible_text import visible

MAX_NAME = 32
#: Words neither SPSS nor Stata takes as a variable name (compared in lower case).
RESERVED = frozenset({
    # SPSS
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    # Stata
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi",
    "_pred", "_rc", "_skip", "strl", "using",
})
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_STR_TYPE = re.compile(r"str[0-9]+")

#: The kinds of variable: what its values are.
TEXT = "text"  # a string: free text, or the response's id, survey, questionnaire, language, channel
CODED = "coded"  # a choice answer's value, or a multiple-choice option's 0/1
NUMBER = "number"  # a whole-number answer
SCORE = "score"  # a scale score: a double

Value = float | str | None


@dataclass
class Variable:
    name: str
    label: str
    kind: str
    #: The question (or score) code it comes from; "" for the response's own columns.
    question: str = ""
    #: A multiple-choice option's code: this variable is 1 when it was chosen.
    option: str = ""
    #: Value -> label in the report's language, missing codes included.
    value_labels: dict[int, str] = field(default_factory=dict)
    #: The missing codes it can hold: PREFER_NOT_TO_SAY and/or "not shown" -> number.
    missing: dict[str, int] = field(default_factory=dict)
    #: The questionnaires (``id@version``) whose answers it holds.
    questionnaires: list[str] = field(default_factory=list)


@dataclass
class _Slot:
    """How one questionnaire's question fills its variable(s)."""

    text: str  # the question's text in the report's language
    variables: list[Variable]
    values: dict[str, int]  # option code -> value


class VariableSet:
    """The variables of every questionnaire of a report, and each response's values for them."""

    def __init__(self, questionnaires: Sequence[Questionnaire], labels: Mapping[str, Labels], ui: Labels) -> None:
        self.labels = labels
        self.ui = ui
        _ = ui.ui.gettext
        self.words = {
            PREFER_NOT_TO_SAY: visible(_("Prefer not to say")),
            NOT_SHOWN: visible(_("Not shown (its condition did not hold)")),
            "chosen": visible(_("Chosen")),
            "not_chosen": visible(_("Not chosen")),
        }
        self._taken: set[str] = set()
        self.scale_questions = {question.code for q in questionnaires for question in q.questions()
                                if question.type == "scale"}
        self.variables: list[Variable] = [
            self._variable(code, visible(text), TEXT)
            for code, text in (("response", _("Response id")), ("survey", _("Survey")),
                               ("questionnaire", _("Questionnaire")), ("lang", _("Language")),
                               ("channel", _("Distribution channel")))]
        #: questionnaire key -> question code -> its slot, and the question as that questionnaire has it
        self._slots: dict[str, dict[str, tuple[_Slot, Question]]] = {}
        self._questionnaires = {q.key: q for q in questionnaires}
        shared: dict[str, list[tuple[_Slot, str]]] = {}  # question code -> slots made, with their signature
        for q in questionnaires:
            slots = self._slots.setdefault(q.key, {})
            for question in q.questions():
                slot = self._shared_slot(q, question, shared.setdefault(question.code, []))
                slots[question.code] = (slot, question)
        self.scores: dict[str, Variable] = {}
        self._score_index: dict[str, list[tuple[int, Variable]]] = {}
        for q in questionnaires:
            for i, sc in enumerate(q.scores):
                var = self.scores.get(sc.code)
                if var is None:
                    var = self.scores[sc.code] = self._variable(sc.code, visible(labels[q.key].score(sc.code)), SCORE,
                                                                question=sc.code)
                    self.variables.append(var)
                var.questionnaires.append(q.key)
                self._score_index.setdefault(q.key, []).append((i, var))

    # -- building -------------------------------------------------------------------------

    def _name(self, wanted: str, fallback: str) -> str:
        """A name SPSS and Stata take, not yet used (see the module's docstring)."""
        name = _UNSAFE.sub("_", wanted)
        if not name[:1].isalpha():
            name = "v" + name
        if len(name) > MAX_NAME:
            name = _UNSAFE.sub("_", fallback)[:MAX_NAME]
        base, n = name, 1
        while name.lower() in self._taken or name.lower() in RESERVED or _STR_TYPE.fullmatch(name.lower()):
            n += 1
            suffix = f"_{n}"
            name = base[: MAX_NAME - len(suffix)] + suffix
        self._taken.add(name.lower())
        return name

    def _variable(self, code: str, label: str, kind: str, question: str = "", option: str = "",
                  fallback: str = "") -> Variable:
        return Variable(self._name(code, fallback or code[:MAX_NAME]), label, kind, question, option)

    def _shared_slot(self, q: Questionnaire, question: Question, made: list[tuple[_Slot, str]]) -> _Slot:
        values = _values_of(question)
        signature = question.type
        for slot, kind in made:  # an earlier questionnaire's variable that this question fits
            if kind == signature and _compatible(slot.values, values):
                self._join(slot, q, question, values)
                return slot
        labels = self.labels[q.key]
        text = visible(labels.question(question.code))
        slot = _Slot(text, [], {})
        if question.type == "multiple":
            for o in question.options:
                option_label = visible(labels.option(question.code, o.code))
                slot.variables.append(self._variable(
                    f"{question.code}_{o.code}", f"{text}: {option_label}", CODED, question.code, o.code,
                    fallback=f"{question.code[:MAX_NAME - 7]}_{o.value}"))
        else:
            kind = {"text": TEXT, "number": NUMBER}.get(question.type, CODED)
            slot.variables.append(self._variable(question.code, text, kind, question.code))
        self.variables.extend(slot.variables)
        made.append((slot, signature))
        self._join(slot, q, question, values)
        return slot

    def _join(self, slot: _Slot, q: Questionnaire, question: Question, values: dict[str, int]) -> None:
        """Add one questionnaire's question to a slot: its options' values and labels, its missing codes."""
        labels = self.labels[q.key]
        for code, value in values.items():
            if code not in slot.values:
                slot.values[code] = value
                if question.type != "multiple":
                    slot.variables[0].value_labels[value] = visible(labels.option(question.code, code))
        if question.type == "multiple":
            for o in question.options:
                if not any(v.option == o.code for v in slot.variables):
                    option_label = visible(labels.option(question.code, o.code))
                    var = self._variable(f"{question.code}_{o.code}", f"{slot.text}: "
                                         f"{option_label}", CODED, question.code, o.code,
                                         fallback=f"{question.code[:MAX_NAME - 7]}_{o.value}")
                    slot.variables.append(var)
                    self.variables.insert(self.variables.index(slot.variables[-2]) + 1, var)
            for var in slot.variables:
                var.value_labels.setdefault(0, self.words["not_chosen"])
                var.value_labels.setdefault(1, self.words["chosen"])
        codes = missing_codes(question)
        for var in slot.variables:
            if q.key not in var.questionnaires:
                var.questionnaires.append(q.key)
            if question.prefer_not_to_say:
                var.missing[PREFER_NOT_TO_SAY] = codes[PREFER_NOT_TO_SAY]
            if question.relevant is not None:
                var.missing[NOT_SHOWN] = codes[NOT_SHOWN]
            if var.kind != TEXT:  # a text's missing codes are the text "-99" and "-98"
                for what, number in var.missing.items():
                    var.value_labels[number] = self.words[what]

    # -- values ---------------------------------------------------------------------------

    def values(self, row: AnswerRow) -> list[Value]:
        """One response's values for :attr:`variables`, in their order: numbers (missing codes
        included) for choices, numbers and scores, text for text, None when empty."""
        out: dict[str, Value] = {
            "response": row.response, "survey": visible(row.survey), "questionnaire": row.questionnaire,
            "lang": row.lang, "channel": visible(row.channel)}
        answers = row.answers
        hidden = self._questionnaires[row.questionnaire].not_shown(answers)
        for code, (slot, question) in self._slots.get(row.questionnaire, {}).items():
            given = answers.get(code)
            if given is None:
                reason = NOT_SHOWN if code in hidden else None
            elif given == PREFER_NOT_TO_SAY:
                reason = PREFER_NOT_TO_SAY
            else:
                reason = ""
            if question.type == "multiple":
                chosen = given if isinstance(given, list) else []
                for var in slot.variables:
                    out[var.name] = (None if reason is None else float(var.missing[reason]) if reason
                                     else float(var.option in chosen) if var.option in question.option_order else None)
                continue
            var = slot.variables[0]
            if reason is None:
                out[var.name] = None
            elif reason:
                out[var.name] = str(var.missing[reason]) if var.kind == TEXT else float(var.missing[reason])
            elif var.kind == TEXT:
                out[var.name] = visible(str(given), line_breaks=True)
            elif question.type == "single":
                out[var.name] = float(slot.values[str(given)])
            else:  # scale point or whole number
                out[var.name] = float(given) if isinstance(given, int) else None
        for i, var in self._score_index.get(row.questionnaire, []):
            s = row.scores[i]
            out[var.name] = None if s is None or math.isnan(s) else s
        return [out.get(v.name) for v in self.variables]


NOT_SHOWN = "not_shown"


def missing_codes(question: Question) -> dict[str, int]:
    """The numbers of "Prefer not to say" and "not shown" for a question: -99 and -98, unless a
    whole-number question's range takes them, then the two numbers just below its minimum."""
    low = question.minimum if question.type == "number" and question.minimum is not None else 0
    if low <= NOT_SHOWN_VALUE:
        return {PREFER_NOT_TO_SAY: low - 2, NOT_SHOWN: low - 1}
    return {PREFER_NOT_TO_SAY: PREFER_NOT_TO_SAY_VALUE, NOT_SHOWN: NOT_SHOWN_VALUE}


def _values_of(question: Question) -> dict[str, int]:
    if question.type == "scale":
        return {str(p.value): p.value for p in question.scale}
    return {o.code: o.value for o in question.options}


def _compatible(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    """No option code with two values, and no value for two option codes."""
    if any(a[code] != value for code, value in b.items() if code in a):
        return False
    taken = {value: code for code, value in a.items()}
    return all(taken.get(value, code) == code for code, value in b.items())
