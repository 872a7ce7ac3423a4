"""Reading an XLSForm into a questionnaire definition of ours, with its translations.

pyxform, the ODK reference implementation, reads the workbook (``get_xlsform``) and builds the
form (``workbook_to_json``); nothing here parses XLSX or XLSForm syntax by hand. Before pyxform
opens the file, survey.server.xlsform_limits bounds its size; before pyxform builds the form,
survey.server.xlsform_refusals names every refused cell by sheet, row and column. The form is then
turned into our TOML definition (written with tomli-w and checked by survey.core.questionnaire's
own parser, so an imported definition obeys every rule a built-in one does).

The definition's texts are in the form's default language; the other languages' texts become
``translations`` (``{lang: {source_text: translated}}``, as the export's manifest carries them).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tomli_w
from flask_babel import gettext
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from survey.core import expression
from survey.core.languages import LANGUAGES
from survey.core.questionnaire import (
    CODE_RE,
    MAX_TEXT_LENGTH,
    OPTION_RE,
    PREFER_NOT_TO_SAY,
    DefinitionError,
    Questionnaire,
    parse,
)
from survey.server import xlsform_columns as col
from survey.server import xlsform_limits as limits
from survey.server import xlsform_refusals as refuse

Json = dict[str, Any]


class FormRefused(ValueError):
    """The form cannot be imported; ``problems`` are messages naming sheet, row and column."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class ImportedForm:
    questionnaire: Questionnaire
    #: The language of the definition's texts, and every language of the form (that one first).
    language: str
    languages: tuple[str, ...]
    translations: dict[str, dict[str, str]]


def read_xlsform(data: bytes) -> ImportedForm:
    """The definition an XLSForm's bytes describe, or FormRefused naming what is wrong."""
    try:
        limits.check_container(data)
    except limits.FormTooLarge as exc:
        raise FormRefused([str(exc)]) from exc
    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    except (PyXFormError, ValueError, KeyError, OSError, EOFError) as exc:
        raise FormRefused([gettext("the file is not an XLSForm workbook pyxform can read (%(error)s)", error=str(exc))]) from exc
    _check_cells(workbook)
    try:
        form = workbook_to_json(workbook_dict=workbook, form_name="data", warnings=[])
    except PyXFormError as exc:
        raise FormRefused([gettext("pyxform refuses the form: %(error)s", error=str(exc))]) from exc
    return _Converter(workbook, form).convert()


def _headers(header_rows: Sequence[Mapping[str, Any]] | None) -> list[str]:
    return list(header_rows[0]) if header_rows else []


def _check_cells(wb: DefinitionData) -> None:
    problems: list[str] = []
    for name in wb.sheet_names or ():
        if name.lower() in refuse.REFUSED_SHEETS:
            problems.append(refuse.cell(name, 1, "A", gettext("this sheet is not supported here")))
    survey = list(wb.survey or [])
    choices = list(wb.choices or [])
    if not survey:
        raise FormRefused([gettext("the workbook has no 'survey' sheet with rows")])
    if len(survey) > limits.MAX_SURVEY_ROWS:
        raise FormRefused([gettext("%(sheet)s sheet: %(rows)s rows; at most %(most)s are read", sheet="survey",
                                   rows=len(survey), most=limits.MAX_SURVEY_ROWS)])
    if len(choices) > limits.MAX_CHOICE_ROWS:
        raise FormRefused([gettext("%(sheet)s sheet: %(rows)s rows; at most %(most)s are read", sheet="choices",
                                   rows=len(choices), most=limits.MAX_CHOICE_ROWS)])
    problems += refuse.check_columns("survey", _headers(wb.survey_header), survey, refuse.SURVEY_COLUMNS,
                                     refuse.TRANSLATED)
    problems += refuse.check_columns("choices", _headers(wb.choices_header), choices, refuse.CHOICE_COLUMNS,
                                     {"label", "caption"})
    settings = list(wb.settings or [])
    problems += refuse.check_columns("settings", _headers(wb.settings_header), settings, refuse.SETTINGS_COLUMNS,
                                     set())
    for i, row in enumerate(survey):
        n = i + 2
        raw_type = row.get("type", "")
        if not raw_type:
            if any(v for v in row.values()):
                problems.append(refuse.cell("survey", n, "type", gettext("a row with content needs a type")))
            continue
        why = refuse.type_problem(raw_type)
        if why is not None:
            problems.append(refuse.cell("survey", n, "type", why))
            continue
        for header, value in row.items():
            base = refuse.base_name(header)
            if base == "appearance" and value.strip().lower() not in refuse.APPEARANCES:
                problems.append(refuse.cell("survey", n, header, gettext("the appearance '%(value)s' is not supported here",
                                                                         value=value)))
            if base == "parameters" and not (refuse.RANDOMIZE_RE.match(value) and refuse.select_of(raw_type)):
                problems.append(refuse.cell("survey", n, header, gettext(
                    "the parameters '%(value)s' are not supported here (only randomize=true, on select_one and "
                    "select_multiple)", value=value)))
            if base in ("required", col.PREFER_NOT_TO_SAY, col.SORT_OPTIONS) and not col.is_boolean(value):
                problems.append(refuse.cell("survey", n, header, gettext("'%(value)s' is not yes or no", value=value)))
        if refuse.TYPES.get(raw_type.strip().lower()) == "calculate" and not row.get(col.SCORE_ITEMS):
            problems.append(refuse.cell("survey", n, "type", gettext(
                "a 'calculate' row is read only as a score (with a '%(column)s' column); other calculations are "
                "not supported", column=col.SCORE_ITEMS)))
    if problems:
        raise FormRefused(problems)


