"""Questionnaire definitions: loading a TOML file, checking it, and checking answers against it.

Shared by the server (rendering, validating the no-JavaScript form) and the offline analyst
(validating every decrypted response), so it imports nothing of Flask or SQLAlchemy.
The English text in a definition is the gettext message id; translation happens where it is shown.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.core import expression
from survey.core.expression import ExpressionError, Node

PREFER_NOT_TO_SAY = "prefer_not_to_say"
#: Why an answer is refused. The same kinds, and through them the same words, on every path: the
#: browser's checks (each question's ``data-msg-<kind>``), the no-JavaScript form, the analyst.
REQUIRED = "required"
CHOICE = "choice"
NUMBER = "number"
RANGE = "range"
LENGTH = "length"
PNTS_ALONE = "pnts_alone"
RESERVED = "reserved"
#: An answer its question's ``constraint`` refuses; the words are the question's ``constraint_message``.
CONSTRAINT = "constraint"
UNKNOWN = "unknown"
#: A whole number as typed: what read_entry accepts for a number question (after stripping).
INTEGER_PATTERN = r"-?[0-9]{1,9}"
_INTEGER = re.compile(INTEGER_PATTERN)
QUESTION_TYPES = ("single", "multiple", "scale", "number", "text")
CHOICE_TYPES = ("single", "multiple", "scale")
SCORE_METHODS = ("mean", "sum")
MAX_TEXT_LENGTH = 2000
#: Option values are small non-negative numbers, so the negative missing codes of the analyst's
#: SPSS and Stata files never clash with them.
MAX_OPTION_VALUE = 99999
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
OPTION_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,47}$")
BUILTIN_DIR = Path(__file__).parent / "questionnaires"

Answer = str | int | list[str]
Answers = dict[str, Answer]


class DefinitionError(ValueError):
    """A questionnaire file is not a valid definition. The message names the file and question."""


class AnswerError(ValueError):
    """Answers do not fit the questionnaire. ``problems`` maps question code to a message,
    ``kinds`` the same codes to the kind of problem (REQUIRED, CHOICE, ...)."""

    def __init__(self, problems: dict[str, str], kinds: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems
        self.kinds = kinds if kinds is not None else dict.fromkeys(problems, UNKNOWN)


class EntryRefused(ValueError):
    """What was entered for one question is not an answer it takes; ``kind`` says why."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: str
    #: The option's number in SPSS, Stata and XLSX files: given in the definition, unique within
    #: the question, never changed once released (``questionnaires/option_values.json``).
    value: int
    #: With the question's ``sort_options``: stays at the end ("Another country").
    last: bool = False


