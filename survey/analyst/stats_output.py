"""SPSS ``.sav`` and Stata ``.dta`` files of the responses and scores (pyreadstat, the ``[stats]`` extra).

The variables, their labels, value labels and missing codes are those of
:mod:`survey.analyst.variables`. How each format holds a missing answer:

- SPSS: "Prefer not to say" (-99) and "not shown" (-98) are *user-missing* values of the variable
  (``missing_ranges``): SPSS shows them with their value labels and leaves them out of statistics.
  A text question's codes are the strings "-99" and "-98", user-missing too.
- Stata: the same answers are the extended missing values ``.a`` (prefer not to say) and ``.b``
  (not shown), labelled in the variable's value label; Stata leaves every ``.x`` out of statistics.
  Stata has no missing strings: a text question holds "-99" or "-98" as text.

A question shown and skipped is system-missing (``.``) in both. Labels longer than a format takes
are cut at a character with "…" (SPSS: 256 bytes for a variable label, 120 for a value label;
Stata: 80 characters for a variable label)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

from survey.analyst.answer_row import AnswerRow
from survey.analyst.variables import CODED, NOT_SHOWN, NUMBER, SCORE, TEXT, Value, Variable, VariableSet
from survey.core.questionnaire import PREFER_NOT_TO_SAY

#: Stata's extended missing values for the two kinds of missing answer.
STATA_MISSING = {PREFER_NOT_TO_SAY: "a", NOT_SHOWN: "b"}
SPSS_VARIABLE_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
STATA_VARIABLE_LABEL_CHARS = 80
FILE_LABEL = "survey-analyst report"


def clip_bytes(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` UTF-8 bytes, cut at a character with "…" when it is longer."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len("…".encode())
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + "…"


def clip_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _columns(variables: VariableSet, rows: Sequence[AnswerRow]) -> list[list[Value]]:
    """The values, one list per variable."""
    columns: list[list[Value]] = [[] for _ in variables.variables]
    appends = [c.append for c in columns]
    for row in rows:
        for append, value in zip(appends, variables.values(row), strict=True):
            append(value)
    return columns


def _frame(variables: VariableSet, columns: list[list[Value]], stata: bool) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for var, values in zip(variables.variables, columns, strict=True):
        if var.kind == TEXT:
            data[var.name] = pd.Series(["" if v is None else v for v in values], dtype=object)
        elif stata and var.missing:
            letters: dict[Value, Value] = {float(number): STATA_MISSING[what] for what, number in var.missing.items()}
            data[var.name] = pd.Series([float("nan") if v is None else letters.get(v, v) for v in values], dtype=object)
        else:
            data[var.name] = pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.DataFrame(data, columns=[v.name for v in variables.variables])


def _measure(var: Variable, variables: VariableSet) -> str:
    if var.kind in (NUMBER, SCORE):
        return "scale"
    if var.kind == CODED and var.question and not var.option and var.question in variables.scale_questions:
        return "ordinal"
    return "nominal"


def write_sav(path: Path, variables: VariableSet, rows: Sequence[AnswerRow]) -> None:
    frame = _frame(variables, _columns(variables, rows), stata=False)
    missing: dict[str, list[Any]] = {}
    for var in variables.variables:
        if var.missing:
            codes = sorted(var.missing.values())
            missing[var.name] = [str(c) for c in codes] if var.kind == TEXT else [float(c) for c in codes]
    pyreadstat.write_sav(
        frame, str(path), file_label=FILE_LABEL,
        column_labels={v.name: clip_bytes(v.label, SPSS_VARIABLE_LABEL_BYTES) for v in variables.variables},
        variable_value_labels={v.name: {float(k): clip_bytes(label, SPSS_VALUE_LABEL_BYTES)
                                        for k, label in sorted(v.value_labels.items())}
                               for v in variables.variables if v.value_labels},
        missing_ranges=missing,
        variable_measure={v.name: _measure(v, variables) for v in variables.variables},
    )


def write_dta(path: Path, variables: VariableSet, rows: Sequence[AnswerRow]) -> None:
    frame = _frame(variables, _columns(variables, rows), stata=True)
    value_labels: dict[str, dict[Any, str]] = {}
    for var in variables.variables:
        if not var.value_labels:
            continue
        letters = {number: STATA_MISSING[what] for what, number in var.missing.items()}
        value_labels[var.name] = {letters.get(k, k): label for k, label in sorted(var.value_labels.items())}
    pyreadstat.write_dta(
        frame, str(path), file_label=FILE_LABEL,
        column_labels={v.name: clip_chars(v.label, STATA_VARIABLE_LABEL_CHARS) for v in variables.variables},
        variable_value_labels=value_labels,
        missing_user_values={v.name: sorted(STATA_MISSING[w] for w in v.missing)
                             for v in variables.variables if v.missing and v.kind != TEXT},
    )
