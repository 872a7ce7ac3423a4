"""Writing a questionnaire as an XLSForm (openpyxl), with its texts in every language given.

The file is a standard XLSForm that pyxform converts and ODK or Kobo can field: a ``title`` note
and an ``intro`` note first, each section a group (its intro a note at its top), choice questions
as ``select_one``/``select_multiple`` with one choice list each (a rating scale: one list per
scale, ``appearance`` ``likert``), number questions as ``integer`` with their range as the
``constraint``, text questions with their length as the ``constraint`` (a question's own
constraint joined with ``and (...)``), conditions as ``relevant`` (``show_if`` as
``selected(${q}, 'x') or ...``, others as their expression text), scores as ``calculate`` rows
whose calculation is the score in XPath. What XLSForm has no column for goes in the extra columns
of survey.server.xlsform_columns, so :mod:`survey.server.xlsform_import` reads the file back to an
equal definition.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from survey.core import expression
from survey.core.questionnaire import Question, Questionnaire, ScalePoint, Score
from survey.server import xlsform_columns as col

Row = dict[str, str]

_SURVEY_COLUMNS = ("type", "name")
_SURVEY_EXTRA = (
    "required", "relevant", "constraint", "appearance", "parameters", col.PREFER_NOT_TO_SAY, col.SORT_OPTIONS,
    "calculation", col.SCORE_ITEMS, col.SCORE_REVERSE, col.SCORE_METHOD, col.SCORE_MIN_ITEMS,
)


class _Texts:
    """A text of the definition in each language: the source itself, else its translation (the
    source again where a language has none, so no cell is empty in ODK)."""

    def __init__(self, source_language: str, languages: Sequence[str],
                 translations: Mapping[str, Mapping[str, str]]) -> None:
        self.languages = [source_language, *(lang for lang in languages if lang != source_language)]
        self.source_language = source_language
        self.translations = translations

    def columns(self, kind: str) -> list[str]:
        return [f"{kind}::{col.language_column(lang)}" for lang in self.languages]

    def cells(self, kind: str, text: str) -> Row:
        if not text:
            return {}
        out = {}
        for lang in self.languages:
            shown = text if lang == self.source_language else self.translations.get(lang, {}).get(text, text)
            out[f"{kind}::{col.language_column(lang)}"] = shown
        return out


def _score_calculation(sc: Score) -> str:
    """The score in XPath: mean (or prorated sum) of the answered items, reverse items mirrored,
    empty with fewer than ``min_items`` answered (as survey.core.questionnaire.score)."""
    answered = {i: f"(${{{i}}} != '' and ${{{i}}} != 'prefer_not_to_say')" for i in sc.items}
    count = " + ".join(f"number({answered[i]})" for i in sc.items)
    value = {i: f"({sc.mirror} - number(${{{i}}}))" if i in sc.reverse else f"number(${{{i}}})" for i in sc.items}
    total = " + ".join(f"if({answered[i]}, {value[i]}, 0)" for i in sc.items)
    mean = f"({total}) div ({count})"
    shown = mean if sc.method == "mean" else f"{mean} * {len(sc.items)}"
    return f"if(({count}) >= {sc.min_items}, {shown}, '')"


class _Writer:
    def __init__(self, q: Questionnaire, texts: _Texts) -> None:
        self.q = q
        self.texts = texts
        self.survey: list[Row] = []
        self.choices: list[Row] = []
        self.names: set[str] = {q.code for q in q.questions()} | {s.code for s in q.sections}
        self.names |= {sc.code for sc in q.scores}
        self.scale_lists: dict[tuple[ScalePoint, ...], str] = {}
        self.list_names: set[str] = set()

    def unique(self, wanted: str) -> str:
        name = wanted
        while name in self.names:
            name += "_"
        self.names.add(name)
        return name

    def note(self, wanted: str, text: str) -> None:
        self.survey.append({"type": "note", "name": self.unique(wanted), **self.texts.cells("label", text)})

    def rows(self) -> None:
        q = self.q
        self.note("title", q.title)
        if q.intro:
            self.note("intro", q.intro)
        for section in q.sections:
            self.survey.append({"type": "begin_group", "name": section.code, **self.texts.cells("label", section.title)})
            if section.intro:
                self.note(f"{section.code}_intro", section.intro)
            for question in section.questions:
                self.survey.append(self.question(question))
            self.survey.append({"type": "end_group", "name": section.code})
        for sc in q.scores:
            self.survey.append({
                "type": "calculate", "name": sc.code, **self.texts.cells("label", sc.label),
                "calculation": _score_calculation(sc), col.SCORE_ITEMS: " ".join(sc.items),
                col.SCORE_REVERSE: " ".join(sc.reverse), col.SCORE_METHOD: sc.method,
                col.SCORE_MIN_ITEMS: str(sc.min_items),
            })

    def list_name(self, wanted: str) -> str:
        name = wanted
        while name in self.list_names:
            name += "_"
        self.list_names.add(name)
        return name

    def question(self, question: Question) -> Row:
        row: Row = {"name": question.code, **self.texts.cells("label", question.text)}
        row.update(self.texts.cells("hint", question.help))
        if question.type == "scale":
            points = question.scale
            if points not in self.scale_lists:
                self.scale_lists[points] = name = self.list_name(f"scale_{question.code}")
                for p in points:
                    self.choices.append({"list_name": name, "name": str(p.value), **self.texts.cells("label", p.label)})
            row.update(type=f"select_one {self.scale_lists[points]}", appearance=col.LIKERT)
        elif question.type in ("single", "multiple"):
            name = self.list_name(question.code)
            for o in question.options:
                choice = {"list_name": name, "name": o.code, **self.texts.cells("label", o.label),
                          col.NUMERIC_VALUE: str(o.value)}
                if o.last:
                    choice[col.LAST] = "yes"
                self.choices.append(choice)
            row["type"] = f"select_{'one' if question.type == 'single' else 'multiple'} {name}"
        elif question.type == "number":
            row.update(type="integer", constraint=f". >= {question.minimum} and . <= {question.maximum}")
        else:
            row.update(type="text", constraint=f"string-length(.) <= {question.max_length}")
        if question.constraint is not None:
            own = expression.to_source(question.constraint)
            row["constraint"] = f"{row['constraint']} and ({own})" if "constraint" in row else own
            row.update(self.texts.cells("constraint_message", question.constraint_message))
        if question.required:
            row["required"] = "yes"
        if question.prefer_not_to_say:
            row[col.PREFER_NOT_TO_SAY] = "yes"
        if question.sort_options:
            row[col.SORT_OPTIONS] = "yes"
        if question.randomize:
            row["parameters"] = "randomize=true"
        if question.show_if is not None:
            ref = question.show_if.question
            row["relevant"] = " or ".join(f"selected(${{{ref}}}, '{code}')" for code in question.show_if.any_of)
        elif question.relevant is not None:
            row["relevant"] = expression.to_source(question.relevant)
        return row


def _sheet(wb: Workbook, title: str, columns: Sequence[str], rows: Iterable[Row], first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet(title)
    assert ws is not None  # a new Workbook has its active sheet
    ws.title = title
    ws.append(list(columns))
    for r in rows:
        cells: list[Any] = []
        for c in columns:
            cell = Cell(ws, value=r.get(c) or None)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even where it starts with '=' (never a formula)
            cells.append(cell)
        ws.append(cells)


def xlsform_bytes(q: Questionnaire, source_language: str, languages: Sequence[str],
                  translations: Mapping[str, Mapping[str, str]]) -> bytes:
    """The XLSForm of ``q``: its texts in ``source_language`` and in each of ``languages``
    (``translations``: ``{lang: {source_text: translated}}``, as the export's manifest)."""
    texts = _Texts(source_language, languages, translations)
    writer = _Writer(q, texts)
    writer.rows()
    wb = Workbook()
    survey_columns = [*_SURVEY_COLUMNS, *texts.columns("label"), *texts.columns("hint"), *_SURVEY_EXTRA,
                      *texts.columns("constraint_message")]
    used = {k for r in writer.survey for k in r}
    _sheet(wb, "survey", [c for c in survey_columns if c in used or c in _SURVEY_COLUMNS], writer.survey, first=True)
    choice_columns = ["list_name", "name", *texts.columns("label"), col.NUMERIC_VALUE, col.LAST]
    used = {k for r in writer.choices for k in r}
    _sheet(wb, "choices", [c for c in choice_columns if c in used or c in ("list_name", "name")], writer.choices)
    settings = {"form_title": q.title, "form_id": q.id, "version": str(q.version),
                "default_language": col.language_column(source_language)}
    if q.notes:
        settings[col.NOTES] = q.notes
    _sheet(wb, "settings", list(settings), [settings])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