@dataclass(frozen=True, slots=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Condition:
    """``show_if``: show a question only if an earlier choice question's answer includes one of
    ``any_of``. The question's ``relevant`` is the same condition as an expression tree, which is
    what every path evaluates (survey.core.expression)."""

    question: str
    any_of: tuple[str, ...]

    def tree(self) -> Node:
        """``selected(${question}, 'a') or selected(${question}, 'b') ...``"""
        ref = expression.Ref(self.question)
        items = tuple(expression.Selected(ref, code) for code in self.any_of)
        return items[0] if len(items) == 1 else expression.Any_(items)

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return expression.holds(self.tree(), answers)


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    type: str
    text: str
    help: str = ""
    required: bool = False
    prefer_not_to_say: bool = False
    options: tuple[Option, ...] = ()
    scale: tuple[ScalePoint, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    #: The ``show_if`` table as written; what it means is in ``relevant`` (so not compared).
    show_if: Condition | None = field(default=None, compare=False)
    #: Show the question only if this condition over earlier answers holds (``relevant = "..."``,
    #: or the tree of ``show_if``).
    relevant: Node | None = None
    #: An answer (not prefer-not-to-say) must make this true (``constraint = "..."``, where ``.``
    #: is the answer); ``constraint_message`` says what is wrong (empty: a general message).
    constraint: Node | None = None
    constraint_message: str = ""
    #: Show the options in the alphabetical order of the respondent's language (a country list).
    sort_options: bool = False
    #: Show the options in a new random order on each page (XLSForm's ``randomize``); options
    #: marked ``last`` and prefer-not-to-say stay at the end. Answers are the same codes.
    randomize: bool = False
    #: Derived once: option codes in display order, and each code's position (for sorting).
    option_codes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    option_order: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.type == "scale":
            codes = tuple(str(p.value) for p in self.scale)
        else:
            codes = tuple(o.code for o in self.options)
        object.__setattr__(self, "option_codes", codes)
        object.__setattr__(self, "option_order", {c: i for i, c in enumerate(codes)})

    def choices(self) -> tuple[tuple[str, str], ...]:
        """(code, English label) pairs for choice questions, in display order."""
        if self.type == "scale":
            return tuple((str(p.value), p.label) for p in self.scale)
        return tuple((o.code, o.label) for o in self.options)


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    title: str
    intro: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """A scale score: mean or sum of ``items``, ``reverse`` items mirrored on their scale.

    A response with fewer than ``min_items`` items answered (prefer-not-to-say counts as missing)
    gets no score; with at least that many, the mean is over the answered items and the sum is the
    mean times the number of items (prorated)."""

    code: str
    label: str
    items: tuple[str, ...]
    reverse: tuple[str, ...]
    method: str
    min_items: int
    #: Lowest plus highest point of the items' (shared) scale: a reverse item scores mirror - v.
    mirror: int = 0


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str
    version: int
    title: str
    intro: str
    sections: tuple[Section, ...]
    scores: tuple[Score, ...] = ()
    notes: str = ""
    source: str = field(default="", repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    all_questions: tuple[Question, ...] = field(init=False, repr=False, compare=False)
    known_codes: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        flat = tuple(q for section in self.sections for q in section.questions)
        object.__setattr__(self, "all_questions", flat)
        object.__setattr__(self, "known_codes", frozenset(q.code for q in flat))

    def questions(self) -> Iterator[Question]:
        return iter(self.all_questions)

    def question(self, code: str) -> Question:
        for q in self.questions():
            if q.code == code:
                return q
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.questions())

    def strings(self) -> Iterator[tuple[str, str]]:
        """Every translatable string with a comment naming where it is used (for extraction)."""
        yield self.title, f"{self.id}: title"
        if self.intro:
            yield self.intro, f"{self.id}: intro"
        for s in self.sections:
            yield s.title, f"{self.id}: section {s.code}"
            if s.intro:
                yield s.intro, f"{self.id}: section {s.code} intro"
            for q in s.questions:
                yield q.text, f"{self.id}: {q.code}"
                if q.help:
                    yield q.help, f"{self.id}: {q.code} help"
                for _code, label in q.choices():
                    yield label, f"{self.id}: {q.code} option"
                if q.constraint_message:
                    yield q.constraint_message, f"{self.id}: {q.code} constraint message"
        for sc in self.scores:
            yield sc.label, f"{self.id}: score {sc.code}"

    # -- answers ---------------------------------------------------------------------------

    def not_shown(self, answers: Mapping[str, Any]) -> set[str]:
        """The codes of the questions whose condition (``relevant``) is false, each evaluated in
        order on the answers to the questions shown before it, as validate_answers does."""
        kept: dict[str, Any] = {}
        hidden: set[str] = set()
        for q in self.all_questions:
            if q.relevant is not None and not expression.holds(q.relevant, kept):
                hidden.add(q.code)
            elif q.code in answers:
                kept[q.code] = answers[q.code]
        return hidden

    def validate_answers(self, answers: Mapping[str, Any]) -> Answers:
        """Check answers against the definition; return a clean copy or raise AnswerError.

        Unknown codes, wrong types, unknown options, out-of-range numbers, over-long text,
        answers a question's constraint refuses, and missing required answers are refused. An
        answer to a question whose condition (``relevant``) is false was not asked: it is dropped
        (the no-JavaScript page shows every question). Conditions are evaluated in order on the
        clean answers so far, so they look back only, as the browser evaluates them."""
        if type(answers) is not dict and not isinstance(answers, Mapping):
            raise AnswerError({"_": "answers must be an object"})
        problems: dict[str, str] = {}
        kinds: dict[str, str] = {}
        clean: Answers = {}
        if not self.known_codes.issuperset(answers):
            for code in answers:
                if code not in self.known_codes:
                    problems[str(code)[:60]] = "unknown question code"
                    kinds[str(code)[:60]] = UNKNOWN
        for q in self.all_questions:
            if q.relevant is not None and not expression.holds(q.relevant, clean):
                continue
            value = answers.get(q.code)
            if value is None:
                if q.required:
                    problems[q.code] = "an answer is required"
                    kinds[q.code] = REQUIRED
                continue
            try:
                checked = _check_value(q, value)
            except EntryRefused as exc:
                problems[q.code] = str(exc)
                kinds[q.code] = exc.kind
                continue
            if not meets_constraint(q, checked, clean):
                problems[q.code] = q.constraint_message or "refused by the question's constraint"
                kinds[q.code] = CONSTRAINT
                continue
            clean[q.code] = checked
        if problems:
            raise AnswerError(problems, kinds)
        return clean


def meets_constraint(q: Question, answer: Answer, earlier: Mapping[str, Any]) -> bool:
    """Whether ``answer`` (checked by the question's rules) meets its constraint, with ``earlier``
    the answers before it. Prefer-not-to-say always does: it is never a wrong answer."""
    if q.constraint is None or answer == PREFER_NOT_TO_SAY:
        return True
    return expression.holds(q.constraint, {**earlier, q.code: answer}, q.code)


def read_entry(q: Question, chosen: Sequence[str] = (), text: str | None = None, pnts: bool = False) -> Answer | None:
    """What a respondent entered for one question, as its answer (None: not answered).

    ``chosen`` are the values of the ticked options of a choice question, ``text`` what was typed
    into a number or text question, ``pnts`` whether its "Prefer not to say" box is ticked. The
    browser reads its controls by the same rules (survey/server/static/respond.js, ``read``), with
    the parameters of :func:`entry_rules`; raises EntryRefused with the kind of problem. Whether
    an answer is required is for validate_answers, which knows the question's condition."""
    value: Answer | None = None
    if q.type in CHOICE_TYPES:
        allowed = (*q.option_codes, PREFER_NOT_TO_SAY) if q.prefer_not_to_say else q.option_codes
        if any(c not in allowed for c in chosen) or len(set(chosen)) != len(chosen):
            raise EntryRefused(CHOICE, "not one of the options")
        if PREFER_NOT_TO_SAY in chosen:
            if len(chosen) > 1:
                raise EntryRefused(PNTS_ALONE, "prefer-not-to-say together with answers")
            return PREFER_NOT_TO_SAY
        if q.type == "multiple":
            return list(chosen) or None
        if len(chosen) > 1:
            raise EntryRefused(CHOICE, "more than one option")
        if not chosen:
            return None
        return int(chosen[0]) if q.type == "scale" else chosen[0]
    typed = strip(text or "")
    if q.type == "number" and typed:
        if not _INTEGER.fullmatch(typed):
            raise EntryRefused(NUMBER, "not a whole number")
        value = int(typed)
        if q.minimum is not None and q.maximum is not None and not q.minimum <= value <= q.maximum:
            raise EntryRefused(RANGE, f"outside {q.minimum}..{q.maximum}")
    elif q.type == "text" and typed:
        if q.max_length is not None and len(typed) > q.max_length:
            raise EntryRefused(LENGTH, f"longer than {q.max_length} characters")
        if typed == PREFER_NOT_TO_SAY:
            # The answers' code for the box, typed: it would be read as the box (or refused).
            raise EntryRefused(RESERVED, "the prefer-not-to-say code typed as text")
        value = typed
    if pnts and q.prefer_not_to_say:
        if value is not None:
            raise EntryRefused(PNTS_ALONE, "prefer-not-to-say together with an answer")
        return PREFER_NOT_TO_SAY
    return value


#: What Python's str.strip() removes (nothing above U+3000 is space), which is what the analyst's
#: validation strips from text; a browser's String.trim() removes a slightly different set.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def strip(text: str) -> str:
    """Typed text as it is kept: newlines as a browser posts them (CR LF) made LF, then stripped."""
    return text.replace("\r\n", "\n").strip()


def entry_rules(q: Question) -> dict[str, str]:
    """The parameters of :func:`read_entry` for one question, for the browser to read and check
    answers by the same rules: rendered as ``data-rule-<name>`` attributes of the question."""
    rules = {"type": q.type}
    if q.prefer_not_to_say:
        rules["pnts"] = "1"
    if q.type in CHOICE_TYPES:
        rules["options"] = " ".join(q.option_codes)
    if q.type == "number":
        rules.update(min=str(q.minimum), max=str(q.maximum))
    if q.type == "text":
        rules["max-length"] = str(q.max_length)
    # The condition and the constraint as trees (survey.core.expression.to_json), which
    # survey/server/static/expression.js evaluates as validate_answers does.
    if q.relevant is not None:
        rules["relevant"] = json.dumps(expression.to_json(q.relevant), separators=(",", ":"), ensure_ascii=False)
    if q.constraint is not None:
        rules["constraint"] = json.dumps(expression.to_json(q.constraint), separators=(",", ":"), ensure_ascii=False)
    return rules


def entry_constants() -> dict[str, str]:
    """What :func:`read_entry` uses for every question, for the browser (``data-rule-<name>`` of the
    form): the prefer-not-to-say code, the whole-number pattern, and the space that is stripped
    (as a regular-expression character class of \\uXXXX escapes and ranges)."""
    codes = [ord(c) for c in WHITESPACE]
    ranges: list[list[int]] = []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    space = "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in ranges)
    return {"pnts-code": PREFER_NOT_TO_SAY, "integer": INTEGER_PATTERN, "space": space}


def _check_value(q: Question, value: Any) -> Answer:
    if value == PREFER_NOT_TO_SAY:
        if not q.prefer_not_to_say:
            raise EntryRefused(CHOICE, "prefer-not-to-say is not offered")
        return PREFER_NOT_TO_SAY
    if q.type == "single":
        if not isinstance(value, str) or value not in q.option_codes:
            raise EntryRefused(CHOICE, "not one of the options")
        return value
    if q.type == "scale":
        if isinstance(value, bool) or not isinstance(value, int):
            raise EntryRefused(CHOICE, "not a scale point")
        if str(value) not in q.option_codes:
            raise EntryRefused(CHOICE, "not a point of the scale")
        return value
    if q.type == "multiple":
        if not isinstance(value, list) or not value:
            raise EntryRefused(CHOICE, "not a list of options")
        if len(set(value)) != len(value):
            raise EntryRefused(CHOICE, "an option is repeated")
        for v in value:
            if not isinstance(v, str) or v not in q.option_codes:
                raise EntryRefused(CHOICE, "not one of the options")
        return sorted(value, key=q.option_order.__getitem__)
    if q.type == "number":
        if isinstance(value, bool) or not isinstance(value, int):
            raise EntryRefused(NUMBER, "not a whole number")
        if (q.minimum is not None and value < q.minimum) or (
            q.maximum is not None and value > q.maximum
        ):
            raise EntryRefused(RANGE, f"outside {q.minimum}..{q.maximum}")
        return value
    if q.type == "text":
        if not isinstance(value, str):
            raise EntryRefused(CHOICE, "not text")
        if q.max_length is not None and len(value) > q.max_length:
            raise EntryRefused(LENGTH, f"longer than {q.max_length} characters")
        stripped = value.strip()
        if not stripped:
            raise EntryRefused(REQUIRED, "empty text")
        return stripped
    raise EntryRefused(UNKNOWN, f"unknown type {q.type}")  # pragma: no cover - definitions are checked


def score(sc: Score, answers: Mapping[str, Any]) -> float | None:
    """The score of one response, or None when too few items are answered."""
    values: list[int] = []
    reverse = sc.reverse
    for code in sc.items:
        v = answers.get(code)
        if type(v) is int:  # a scale point; not prefer-not-to-say, not missing (nor a bool)
            values.append(sc.mirror - v if code in reverse else v)
    if len(values) < sc.min_items:
        return None
    mean = math.fsum(values) / len(values)
    return mean if sc.method == "mean" else mean * len(sc.items)


# -- loading ---------------------------------------------------------------------------------


def load(path: Path | str) -> Questionnaire:
    """Load and check one definition file."""
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), str(path.name))


