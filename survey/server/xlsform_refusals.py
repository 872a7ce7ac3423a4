"""The cells of an XLSForm this platform refuses, each named by sheet, row and column.

Checked on the rows pyxform's reader returns (survey.server.xlsform_import), before pyxform builds
the form: identifying question types and metadata with the reason this platform does not collect
them, then any type, column, appearance or setting that has no meaning here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from survey.core.languages import LANGUAGES
from survey.server import xlsform_columns as col

# In the console's language where there is one (flask_babel; English on the command line).
_WHY = _l(
    "This platform collects nothing that identifies a respondent, their phone, where they are or "
    "when they answered: a seized server, a curious coordinator or a shared export must not be "
    "able to name anyone."
)
_DEVICE = _l("it records the phone, its SIM card or the account it is used with, which points to its owner")
_CONTACT = _l("it asks for or records contact details, which name the person")
_TIME = _l("it records a date or time, and the time an answer was given links it to a person seen then")
_AUDIT = _l("it logs each action on the form with its time and, on some platforms, its place")
_PLACE = _l("it records where the respondent is or was")
_MEDIA = _l("a photo, recording, drawing, file or scanned code can show a face, a voice, a document or an ID")
#: Identifying question types and metadata, with why each is refused.
IDENTIFYING: dict[str, LazyString] = {
    "deviceid": _DEVICE, "imei": _DEVICE, "subscriberid": _DEVICE, "simserial": _DEVICE,
    "phonenumber": _DEVICE, "username": _CONTACT, "email": _CONTACT, "start": _TIME, "end": _TIME,
    "today": _TIME, "date": _TIME, "time": _TIME, "datetime": _TIME, "audit": _AUDIT,
    "geopoint": _PLACE, "geotrace": _PLACE, "geoshape": _PLACE, "start-geopoint": _PLACE,
    "background-geopoint": _PLACE, "osm": _PLACE, "image": _MEDIA, "photo": _MEDIA,
    "audio": _MEDIA, "background-audio": _MEDIA, "video": _MEDIA, "file": _MEDIA,
    "barcode": _MEDIA, "add image prompt": _MEDIA, "add photo prompt": _MEDIA,
    "add audio prompt": _MEDIA, "add video prompt": _MEDIA, "add file prompt": _MEDIA,
}

#: Types read, by their XLSForm spellings, to the name used here.
TYPES = {
    "integer": "integer", "int": "integer", "text": "text", "string": "text", "note": "note",
    "begin_group": "begin_group", "begin group": "begin_group", "end_group": "end_group",
    "end group": "end_group", "calculate": "calculate",
}
SELECT_TYPES = {
    "select_one": "select_one", "select one": "select_one", "select1": "select_one",
    "select_multiple": "select_multiple", "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
}
_REPEATS = _l("repeats are not supported: each response answers each question once")
_WHY_NOT: dict[str, LazyString] = {
    "decimal": _l("decimal numbers are not supported here; use 'integer' (whole numbers)"),
    "or_other": _l("'or_other' is not supported; add an 'other' choice and a text question with relevant "
                   "selected(${question}, 'other')"),
    "begin_repeat": _REPEATS,
    "begin repeat": _REPEATS,
}

#: Survey columns read (their base name before any '::language'), with pyxform's aliases.
SURVEY_COLUMNS = {
    "type", "name", "label", "caption", "hint", "required", "relevant", "relevance", "constraint",
    "constraint_message", "constraining_message", "appearance", "calculation", "parameters",
    col.PREFER_NOT_TO_SAY, col.SORT_OPTIONS, col.SCORE_ITEMS, col.SCORE_REVERSE, col.SCORE_METHOD,
    col.SCORE_MIN_ITEMS,
}
TRANSLATED = {"label", "caption", "hint", "constraint_message", "constraining_message"}
CHOICE_COLUMNS = {"list_name", "name", "label", "caption", col.NUMERIC_VALUE, col.LAST}
SETTINGS_COLUMNS = {"form_title", "form_id", "version", "default_language", col.NOTES}
#: The one parameter read: options in a random order, on select questions.
RANDOMIZE_RE = re.compile(r"^\s*randomize\s*=\s*(true|false|yes|no)\s*$", re.IGNORECASE)
#: Display hints that change nothing in the answers.
APPEARANCES = {"", col.LIKERT, "multiline", "minimal", "quick"}
#: XLSForm sheets with no meaning here (other sheets, such as instructions, are not XLSForm).
REFUSED_SHEETS = {"external_choices", "entities", "osm"}


def place(sheet: str, row: int, column: str) -> str:
    """Where a cell is: ``survey sheet, row 5, column type`` (sheet and column names as written)."""
    return gettext("%(sheet)s sheet, row %(row)s, column %(column)s", sheet=sheet, row=row, column=column)


def cell(sheet: str, row: int, column: str, message: str) -> str:
    return f"{place(sheet, row, column)}: {message}"


def base_name(header: str) -> str:
    """``label::English (en)`` -> ``label``; ``Constraint Message`` -> ``constraint_message``."""
    return re.sub(r"\s+", "_", header.split("::", 1)[0].strip().lower())


def _first_row_with(rows: Sequence[Mapping[str, str]], header: str) -> int:
    for i, r in enumerate(rows):
        if r.get(header):
            return i + 2
    return 1


def check_columns(sheet: str, headers: Sequence[str], rows: Sequence[Mapping[str, str]],
                  allowed: set[str], translated: set[str]) -> list[str]:
    """Columns of one sheet that are not read here, and language suffixes that are not ours."""
    problems = []
    for header in headers:
        base = base_name(header)
        row = _first_row_with(rows, header)
        if base not in allowed:
            problems.append(cell(sheet, row, header, gettext("this column is not supported here")))
            continue
        if "::" in header:
            suffix = header.split("::", 1)[1].strip()
            match = col.LANGUAGE_RE.match(suffix)
            if base not in translated:
                problems.append(cell(sheet, row, header, gettext("this column has no languages")))
            elif match is None or match["code"] not in LANGUAGES:
                problems.append(cell(sheet, row, header, language_problem()))
    return problems


def language_problem() -> str:
    return gettext("the language must be one of this platform's, written like 'English (en)'; supported: "
                   "%(languages)s", languages=", ".join(LANGUAGES))


def type_problem(raw_type: str) -> str | None:
    """Why a survey row's type is refused, or None if it is read."""
    kind = re.sub(r"\s+", " ", raw_type.strip().lower())
    if kind in IDENTIFYING:
        return gettext("'%(type)s' is refused: %(reason)s. %(why)s", type=raw_type, reason=str(IDENTIFYING[kind]),
                       why=str(_WHY))
    if kind in TYPES:
        return None
    words = kind.split(" ")
    if words[-1] == "or_other":
        return str(_WHY_NOT["or_other"])
    for spelling in SELECT_TYPES:
        if kind.startswith(spelling + " ") and len(kind[len(spelling) + 1:].split(" ")) == 1:
            return None
    if kind in _WHY_NOT:
        return str(_WHY_NOT[kind])
    return gettext("the type '%(type)s' is not supported here", type=raw_type)


def select_of(raw_type: str) -> tuple[str, str] | None:
    """``('select_one', 'list')`` for a select type, else None."""
    kind = re.sub(r"\s+", " ", raw_type.strip().lower())
    for spelling, name in SELECT_TYPES.items():
        if kind.startswith(spelling + " "):
            return name, raw_type.strip().split()[-1]
    return None
