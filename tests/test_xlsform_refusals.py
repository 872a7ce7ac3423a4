"""Every identifying type and every unsupported column of an XLSForm is refused by sheet, row, column."""

from __future__ import annotations

import re

import pytest

from survey.server.xlsform_import import FormRefused, read_xlsform
from survey.server.xlsform_refusals import IDENTIFYING
from tests.xlsform_files import EN, MINIMAL_CHOICES, MINIMAL_SETTINGS, MINIMAL_SURVEY, workbook


def refusal(data: bytes) -> list[str]:
    with pytest.raises(FormRefused) as caught:
        read_xlsform(data)
    return caught.value.problems


def test_the_minimal_form_is_read() -> None:
    form = read_xlsform(workbook(MINIMAL_SURVEY, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert form.questionnaire.key == "local_help@1"
    assert [o.code for o in form.questionnaire.question("q1").options] == ["yes", "no"]


@pytest.mark.parametrize("kind", sorted(IDENTIFYING))
def test_identifying_type_refused_with_reason_at_its_cell(kind: str) -> None:
    survey = [*MINIMAL_SURVEY, {"type": kind, "name": "x_" + re.sub(r"\W", "_", kind), EN: "Where?"}]
    problems = refusal(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert len(problems) == 1
    assert problems[0].startswith("survey sheet, row 5, column type: ")
    assert f"'{kind}' is refused: " in problems[0]
    assert "collects nothing that identifies a respondent" in problems[0]


def test_every_identifying_row_is_named_at_once() -> None:
    survey = [{"type": "start", "name": "start"}, {"type": "deviceid", "name": "device"}, *MINIMAL_SURVEY,
              {"type": "geopoint", "name": "where", EN: "Where are you?"}]
    problems = refusal(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert [p.split(": ")[0] for p in problems] == [
        "survey sheet, row 2, column type", "survey sheet, row 3, column type", "survey sheet, row 7, column type"]


UNSUPPORTED_SURVEY_COLUMNS = ["choice_filter", "default", "read_only", "calculation::x", "media::image",
                              "required_message", "repeat_count", "trigger", "parameters", "body::accuracyThreshold",
                              "instance::foo", "bind::foo", "note"]


@pytest.mark.parametrize("column", UNSUPPORTED_SURVEY_COLUMNS)
def test_unsupported_survey_column_named(column: str) -> None:
    survey = [dict(r) for r in MINIMAL_SURVEY]
    survey[1][column] = "x"
    problems = refusal(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert any(p.startswith(f"survey sheet, row 3, column {column}: ") for p in problems), problems


@pytest.mark.parametrize("column", ["image", "media::audio", "filter", "label::Klingon (tlh)"])
def test_unsupported_choices_column_named(column: str) -> None:
    choices = [dict(r) for r in MINIMAL_CHOICES]
    choices[1][column] = "x"
    problems = refusal(workbook(MINIMAL_SURVEY, choices, MINIMAL_SETTINGS))
    assert any(p.startswith(f"choices sheet, row 3, column {column}: ") for p in problems), problems


@pytest.mark.parametrize("column", ["submission_url", "public_key", "instance_name", "style"])
def test_unsupported_setting_named(column: str) -> None:
    problems = refusal(workbook(MINIMAL_SURVEY, MINIMAL_CHOICES, {**MINIMAL_SETTINGS, column: "x"}))
    assert problems == [f"settings sheet, row 2, column {column}: this column is not supported here"]


@pytest.mark.parametrize(("row", "message"), [
    ({"type": "decimal", "name": "d", EN: "D"}, "decimal numbers are not supported"),
    ({"type": "select_one yn or_other", "name": "o", EN: "O"}, "'or_other' is not supported"),
    ({"type": "begin_repeat", "name": "r", EN: "R"}, "repeats are not supported"),
    ({"type": "range", "name": "r", EN: "R"}, "the type 'range' is not supported"),
    ({"type": "calculate", "name": "c", "calculation": "1 + 1"}, "read only as a score"),
    ({"type": "text", "name": "t", EN: "T", "appearance": "signature"}, "the appearance 'signature'"),
    ({"type": "text", "name": "t", EN: "T", "required": "maybe"}, "'maybe' is not yes or no"),
    ({"type": "text", "name": "t", EN: "T", "parameters": "randomize=true"}, "only randomize=true, on select_one"),
    ({"type": "select_one yn", "name": "s", EN: "S", "parameters": "seed=4"}, "the parameters 'seed=4'"),
])
def test_unsupported_type_or_value_named(row: dict[str, str], message: str) -> None:
    survey = [*MINIMAL_SURVEY[:2], row, MINIMAL_SURVEY[2]]
    problems = refusal(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert any(p.startswith("survey sheet, row 4, column ") and message in p for p in problems), problems


@pytest.mark.parametrize(("change", "where"), [
    ({"relevant": "${q1} >> 3"}, "survey sheet, row 3, column relevant"),
    ({"relevant": "now() > 3"}, "survey sheet, row 3, column relevant"),
    ({"constraint": ". != 'no' and random()"}, "survey sheet, row 3, column constraint"),
    ({"name": "Q-1"}, "survey sheet, row 3, column name"),
])
def test_unsupported_expression_or_name_named(change: dict[str, str], where: str) -> None:
    survey = [dict(r) for r in MINIMAL_SURVEY]
    survey[1].update(change)
    problems = refusal(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert any(p.startswith(where) for p in problems), problems


def test_sheets_of_other_platforms_refused() -> None:
    data = workbook(MINIMAL_SURVEY, MINIMAL_CHOICES, MINIMAL_SETTINGS,
                    extra_sheets={"entities": [{"list_name": "people", "label": "x"}]})
    assert refusal(data) == ["entities sheet, row 1, column A: this sheet is not supported here"]


def test_a_language_we_do_not_ship_is_named() -> None:
    survey = [dict(r) for r in MINIMAL_SURVEY]
    survey[1]["label::Klingon (tlh)"] = "x"
    problems = refusal(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert any(p.startswith("survey sheet, row 3, column label::Klingon (tlh): the language") for p in problems)
