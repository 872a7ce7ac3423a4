"""Every CSV cell is inert whatever a spreadsheet splits it on: ``,``, ``;`` (Excel and LibreOffice
in most European locales), TAB, or line by line; honouring the file's quotes or not.

The rule is in survey/core/spreadsheet_cells.py; here it is tried on generated text and on the
console's counts spreadsheet, whose link labels a coordinator types."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Literal

import numpy
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.core.spreadsheet_cells import FORMULA_START, cell, text_cell
from tests.conftest import add_survey
from tests.test_console_support import assign, login, make_user

#: A cell the project wrote as a number: a spreadsheet reads it as that number, not a formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")
HOSTILE = ["x;=cmd|' /C calc'!A0;", "a\t=1+1", "ok\n=2+2", 'q;"=HYPERLINK(""http://evil"")',
           "a, +1", "n;  -2", "m;@SUM(A1)", "\uff1dSUM(1)", "\u202eexe.txt", "\x1b[31mred\x07"]


def fields(text: str, separator: str) -> Iterator[str]:
    """Every cell a reader may make of a CSV file's text: the csv module's reader with
    ``separator``, and a naive reader that splits each line on it ignoring quotes."""
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
        yield from row
    for line in text.splitlines():
        yield from line.split(separator)


def runnable(value: str) -> bool:
    """Would a spreadsheet run this cell? After the spaces and quotes a reader may strip, it
    starts with a trigger and is not a plain number."""
    stripped = value.lstrip(' "\u3000\u00a0')
    return stripped.startswith(FORMULA_START) and not NUMBER.fullmatch(stripped)


def runnable_cells(rows: Sequence[Sequence[str]], quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL) -> list[tuple[str, str]]:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting).writerows(rows)
    text = buffer.getvalue()
    return [(sep, f) for sep in (",", ";", "\t") for f in fields(text, sep) if runnable(f)]


def test_hostile_cells_are_inert_with_every_separator() -> None:
    rows = [["1-1", text_cell(t), cell(-0.5), cell(3), text_cell(t)] for t in HOSTILE]
    assert runnable_cells(rows) == []


def test_quoting_every_cell_would_not_be_enough() -> None:
    """Why the rule looks inside cells: a reader splitting on ';' does not honour quotes that
    were placed for ','."""
    rows = [["1-1", t] for t in HOSTILE]
    assert runnable_cells(rows, csv.QUOTE_ALL)
    assert runnable_cells(rows)


TRICKY = st.text(alphabet=st.sampled_from(list(",;\t\n\r \"'=+-@\uff1d\uff20x1\u202e\x1b")), max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(TRICKY, min_size=1, max_size=4))
def test_generated_cells_are_inert_with_every_separator(texts: list[str]) -> None:
    rows = [[text_cell(t) for t in texts] + [cell(-1.25), cell(-7)]]
    assert runnable_cells(rows) == []


def test_numbers_the_project_writes_stay_numbers_and_text_is_text() -> None:
    assert [cell(-0.5), cell(-3), cell(0), cell(2.25), cell(None)] == ["-0.5", "-3", "0", "2.25", ""]
    assert [cell(numpy.float64(-0.5)), cell(numpy.int64(-3))] == ["-0.5", "-3"]  # numpy's numbers too
    assert [cell(True), cell(Fraction(-1, 2))] == ["True", "'-1/2"]  # not numbers a spreadsheet reads as such
    # A respondent's "-3" typed as text, or a label, is text.
    assert [cell("-3"), cell("=1"), cell("@x"), cell("+1"), cell("\uff1d1")] == ["'-3", "'=1", "'@x", "'+1", "'\uff1d1"]


def test_text_is_changed_only_where_it_must_be() -> None:
    assert text_cell("Street outreach, Sarajevo; 2nd wave") == "Street outreach, Sarajevo; 2nd wave"
    assert text_cell("me@example.org, a-b") == "me@example.org, a-b"
    assert text_cell("one\r\ntwo") == "one\ntwo"
    assert text_cell("x;=cmd") == "x;'=cmd"
    assert text_cell("tab\there") == "tab\\u0009here"
    assert text_cell("\u202eabc") == "\\u202eabc"


def test_the_counts_spreadsheet_is_inert_with_every_separator(app: Flask) -> None:
    uid, _token = add_survey(app, label="Outreach;=cmd|' /C calc'!A0;\t=1+1\u202e\x1b[2J")
    survey_id = assign(app, make_user(app, "coord"), uid)
    text = login(app, "coord").get(f"/console/surveys/{survey_id}/counts.csv").get_data(as_text=True)
    assert "Outreach;'=cmd" in text and "\\u202e" in text and "\\u001b" in text
    assert not [(sep, f) for sep in (",", ";", "\t") for f in fields(text, sep) if runnable(f)]