def parse(source: str, name: str = "<definition>") -> Questionnaire:
    """Parse and check a definition from its TOML text; ``name`` appears in error messages."""
    try:
        data = tomllib.loads(source)
        return _Builder(name, data).build(source)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{name}: not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib (and any recursive check of a field) on arrays or tables without end
        raise DefinitionError(f"{name}: arrays or tables nested too deep") from None


def load_directory(directory: Path = BUILTIN_DIR) -> dict[str, Questionnaire]:
    """Every definition in a folder, keyed by ``id@version``; with the folder's record of released
    option values (:data:`OPTION_VALUES`), a definition that renumbers a recorded option is refused."""
    found: dict[str, Questionnaire] = {}
    record = read_option_values(directory / OPTION_VALUES)
    for path in sorted(directory.glob("*.toml")):
        q = load(path)
        if q.key in found:
            raise DefinitionError(f"{path.name}: {q.key} is defined twice")
        changed = renumbered(q, record)
        if changed:
            raise DefinitionError(
                f"{path.name}: option values differ from the released ones in {OPTION_VALUES} "
                f"({'; '.join(changed)}): a released option keeps its value; give a new option a new value")
        found[q.key] = q
    return found


#: The record, next to the built-in definitions, of every released option's value:
#: ``{questionnaire id: {question code: {option code: value}}}``, over all versions. ``make
#: codebook`` adds new options to it and never changes a recorded value.
OPTION_VALUES = "option_values.json"
OptionValues = dict[str, dict[str, dict[str, int]]]