#: The columns (base names, with pyxform's aliases) a kind of text is read from.
_KINDS = {"label": {"label", "caption"}, "hint": {"hint"}, "title": {"form_title"},
          "constraint_message": {"constraint_message", "constraining_message"}}


def _language_of(name: str, default: str | None) -> str | None:
    if name == "default":
        return default
    match = col.LANGUAGE_RE.match(name.strip())
    return match["code"] if match is not None and match["code"] in LANGUAGES else None


class _Converter:
    def __init__(self, wb: DefinitionData, form: Json) -> None:
        self.form = form
        self.problems: list[str] = []
        # A group may share its name with a question: rows are found by name and kind.
        self.rows: dict[tuple[str, bool], int] = {}
        self.survey_rows: dict[tuple[str, bool], Mapping[str, str]] = {}
        for i, row in enumerate(wb.survey or []):
            name = row.get("name")
            key = (str(name or ""), refuse.TYPES.get(row.get("type", "").strip().lower()) == "begin_group")
            if name and key not in self.rows:
                self.rows[key] = i + 2
                self.survey_rows[key] = row
        self.choice_rows: dict[tuple[str, str], int] = {}
        self.choice_cells: dict[tuple[str, str], Mapping[str, str]] = {}
        for i, row in enumerate(wb.choices or []):
            choice = (str(row.get("list_name", row.get("list name", ""))), str(row.get("name", "")))
            if choice not in self.choice_rows:
                self.choice_rows[choice] = i + 2
                self.choice_cells[choice] = row
        self.settings = settings = (wb.settings or [{}])[0]
        default_name = settings.get("default_language") or ""
        self.default = _language_of(default_name, None) if default_name else None
        if default_name and self.default is None:
            raise FormRefused([refuse.cell("settings", 2, "default_language", refuse.language_problem())])
        self.language = self.default or "en"
        self.translations: dict[str, dict[str, str]] = {}
        self.languages: dict[str, None] = {self.language: None}
        self.scales: dict[str, list[Json]] = {}
        self.codes: dict[str, str] = {}  # question code -> our type

    # -- texts ---------------------------------------------------------------------------------

    def text(self, row: Mapping[str, str] | None, kind: str, where: str, required: bool = True) -> str:
        """The source-language text of a label or hint in a row as pyxform's reader returns it
        (pyxform's form builder would turn typographic quotes into straight ones); the other
        languages go to the translations."""
        texts: dict[str, str] = {}
        for header, value in (row or {}).items():
            if refuse.base_name(header) not in _KINDS[kind]:
                continue
            name = header.split("::", 1)[1].strip() if "::" in header else "default"
            lang = _language_of(name, self.language)
            if lang is not None:
                texts[lang] = str(value)
        source = texts.get(self.language, "").strip()
        if not source:
            if required:
                self.problems.append(f"{where}: " + gettext("there is no text in the default language (%(language)s)",
                                                            language=col.language_column(self.language)))
            return ""
        for lang, text in texts.items():
            self.languages.setdefault(lang, None)
            if lang != self.language and text.strip() and text.strip() != source:
                self.translations.setdefault(lang, {}).setdefault(source, text.strip())
        return source

    def label(self, name: str, kind: str = "label", required: bool = True, group: bool = False) -> str:
        return self.text(self.survey_rows.get((name, group)), kind, self.where(name, kind, group), required)

    def where(self, name: str, column: str = "label", group: bool = False) -> str:
        return refuse.place("survey", self.rows.get((name, group), 1), column)

    # -- the form ------------------------------------------------------------------------------

    def convert(self) -> ImportedForm:
        form = self.form
        form_id = str(form.get("id_string", ""))
        if not CODE_RE.fullmatch(form_id):
            self.problems.append(refuse.cell("settings", 2, "form_id", _not_a_code(form_id)))
        version_text = str(form.get("version") or "1")
        if not re.fullmatch(r"[1-9][0-9]{0,8}", version_text):
            self.problems.append(refuse.cell("settings", 2, "version", f"'{version_text}' must be a whole number "
                                             "from 1 (this platform numbers versions 1, 2, 3...)"))
            version_text = "1"
        children = [c for c in form.get("children", []) if not (c.get("name") == "meta" and c.get("type") == "group")]
        title = str(form.get("title") or "")
        intro = ""
        if children and children[0].get("type") == "note" and children[0].get("name") == "title":
            title = self.label(children.pop(0)["name"])
        elif title:
            title = self.text({"form_title": self.settings.get("form_title", title)}, "title",
                              refuse.cell("settings", 2, "form_title", ""))
        if children and children[0].get("type") == "note":
            note = children.pop(0)
            intro = self.label(note["name"])
        definition: Json = {"id": form_id, "version": int(version_text), "title": title or form_id}
        if intro:
            definition["intro"] = intro
        if form.get(col.NOTES):
            definition["notes"] = str(form[col.NOTES]).strip()
        sections: list[Json] = []
        loose: list[Json] = []
        scores: list[Json] = []
        for child in children:
            kind = child.get("type")
            if kind == "group":
                self.flush(loose, sections, title)
                sections.append(self.section(child))
            elif kind == "calculate":
                scores.append(self.score(child))
            elif kind == "note":
                self.problems.append(f"{self.where(child['name'], 'type')}: " + gettext(
                    "a note is read only as the form's introduction (before the first group) or a group's (its "
                    "first row)"))
            else:
                loose.append(child)
        self.flush(loose, sections, title)
        definition["sections"] = sections
        if self.scales:
            definition["scales"] = {name: {"points": points} for name, points in self.scales.items()}
        if scores:
            definition["scores"] = scores
        if self.problems:
            raise FormRefused(self.problems)
        source = tomli_w.dumps(definition, multiline_strings=False)
        try:
            questionnaire = parse(source, f"{form_id}@{version_text}")
        except DefinitionError as exc:
            raise FormRefused([gettext("the form is not a definition this platform can field: %(error)s",
                                       error=str(exc))]) from exc
        languages = tuple(lang for lang in LANGUAGES if lang in self.languages)
        languages = (self.language, *(lang for lang in languages if lang != self.language))
        translations = {lang: self.translations.get(lang, {}) for lang in languages if lang != self.language}
        return ImportedForm(questionnaire, self.language, languages, translations)

    def flush(self, loose: list[Json], sections: list[Json], title: str) -> None:
        """Questions outside any group make a section of their own, titled as the form."""
        if not loose:
            return
        code = f"section_{len(sections) + 1}"
        sections.append({"code": code, "title": title, "questions": [self.question(q) for q in loose]})
        loose.clear()

    def section(self, group: Json) -> Json:
        name = str(group.get("name", ""))
        where = self.where(name, group=True)
        if not CODE_RE.fullmatch(name):
            self.problems.append(f"{self.where(name, 'name', True)}: {_not_a_code(name)}")
        out: Json = {"code": name, "title": self.label(name, group=True)}
        children = list(group.get("children", []))
        if children and children[0].get("type") == "note":
            note = children.pop(0)
            out["intro"] = self.label(note["name"])
        questions = []
        for child in children:
            if child.get("type") == "group":
                self.problems.append(f"{self.where(child['name'], 'type', True)}: "
                                     + gettext("groups inside groups are not supported"))
            elif child.get("type") == "note":
                self.problems.append(f"{self.where(child['name'], 'type')}: "
                                     + gettext("a note is read only as a group's introduction (its first row)"))
            elif child.get("type") == "calculate":
                self.problems.append(f"{self.where(child['name'], 'type')}: "
                                     + gettext("a score ('calculate') goes after the last group"))
            else:
                questions.append(self.question(child))
        if not questions:
            self.problems.append(f"{where}: " + gettext("a group needs at least one question"))
        out["questions"] = questions
        return out

    # -- questions -----------------------------------------------------------------------------

    def question(self, element: Json) -> Json:
        code = str(element.get("name", ""))
        kind = element.get("type")
        bind = element.get("bind") or {}
        appearance = str((element.get("control") or {}).get("appearance", "")).strip().lower()
        if not CODE_RE.fullmatch(code):
            self.problems.append(f"{self.where(code, 'name')}: {_not_a_code(code)}")
        out: Json = {"code": code, "text": self.label(code)}
        hint = self.label(code, "hint", required=False)
        if hint:
            out["help"] = hint
        if col.yes(bind.get("required")):
            out["required"] = True
        if col.yes(element.get(col.PREFER_NOT_TO_SAY)):
            out["prefer_not_to_say"] = True
        if col.yes(element.get(col.SORT_OPTIONS)):
            out["sort_options"] = True
        if col.yes(str((element.get("parameters") or {}).get("randomize", ""))):
            out["randomize"] = True
        constraint = str(bind.get("constraint") or "").strip()
        message = self.label(code, "constraint_message", required=False)
        own = constraint
        if kind in ("select one", "select all that apply"):
            self.choice_question(element, out, appearance)
        elif kind == "integer":
            out["type"] = "number"
            out["min"], out["max"] = col.WIDEST_RANGE
            match = col.RANGE_RE.match(constraint)
            # A range is the question's range; with a message of its own and nothing else, it stays
            # the constraint too, so that its message is what a number outside it gets.
            if match is not None and _parses(match[3]) and int(match[1]) < int(match[2]):
                out["min"], out["max"] = int(match[1]), int(match[2])
                own = match[3] or ("" if not message else constraint)
        elif kind == "text":
            out["type"] = "text"
            out["max_length"] = MAX_TEXT_LENGTH
            match = col.LENGTH_RE.match(constraint)
            if match is not None and 1 <= int(match[1]) <= MAX_TEXT_LENGTH and _parses(match[2]):
                out["max_length"] = int(match[1])
                own = match[2] or ("" if not message else constraint)
        else:
            self.problems.append(f"{self.where(code, 'type')}: "
                                 + gettext("the type '%(type)s' is not supported here", type=str(kind)))
        if own:
            self.expression(own, code, "constraint")
            out["constraint"] = own
            if message:
                out["constraint_message"] = message
        relevant = str(bind.get("relevant") or "").strip()
        if relevant:
            condition = self.condition(relevant)
            if condition is not None:
                out["show_if"] = condition
            else:
                self.expression(relevant, code, "relevant")
                out["relevant"] = relevant
        if code:
            self.codes[code] = out.get("type", "")
        return out

    def expression(self, text: str, code: str, column: str) -> None:
        """Name the cell of an expression the shared parser refuses (survey.core.expression)."""
        try:
            expression.parse(text)
        except expression.ExpressionError as exc:
            self.problems.append(f"{self.where(code, column)}: {exc}")

    def condition(self, relevant: str) -> Json | None:
        parts = re.split(r"\s+or\s+", relevant)
        matches = [col.SELECTED_RE.match(p) for p in parts]
        if not all(matches):
            return None
        refs = {m[1] for m in matches if m}
        if len(refs) != 1:
            return None
        return {"question": refs.pop(), "any_of": [m[2] for m in matches if m]}

    def choice_question(self, element: Json, out: Json, appearance: str) -> None:
        single = element.get("type") == "select one"
        list_name = str(element.get("list_name") or element.get("itemset") or "")
        choices = list(element.get("choices") or self.form.get("choices", {}).get(list_name, []))
        if appearance == col.LIKERT and single and _is_scale(choices):
            if list_name not in self.scales:
                self.scales[list_name] = [
                    {"value": int(c["name"]), "label": self.choice_label(list_name, c)}
                    for c in choices
                ]
            out.update(type="scale", scale=list_name)
            return
        out["type"] = "single" if single else "multiple"
        options: list[Json] = []
        given = [c.get(col.NUMERIC_VALUE) for c in choices]
        if any(given) and not all(given):
            self.problems.append(gettext("choices sheet, list %(list)s, column %(column)s: give every choice of the "
                                         "list a value, or none", list=list_name, column=col.NUMERIC_VALUE))
        for position, c in enumerate(choices, 1):
            name = str(c.get("name", ""))
            if not OPTION_RE.fullmatch(name) or name == PREFER_NOT_TO_SAY:
                self.problems.append(f"{self.choice_where(list_name, c, 'name')}: " + gettext(
                    "'%(name)s' must be a lowercase code (a-z, 0-9, _), not %(pnts)s (a question's '%(column)s' "
                    "column offers that)", name=name, pnts=PREFER_NOT_TO_SAY, column=col.PREFER_NOT_TO_SAY))
            option: Json = {"code": name, "value": position, "label": self.choice_label(list_name, c)}
            raw_value = str(c.get(col.NUMERIC_VALUE) or "")
            if raw_value:
                if re.fullmatch(r"[0-9]{1,5}", raw_value):
                    option["value"] = int(raw_value)
                else:
                    self.problems.append(f"{self.choice_where(list_name, c, col.NUMERIC_VALUE)}: "
                                         + _not_a_number(raw_value))
            if col.yes(c.get(col.LAST)):
                option["last"] = True
            options.append(option)
        out["options"] = options

    def choice_label(self, list_name: str, choice: Json) -> str:
        key = (list_name, str(choice.get("name", "")))
        return self.text(self.choice_cells.get(key), "label", self.choice_where(list_name, choice))

    def choice_where(self, list_name: str, choice: Json, column: str = "label") -> str:
        row = self.choice_rows.get((list_name, str(choice.get("name", ""))), 1)
        return refuse.place("choices", row, column)

    def score(self, element: Json) -> Json:
        code = str(element.get("name", ""))
        items = str(element.get(col.SCORE_ITEMS, "")).split()
        out: Json = {
            "code": code,
            "label": self.label(code),
            "items": items,
            "reverse": str(element.get(col.SCORE_REVERSE, "")).split(),
            "method": str(element.get(col.SCORE_METHOD) or "mean"),
        }
        min_items = str(element.get(col.SCORE_MIN_ITEMS) or len(items))
        if not min_items.isdigit():
            self.problems.append(f"{self.where(code, col.SCORE_MIN_ITEMS)}: {_not_a_number(min_items)}")
        else:
            out["min_items"] = int(min_items)
        return out


def _not_a_code(name: str) -> str:
    return gettext("'%(name)s' must be a lowercase code (a-z, 0-9, _), starting with a letter", name=name)


def _not_a_number(text: str) -> str:
    return gettext("'%(value)s' is not a whole number", value=text)


def _parses(text: str | None) -> bool:
    if text is None:
        return True
    try:
        expression.parse(text)
    except expression.ExpressionError:
        return False
    return True


def _is_scale(choices: Sequence[Json]) -> bool:
    names = [str(c.get("name", "")) for c in choices]
    if len(names) < 2 or not all(re.fullmatch(r"-?[0-9]{1,6}", n) for n in names):
        return False
    values = [int(n) for n in names]
    return values == sorted(set(values)) and all(str(v) == n for v, n in zip(values, names, strict=True))
