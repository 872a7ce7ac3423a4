"""The XLSX workbook of a report (openpyxl, the ``[stats]`` extra): sheets responses, scores,
aggregates and codebook, with labels in the report's language.

Cells are typed: a number the project computed or validated (a scale point, a whole-number
answer, a score, a count) is a number, everything else is text. Text is never a formula: openpyxl
makes a string starting with "=" a formula (and "#N/A" and the other error codes an error), so
such a cell is set to the string type after its value; control characters are made visible first
(:func:`survey.core.visible_text.visible`; XML cannot hold most of them anyway).

- responses: one row per response, the columns of responses.csv; a choice answer is its option's
  label, a multiple choice the labels joined by "; ", a scale point and a whole number are
  numbers; "Prefer not to say" and "not shown" are written in words.
- scores: one row per response, each score a number (empty when too few items were answered).
- aggregates: the rows of aggregates.csv, values as numbers, with the labels of the variable,
  the group and the category.
- codebook: one row per variable of the SPSS and Stata files: its name there, label, question,
  option, value labels and missing codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from survey.analyst.answer_row import AnswerRow
from survey.analyst.labels import Labels
from survey.analyst.variables import NOT_SHOWN, VariableSet
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Questionnaire
from survey.core.visible_text import visible

Cell = str | int | float | None
#: A write-only worksheet (openpyxl has no type hints).
WriteOnlyWorksheet = Any


def _row(ws: WriteOnlyWorksheet, values: Iterable[Cell]) -> list[Any]:
    """One row's values for ``ws.append``: numbers as they are, text made visible. openpyxl types a
    text starting with "=" as a formula and an error code ("#N/A") as an error: such a text goes in
    a cell of its own, set to the string type (a plain value is much faster for everything else)."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = visible(value, line_breaks=True)
            if value.startswith("=") or value in ERROR_CODES:
                text = WriteOnlyCell(ws, value)
                text.data_type = "s"  # never a formula or an error, whatever the text is
                out.append(text)
                continue
        out.append(value)
    return out


def write_xlsx(
    path: Path, questionnaires: Sequence[Questionnaire], labels: Mapping[str, Labels], variables: VariableSet,
    rows: Sequence[AnswerRow], aggregates: Sequence[Sequence[object]],
) -> None:
    """The workbook; ``aggregates`` are aggregates.csv's rows, header first, values unformatted."""
    book = Workbook(write_only=True)
    _responses(book.create_sheet("responses"), questionnaires, labels, variables, rows)
    _scores(book.create_sheet("scores"), questionnaires, rows)
    _aggregates(book.create_sheet("aggregates"), labels, variables.ui, aggregates)
    _codebook(book.create_sheet("codebook"), variables)
    book.save(path)


def _responses(ws: WriteOnlyWorksheet, questionnaires: Sequence[Questionnaire], labels: Mapping[str, Labels],
               variables: VariableSet, rows: Sequence[AnswerRow]) -> None:
    codes: dict[str, None] = {}
    for q in questionnaires:
        codes.update(dict.fromkeys(q.codes))
    ws.append(_row(ws, ["response", "survey", "questionnaire", "lang", "channel", *codes]))
    by_key = {q.key: q for q in questionnaires}
    for row in rows:
        q = by_key[row.questionnaire]
        words = labels[q.key]
        answers = row.answers
        hidden = q.not_shown(answers)
        out: list[Cell] = [row.response, row.survey, row.questionnaire, row.lang, row.channel]
        for code in codes:
            given = answers.get(code)
            if code not in q.known_codes:
                out.append(None)
                continue
            question = q.question(code)
            if given is None:
                out.append(variables.words[NOT_SHOWN] if code in hidden else None)
            elif given == PREFER_NOT_TO_SAY:
                out.append(variables.words[PREFER_NOT_TO_SAY])
            elif isinstance(given, list):
                out.append("; ".join(words.option(code, c) for c in given))
            elif isinstance(given, int):
                out.append(given)
            elif question.type == "single":
                out.append(words.option(code, given))
            else:
                out.append(given)
        ws.append(_row(ws, out))


def _scores(ws: WriteOnlyWorksheet, questionnaires: Sequence[Questionnaire], rows: Sequence[AnswerRow]) -> None:
    codes: dict[str, None] = {}
    for q in questionnaires:
        codes.update(dict.fromkeys(sc.code for sc in q.scores))
    ws.append(_row(ws, ["response", "survey", "questionnaire", *codes]))
    where = {q.key: {sc.code: i for i, sc in enumerate(q.scores)} for q in questionnaires}
    for row in rows:
        index = where[row.questionnaire]
        ws.append(_row(ws, [row.response, row.survey, row.questionnaire,
                            *[row.scores[index[c]] if c in index else None for c in codes]]))


def _aggregates(ws: WriteOnlyWorksheet, labels: Mapping[str, Labels], ui: Labels,
                aggregates: Sequence[Sequence[object]]) -> None:
    header = [str(name) for name in aggregates[0]]
    at = {name: header.index(name) for name in ("questionnaire", "variable", "by", "group", "category")}
    ws.append(_row(ws, [*header, "variable_label", "group_label", "category_label"]))
    for row in aggregates[1:]:
        questionnaire, variable, by, group, category = (str(row[at[n]] or "") for n in at)
        words = labels.get(questionnaire, ui)
        ws.append(_row(ws, [
            *(v if isinstance(v, (int, float)) else None if v is None else str(v) for v in row),
            words.question(variable) if variable else "",
            words.group(by, group) if by else words.option(variable, group),
            words.option(variable, category) if category else ""]))


def _codebook(ws: WriteOnlyWorksheet, variables: VariableSet) -> None:
    ws.append(_row(ws, ["variable", "label", "type", "question", "option", "questionnaires", "value_labels",
                        "missing"]))
    for v in variables.variables:
        ws.append(_row(ws, [
            v.name, v.label, v.kind, v.question, v.option, " ".join(v.questionnaires),
            " | ".join(f"{k}={label}" for k, label in sorted(v.value_labels.items())),
            " | ".join(f"{what}={number}" for what, number in v.missing.items()),
        ]))