def read_option_values(path: Path) -> OptionValues:
    """The record of released option values (empty when the folder has none)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DefinitionError(f"{path.name}: not valid JSON: {exc}") from exc
    ok = isinstance(data, dict) and all(
        isinstance(qs, dict) and all(
            isinstance(opts, dict) and all(type(v) is int for v in opts.values()) for opts in qs.values())
        for qs in data.values())
    if not ok:
        raise DefinitionError(f"{path.name}: must map questionnaire -> question -> option -> whole number")
    return data  # type: ignore[no-any-return]  # checked just above


def renumbered(q: Questionnaire, record: OptionValues) -> list[str]:
    """``question.option: recorded -> now`` for every option of ``q`` whose value differs from the record."""
    known = record.get(q.id, {})
    changed = []
    for question in q.all_questions:
        recorded = known.get(question.code, {})
        for o in question.options:
            if o.code in recorded and recorded[o.code] != o.value:
                changed.append(f"{question.code}.{o.code}: {recorded[o.code]} -> {o.value}")
    return changed


def bind_expression(
    source: Any, key: str, code: str, qtype: str, own_codes: Sequence[str], earlier: Mapping[str, Question],
) -> Node:
    """The tree of question ``code``'s ``relevant`` or ``constraint`` text, checked against the
    questionnaire: ``${x}`` must be an earlier question (or, in a constraint, this one),
    ``selected()`` and ``count-selected()`` a choice question and one of its options, and ``.``
    (this question's answer) only in a constraint. Raises DefinitionError saying what is wrong."""
    if not isinstance(source, str):
        raise DefinitionError(f"'{key}' must be text")
    try:
        tree = expression.parse(source)
    except ExpressionError as exc:
        raise DefinitionError(f"'{key}': {exc}") from exc
    if key == "relevant" and expression.uses_current(tree):
        raise DefinitionError("'relevant' cannot use '.', this question's answer (a 'constraint' can)")
    types = {c: q.type for c, q in earlier.items()}
    codes = {c: q.option_codes for c, q in earlier.items()}
    if key == "constraint":
        types[code], codes[code] = qtype, tuple(own_codes)
    for ref in expression.references(tree):
        if ref not in types:
            raise DefinitionError(f"'{key}' refers to ${{{ref}}}, which is not an earlier question")
    for node in expression.walk(tree):
        if isinstance(node, expression.Selected | expression.CountSelected):
            target = node.answer.code if isinstance(node.answer, expression.Ref) else code
            name = "selected" if isinstance(node, expression.Selected) else "count-selected"
            if types[target] not in CHOICE_TYPES:
                raise DefinitionError(f"'{key}': {name}() needs a choice question, not ${{{target}}}")
            if isinstance(node, expression.Selected) and node.code not in codes[target]:
                raise DefinitionError(f"'{key}': ${{{target}}} has no option {node.code!r}")
    return tree


class _Builder:
    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.data = data

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.name}: {where}: {message}")

    def text(self, table: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, f"'{key}' must be non-empty text")
        return value.strip()

    def build(self, source: str) -> Questionnaire:
        d = self.data
        qid = d.get("id")
        if not isinstance(qid, str) or not CODE_RE.fullmatch(qid):
            raise self.fail("top level", "'id' must be a lowercase code like 'stigma'")
        version = d.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail("top level", "'version' must be a positive whole number")
        scales = self.scales(d.get("scales", {}))
        seen: dict[str, Question] = {}
        sections: list[Section] = []
        raw_sections = d.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise self.fail("top level", "at least one [[sections]] is needed")
        section_codes: set[str] = set()
        for i, s in enumerate(raw_sections):
            if not isinstance(s, dict):
                raise self.fail(f"sections[{i + 1}]", "must be a table ([[sections]])")
            code = s.get("code", "")
            where = f"section {code if isinstance(code, str) and code else i + 1}"
            if not isinstance(code, str) or not CODE_RE.fullmatch(code) or code in section_codes:
                raise self.fail(where, "'code' must be a unique lowercase code")
            section_codes.add(code)
            questions = []
            raw_questions = s.get("questions")
            if not isinstance(raw_questions, list) or not raw_questions:
                raise self.fail(where, "'questions' must list at least one question ([[sections.questions]])")
            for j, rq in enumerate(raw_questions):
                if not isinstance(rq, dict):
                    raise self.fail(where, f"questions[{j + 1}] must be a table ([[sections.questions]])")
                q = self.question(rq, scales, seen)
                seen[q.code] = q
                questions.append(q)
            sections.append(
                Section(
                    code,
                    self.text(s, "title", where),
                    self.text(s, "intro", where, required=False),
                    tuple(questions),
                )
            )
        raw_scores = d.get("scores", [])
        if not isinstance(raw_scores, list):
            raise self.fail("top level", "'scores' must be a list of tables ([[scores]])")
        for i, r in enumerate(raw_scores):
            if not isinstance(r, dict):
                raise self.fail(f"scores[{i + 1}]", "must be a table ([[scores]])")
        scores = tuple(self.score(r, seen) for r in raw_scores)
        return Questionnaire(
            id=qid,
            version=version,
            title=self.text(d, "title", "top level"),
            intro=self.text(d, "intro", "top level", required=False),
            sections=tuple(sections),
            scores=scores,
            notes=self.text(d, "notes", "top level", required=False),
            source=source,
        )

    def scales(self, raw: Any) -> dict[str, tuple[ScalePoint, ...]]:
        if not isinstance(raw, dict):
            raise self.fail("scales", "must be a table of named scales")
        out: dict[str, tuple[ScalePoint, ...]] = {}
        for name, spec in raw.items():
            where = f"scale {name}"
            if not isinstance(spec, dict):
                raise self.fail("scales", f"{name!r} must be a table with 'points'")
            points = spec.get("points")
            if not isinstance(points, list) or len(points) < 2:
                raise self.fail(where, "'points' must list at least two points")
            built = []
            for k, p in enumerate(points):
                if not isinstance(p, dict):
                    raise self.fail(where, f"points[{k + 1}] must be a table with 'value' and 'label'")
                v = p.get("value")
                if isinstance(v, bool) or not isinstance(v, int):
                    raise self.fail(where, "each point needs a whole-number 'value'")
                built.append(ScalePoint(v, self.text(p, "label", where)))
            values = [p.value for p in built]
            if len(set(values)) != len(values) or values != sorted(values):
                raise self.fail(where, "point values must be unique and ascending")
            out[name] = tuple(built)
        return out

    def question(
        self, rq: Any, scales: Mapping[str, tuple[ScalePoint, ...]], seen: Mapping[str, Question]
    ) -> Question:
        if not isinstance(rq, dict):
            raise self.fail("question", "must be a table")
        code = rq.get("code", "")
        where = f"question {code or '?'}"
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise self.fail(where, "'code' must be a lowercase code (a-z, 0-9, _)")
        if code in seen:
            raise self.fail(where, "code is used twice")
        qtype = rq.get("type")
        if qtype not in QUESTION_TYPES:
            raise self.fail(where, f"'type' must be one of {', '.join(QUESTION_TYPES)}")
        known = {
            "code", "type", "text", "help", "required", "prefer_not_to_say", "options",
            "scale", "min", "max", "max_length", "show_if", "sort_options", "relevant", "constraint",
            "constraint_message", "randomize",
        }
        extra = set(rq) - known
        if extra:
            raise self.fail(where, f"unknown keys {sorted(extra)}")
        options: tuple[Option, ...] = ()
        scale: tuple[ScalePoint, ...] = ()
        if qtype in ("single", "multiple"):
            raw = rq.get("options")
            if not isinstance(raw, list) or len(raw) < 2:
                raise self.fail(where, "needs at least two options")
            opts = []
            for k, o in enumerate(raw):
                if not isinstance(o, dict):
                    raise self.fail(where, f"options[{k + 1}] must be a table with code, value and label")
                oc = o.get("code")
                if not isinstance(oc, str) or not OPTION_RE.fullmatch(oc) or oc == PREFER_NOT_TO_SAY:
                    raise self.fail(where, f"option code {oc!r} is not a valid code")
                if set(o) - {"code", "value", "label", "last"} or not isinstance(o.get("last", False), bool):
                    raise self.fail(where, f"option {oc!r}: keys are code, value, label and last (true or false)")
                ov = o.get("value")
                if isinstance(ov, bool) or not isinstance(ov, int) or not 0 <= ov <= MAX_OPTION_VALUE:
                    raise self.fail(where, f"option {oc!r}: 'value' must be a whole number 0..{MAX_OPTION_VALUE}")
                opts.append(Option(oc, self.text(o, "label", where), ov, o.get("last", False)))
            if len({o.code for o in opts}) != len(opts):
                raise self.fail(where, "option codes must be unique")
            if len({o.value for o in opts}) != len(opts):
                raise self.fail(where, "option values must be unique")
            options = tuple(opts)
        elif qtype == "scale":
            name = rq.get("scale")
            if not isinstance(name, str) or name not in scales:
                raise self.fail(where, f"scale {name!r} is not defined under [scales]")
            scale = scales[name]
        minimum = rq.get("min")
        maximum = rq.get("max")
        max_length = rq.get("max_length")
        if qtype == "number":
            for v in (minimum, maximum):
                if isinstance(v, bool) or not isinstance(v, int):
                    raise self.fail(where, "a number question needs whole-number 'min' and 'max'")
            assert isinstance(minimum, int) and isinstance(maximum, int)  # checked just above
            if minimum >= maximum:
                raise self.fail(where, f"range {minimum}..{maximum} is empty")
        elif minimum is not None or maximum is not None:
            raise self.fail(where, "'min'/'max' only apply to number questions")
        if qtype == "text":
            if isinstance(max_length, bool) or not isinstance(max_length, int):
                raise self.fail(where, "a text question needs a whole-number 'max_length'")
            if not 1 <= max_length <= MAX_TEXT_LENGTH:
                raise self.fail(where, f"'max_length' must be 1..{MAX_TEXT_LENGTH}")
        elif max_length is not None:
            raise self.fail(where, "'max_length' only applies to text questions")
        show_if = None
        if "show_if" in rq:
            cond = rq["show_if"]
            ref = cond.get("question") if isinstance(cond, dict) else None
            any_of = cond.get("any_of") if isinstance(cond, dict) else None
            if not isinstance(ref, str) or ref not in seen:
                raise self.fail(where, f"'show_if' refers to {ref!r}, which is not an earlier question")
            target = seen[ref]
            if target.type not in CHOICE_TYPES:
                raise self.fail(where, f"'show_if' must refer to a choice question, not {ref!r}")
            if not isinstance(any_of, list) or not any_of:
                raise self.fail(where, "'show_if' needs a non-empty 'any_of' list")
            any_of_codes = tuple(str(a) for a in any_of)
            bad = [a for a in any_of_codes if a not in target.option_codes]
            if bad:
                raise self.fail(where, f"'show_if' 'any_of' names options {bad} that {ref!r} does not have")
            show_if = Condition(ref, any_of_codes)
        own_codes = tuple(str(p.value) for p in scale) if qtype == "scale" else tuple(o.code for o in options)
        relevant = show_if.tree() if show_if is not None else None
        constraint = None
        try:
            if "relevant" in rq:
                if show_if is not None:
                    raise DefinitionError("use 'relevant' or 'show_if', not both")
                relevant = bind_expression(rq["relevant"], "relevant", code, qtype, own_codes, seen)
            if "constraint" in rq:
                constraint = bind_expression(rq["constraint"], "constraint", code, qtype, own_codes, seen)
        except DefinitionError as exc:
            raise self.fail(where, str(exc)) from exc
        if "constraint_message" in rq and constraint is None:
            raise self.fail(where, "'constraint_message' needs a 'constraint'")
        required = rq.get("required", False)
        pnts = rq.get("prefer_not_to_say", False)
        sort_options = rq.get("sort_options", False)
        if not all(isinstance(v, bool) for v in (required, pnts, sort_options)):
            raise self.fail(where, "'required', 'prefer_not_to_say' and 'sort_options' must be true or false")
        if sort_options and qtype not in ("single", "multiple"):
            raise self.fail(where, "'sort_options' only applies to single and multiple questions")
        randomize = rq.get("randomize", False)
        if not isinstance(randomize, bool) or (randomize and (qtype not in ("single", "multiple") or sort_options)):
            raise self.fail(where, "'randomize' is true or false, for single and multiple questions not sorted")
        return Question(
            code=code,
            type=qtype,
            text=self.text(rq, "text", where),
            help=self.text(rq, "help", where, required=False),
            required=required,
            prefer_not_to_say=pnts,
            options=options,
            scale=scale,
            minimum=minimum,
            maximum=maximum,
            max_length=max_length,
            show_if=show_if,
            relevant=relevant,
            constraint=constraint,
            constraint_message=self.text(rq, "constraint_message", where, required=False),
            sort_options=sort_options,
            randomize=randomize,
        )

    def score(self, raw: Any, seen: Mapping[str, Question]) -> Score:
        code = raw.get("code", "") if isinstance(raw, dict) else ""
        where = f"score {code or '?'}"
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise self.fail(where, "'code' must be a lowercase code")
        if code in seen:
            raise self.fail(where, "score code clashes with a question code")
        items = raw.get("items")
        if not isinstance(items, list) or not items:
            raise self.fail(where, "needs a non-empty 'items' list")
        scale_of = None
        for item in items:
            q = seen.get(item) if isinstance(item, str) else None
            if q is None or q.type != "scale":
                raise self.fail(where, f"'items' entry {item!r} is not a scale question")
            if scale_of is not None and q.scale != scale_of:
                raise self.fail(where, "all items must use the same scale")
            scale_of = q.scale
        reverse = raw.get("reverse", [])
        if not isinstance(reverse, list) or any(r not in items for r in reverse):
            raise self.fail(where, "'reverse' must list some of the items")
        method = raw.get("method", "mean")
        if method not in SCORE_METHODS:
            raise self.fail(where, f"'method' must be one of {SCORE_METHODS}")
        min_items = raw.get("min_items", len(items))
        if isinstance(min_items, bool) or not isinstance(min_items, int) or not 1 <= min_items <= len(items):
            raise self.fail(where, f"'min_items' must be 1..{len(items)}")
        points = [p.value for p in scale_of or ()]
        return Score(
            code, self.text(raw, "label", where), tuple(items), tuple(reverse), method, min_items,
            min(points) + max(points),
        )
