"""survey-analyst report --formats csv,xlsx,sav,dta: the files a statistician opens, read back.

Responses go through the real server (the no-JavaScript form of the demo questionnaire, on a
survey offered in English and Bosnian, through a channel whose label is hostile), come out
through the real export command, and the real `survey-analyst report` writes the files. They are
read back with pyreadstat and openpyxl and checked, value by value, against what was sent:
option values, value labels in the report's language, user-missing codes for "prefer not to say"
and "not shown", one 0/1 variable per multiple-choice option, types, and no formula anywhere."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest
from flask import Flask

from survey.analyst.variables import RESERVED, VariableSet
from survey.core.export_format import RecordReader
from survey.core.questionnaire import parse
from survey.server.database import session
from survey.server.surveys import create_link, create_survey
from tests.conftest import AnalystKey, build_app, export_survey, run_analyst
from tests.helpers import read_rows

#: A channel label a spreadsheet would run, with a right-to-left override in it.
CHANNEL = "x;=cmd|' /C calc'!A0;\u202eclinic"
#: A comment a spreadsheet would run as a formula, with a bidi override.
HOSTILE = "=HYPERLINK(\"http://x\";\"y\") \u202eevil"
PNTS, NOT_SHOWN = -99.0, -98.0
BARRIERS = ["cost", "waiting_list", "distance", "staff_attitudes", "confidentiality"]

#: What each respondent sent (the no-JavaScript form) and what each variable must hold:
#: needed_treatment, barriers_<option> x5, treated_unfairly, hide_recovery, age, comment, stigma_score.
SENT: list[tuple[dict[str, str | list[str]], dict[str, Any]]] = [
    ({"needed_treatment": "yes", "barriers": ["cost", "confidentiality"], "treated_unfairly": "4",
      "hide_recovery": "prefer_not_to_say", "age": "34", "comment": "months of waiting"},
     {"needed_treatment": 1.0, "barriers": [1.0, 0.0, 0.0, 0.0, 1.0], "treated_unfairly": 4.0,
      "hide_recovery": PNTS, "age": 34.0, "comment": "months of waiting", "stigma_score": 4.0}),
    ({"needed_treatment": "no", "treated_unfairly": "1", "age__pnts": "y", "comment": HOSTILE},
     {"needed_treatment": 2.0, "barriers": [NOT_SHOWN] * 5, "treated_unfairly": 1.0,
      "hide_recovery": None, "age": PNTS, "comment": HOSTILE.replace("\u202e", "\\u202e"), "stigma_score": 1.0}),
    ({"needed_treatment": "prefer_not_to_say", "hide_recovery": "5", "age": "70"},
     {"needed_treatment": PNTS, "barriers": [NOT_SHOWN] * 5, "treated_unfairly": None,
      "hide_recovery": 5.0, "age": 70.0, "comment": None, "stigma_score": 5.0}),
    ({"needed_treatment": "yes", "barriers": ["prefer_not_to_say"], "treated_unfairly": "2", "hide_recovery": "3"},
     {"needed_treatment": 1.0, "barriers": [PNTS] * 5, "treated_unfairly": 2.0,
      "hide_recovery": 3.0, "age": None, "comment": None, "stigma_score": 2.5}),
    ({"needed_treatment": "yes"},  # shown and skipped: system-missing, not a missing code
     {"needed_treatment": 1.0, "barriers": [None] * 5, "treated_unfairly": None,
      "hide_recovery": None, "age": None, "comment": None, "stigma_score": None}),
    ({"needed_treatment": "no", "comment": "#N/A"},  # an error code to a spreadsheet: text here
     {"needed_treatment": 2.0, "barriers": [NOT_SHOWN] * 5, "treated_unfairly": None,
      "hide_recovery": None, "age": None, "comment": "#N/A", "stigma_score": None}),
]
NUMERIC = ["needed_treatment", *(f"barriers_{b}" for b in BARRIERS), "treated_unfairly", "hide_recovery", "age",
           "stigma_score"]


def _expected_rows() -> list[tuple[Any, ...]]:
    rows = []
    for _form, want in SENT:
        rows.append((want["needed_treatment"], *want["barriers"], want["treated_unfairly"], want["hide_recovery"],
                     want["age"], want["stigma_score"], want["comment"]))
    return rows


@pytest.fixture(scope="module")
def formats_report(tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey) -> Iterator[tuple[Path, Path]]:
    tmp = tmp_path_factory.mktemp("formats")
    app = build_app(tmp, analyst_key)
    try:
        yield _report(app, analyst_key, tmp)
    finally:
        app.extensions["reshuffler"].stop()
        app.extensions["survey_engine"].dispose()


def _report(app: Flask, analyst_key: AnalystKey, tmp: Path) -> tuple[Path, Path]:
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["demo@1"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Formats", ["en", "bs"])
        link = create_link(s, survey, CHANNEL)
        s.commit()
        uid, token = survey.uid, link.token
    client = app.test_client()
    for form, _want in SENT:
        response = client.post(f"/s/{token}", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    export = export_survey(app, uid, tmp / "export.jsonl")
    out = tmp / "out"
    result = run_analyst("report", export, "--key", analyst_key.private, "--out", out, "--k", "2",
                         "--workers", "2", "--formats", "csv,xlsx,sav,dta", "--lang", "bs")
    assert result.returncode == 0, result.stderr
    return export, out


def _labels_bs(export: Path) -> dict[str, str]:
    """The Bosnian texts the export's manifest carries (the server's catalog), English where none."""
    manifest = RecordReader(export).manifest
    return dict(manifest["questionnaire"].get("translations", {}).get("bs", {}))


def _bs(texts: dict[str, str], english: str) -> str:
    return texts.get(english) or english


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return bool(a == b)


def _none_for_nan(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def test_sav_holds_values_value_labels_and_user_missing_codes(formats_report: tuple[Path, Path]) -> None:
    export, out = formats_report
    data, meta = pyreadstat.read_sav(str(out / "responses.sav"), user_missing=True)
    assert len(data) == len(SENT)
    got = sorted((tuple(_none_for_nan(v) for v in r[NUMERIC]) + (r["comment"] or None,) for _i, r in data.iterrows()),
                 key=repr)
    assert got == sorted(_expected_rows(), key=repr)
    # types: choices, numbers and scores are numeric; free text and the channel are strings
    assert all(meta.readstat_variable_types[n] == "double" for n in NUMERIC)
    assert meta.readstat_variable_types["comment"] == "string"
    assert meta.readstat_variable_types["channel"] == "string"
    assert set(data["channel"]) == {CHANNEL.replace("\u202e", "\\u202e")}
    # user-missing: prefer not to say everywhere it is offered, not shown where there is a condition
    ranges = {name: sorted(r["lo"] for r in rs if isinstance(r, dict)) for name, rs in meta.missing_ranges.items()}
    assert ranges["needed_treatment"] == [PNTS]
    assert ranges["barriers_cost"] == [PNTS, NOT_SHOWN]
    assert ranges["age"] == [PNTS]
    assert "comment" not in ranges and "stigma_score" not in ranges
    # SPSS itself leaves them out: read without user-missing, they are system-missing
    plain, _meta = pyreadstat.read_sav(str(out / "responses.sav"))
    assert sorted(plain["needed_treatment"].dropna()) == [1.0, 1.0, 1.0, 2.0, 2.0]
    # value labels and variable labels in Bosnian, from the export's own translations
    bs = _labels_bs(export)
    assert bs, "the export carries the Bosnian texts of the questionnaire"
    labels = meta.variable_value_labels
    assert labels["needed_treatment"][1.0] == _bs(bs, "Yes")
    assert labels["needed_treatment"][2.0] == _bs(bs, "No")
    assert set(labels["needed_treatment"]) == {1.0, 2.0, PNTS}
    assert labels["treated_unfairly"][4.0] == _bs(bs, "Agree")
    assert set(labels["barriers_cost"]) == {0.0, 1.0, PNTS, NOT_SHOWN}
    assert meta.column_names_to_labels["needed_treatment"] == _bs(
        bs, "In the last 12 months, did you need treatment for drug use?")
    assert str(meta.column_names_to_labels["barriers_cost"]).endswith(": " + _bs(bs, "Cost"))
    assert meta.variable_measure["hide_recovery"] == "ordinal"
    assert meta.variable_measure["age"] == "scale"


def test_dta_holds_values_value_labels_and_extended_missing(formats_report: tuple[Path, Path]) -> None:
    export, out = formats_report
    data, meta = pyreadstat.read_dta(str(out / "responses.dta"), user_missing=True)
    letters = {"a": PNTS, "b": NOT_SHOWN}
    got = sorted((tuple(letters.get(v, _none_for_nan(v)) for v in r[NUMERIC]) + (r["comment"] or None,)
                  for _i, r in data.iterrows()), key=repr)
    assert got == sorted(_expected_rows(), key=repr)
    assert all(meta.readstat_variable_types[n] == "double" for n in NUMERIC)
    assert meta.readstat_variable_types["comment"] == "string"
    assert meta.missing_user_values["needed_treatment"] == ["a"]
    assert meta.missing_user_values["barriers_cost"] == ["a", "b"]
    bs = _labels_bs(export)
    assert meta.variable_value_labels["needed_treatment"][1] == _bs(bs, "Yes")
    assert set(meta.variable_value_labels["barriers_cost"]) == {0, 1, "a", "b"}
    # Stata leaves .a and .b out like any missing value
    plain, _meta = pyreadstat.read_dta(str(out / "responses.dta"))
    assert sorted(plain["age"].dropna()) == [34.0, 70.0]


def test_xlsx_sheets_are_typed_labelled_and_hold_no_formula(formats_report: tuple[Path, Path]) -> None:
    export, out = formats_report
    book = openpyxl.load_workbook(out / "report.xlsx")
    assert book.sheetnames == ["responses", "scores", "aggregates", "codebook"]
    formulas = [(ws.title, c.coordinate) for ws in book for row in ws.iter_rows() for c in row if c.data_type in ("f", "e")]
    assert formulas == []
    texts = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in texts)
    assert any(c.value == "#N/A" for c in texts)
    bs = _labels_bs(export)
    ws = book["responses"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == len(SENT)
    by_age = {r["age"].value: r for r in rows}
    first = by_age[34]
    assert first["needed_treatment"].value == _bs(bs, "Yes") and first["needed_treatment"].data_type == "s"
    assert first["barriers"].value == f"{_bs(bs, 'Cost')}; {_bs(bs, 'Worry about confidentiality')}"
    assert first["treated_unfairly"].value == 4 and first["treated_unfairly"].data_type == "n"
    assert first["age"].data_type == "n"
    hostile = next(r for r in rows if r["comment"].value and r["comment"].value.startswith("=HYPERLINK"))
    assert hostile["comment"].value == HOSTILE.replace("\u202e", "\\u202e")
    assert hostile["comment"].data_type == "s"
    assert hostile["channel"].value == CHANNEL.replace("\u202e", "\\u202e")
    scores = book["scores"]
    score_header = [c.value for c in scores[1]]
    values = sorted(r[score_header.index("stigma_score")].value or 0 for r in scores.iter_rows(min_row=2))
    assert values == [0, 0, 1, 2.5, 4, 5]
    assert all(isinstance(r[score_header.index("stigma_score")].value, (int, float, type(None)))
               for r in scores.iter_rows(min_row=2))
    # aggregates: the same rows as aggregates.csv, numbers as numbers, with labels
    agg = book["aggregates"]
    agg_header = [c.value for c in agg[1]]
    csv_rows = read_rows(out / "aggregates.csv")
    sheet_rows = [[c.value for c in r] for r in agg.iter_rows(min_row=2)]
    assert len(sheet_rows) == len(csv_rows)
    value_at = agg_header.index("value")
    for sheet, csv_row in zip(sheet_rows, csv_rows, strict=True):
        assert (csv_row["value"] == "") == (sheet[value_at] is None)
        if sheet[value_at] is not None:
            assert isinstance(sheet[value_at], (int, float)) and math.isclose(sheet[value_at], float(csv_row["value"]))
    # codebook: every variable of the .sav, with its name, label and value labels
    _data, meta = pyreadstat.read_sav(str(out / "responses.sav"), metadataonly=True)
    book_rows = [[c.value for c in r] for r in book["codebook"].iter_rows(min_row=2)]
    assert [r[0] for r in book_rows] == meta.column_names
    needed = next(r for r in book_rows if r[0] == "needed_treatment")
    assert f"1={_bs(bs, 'Yes')}" in needed[6] and "prefer_not_to_say=-99" in needed[7]


def test_an_unknown_format_is_refused_before_anything_is_read(tmp_path: Path, formats_report: tuple[Path, Path],
                                                              analyst_key: AnalystKey) -> None:
    export, _out = formats_report
    for bad in ("csv,pdf", "", "xlsx;sav"):
        result = run_analyst("report", export, "--key", analyst_key.private, "--out", tmp_path / "o",
                             "--formats", bad)
        assert result.returncode == 2, result.stderr
        assert "--formats: unknown format" in result.stderr and "csv, xlsx, sav, dta" in result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "o").exists()


def test_variable_names_are_valid_for_spss_and_stata() -> None:
    """Long, reserved and clashing codes get names of at most 32 characters, a letter first, unique."""
    long_code = "a" * 48
    source = f'''
id = "names"
version = 1
title = "Names"
[[sections]]
code = "s"
title = "S"
[[sections.questions]]
code = "{long_code}"
type = "multiple"
text = "Long"
options = [{{ code = "{"o" * 40}", value = 1, label = "A" }}, {{ code = "{"p" * 40}", value = 2, label = "B" }}]
[[sections.questions]]
code = "{long_code[:-1]}b"
type = "single"
text = "Also long"
options = [{{ code = "x", value = 1, label = "X" }}, {{ code = "y", value = 2, label = "Y" }}]
[[sections.questions]]
code = "in"
type = "text"
text = "Reserved in Stata"
max_length = 10
[[sections.questions]]
code = "response"
type = "text"
text = "Clashes with the response id column"
max_length = 10
'''
    from survey.analyst.labels import Labels

    q = parse(source, "names.toml")
    labels = {q.key: Labels(q)}
    names = [v.name for v in VariableSet([q], labels, labels[q.key]).variables]
    assert len(names) == len({n.lower() for n in names})
    for name in names:
        assert len(name) <= 32 and name[0].isalpha() and name.replace("_", "").isalnum(), name
        assert name.lower() not in RESERVED
    assert "in" not in names and "response" in names and "response_2" in names


def test_versions_share_a_variable_only_when_their_option_values_agree() -> None:
    """demo@2 adding an option with a new value shares demo@1's variable (value labels merged, the
    new option's 0/1 variable empty for demo@1); a version that gives a code another value gets its own."""
    from survey.analyst.answer_row import AnswerRow
    from survey.analyst.labels import Labels
    from survey.core.questionnaire import BUILTIN_DIR

    text = (BUILTIN_DIR / "demo.toml").read_text(encoding="utf-8")
    v1 = parse(text, "demo.toml")
    added = parse(text.replace("version = 1", "version = 2", 1).replace(
        '{ code = "no", value = 2, label = "No" },', '{ code = "no", value = 2, label = "No" },\n  { code = "unsure", value = 3, label = "Not sure" },').replace(
        '{ code = "confidentiality", value = 5, label = "Worry about confidentiality" },',
        '{ code = "confidentiality", value = 5, label = "Worry about confidentiality" },\n  { code = "language", value = 6, label = "Language" },'), "v2")
    swapped = parse(text.replace("version = 1", "version = 3", 1).replace(
        '{ code = "yes", value = 1,', '{ code = "yes", value = 2,').replace('{ code = "no", value = 2,', '{ code = "no", value = 1,'), "v3")
    labels = {q.key: Labels(q) for q in (v1, added, swapped)}
    variables = VariableSet([v1, added, swapped], labels, labels[v1.key])
    names = [v.name for v in variables.variables]
    shared = next(v for v in variables.variables if v.name == "needed_treatment")
    assert shared.questionnaires == ["demo@1", "demo@2"]
    assert shared.value_labels == {1: "Yes", 2: "No", 3: "Not sure", -99: "Prefer not to say"}
    own = next(v for v in variables.variables if v.name == "needed_treatment_2")
    assert own.questionnaires == ["demo@3"] and own.value_labels[2] == "Yes"
    assert names.index("barriers_language") == names.index("barriers_confidentiality") + 1

    def row(q_key: str, answers: dict[str, Any]) -> dict[str, Any]:
        values = variables.values(AnswerRow("1-1", "s", q_key, "en", "c", answers, (None,)))
        return dict(zip(names, values, strict=True))

    one = row("demo@1", {"needed_treatment": "yes", "barriers": ["cost"]})
    assert (one["needed_treatment"], one["needed_treatment_2"]) == (1.0, None)
    assert (one["barriers_cost"], one["barriers_distance"], one["barriers_language"]) == (1.0, 0.0, None)
    two = row("demo@2", {"needed_treatment": "unsure"})
    assert two["needed_treatment"] == 3.0 and two["barriers_cost"] == NOT_SHOWN and two["barriers_language"] == NOT_SHOWN
    chose = row("demo@2", {"needed_treatment": "yes", "barriers": ["language"]})
    assert (chose["barriers_language"], chose["barriers_cost"]) == (1.0, 0.0)
    three = row("demo@3", {"needed_treatment": "yes"})
    assert (three["needed_treatment"], three["needed_treatment_2"]) == (None, 2.0)


def test_a_conditional_text_question_holds_its_missing_codes_as_text(tmp_path: Path) -> None:
    """stigma's gender_self (shown for self_describe only, with prefer-not-to-say): "-98" when not
    shown, "-99" when declined, user-missing strings in SPSS; Stata keeps them as text. The country
    is its option's value (Bosnia and Herzegovina 4, the last option "Another country" 24)."""
    from survey.analyst.answer_row import AnswerRow
    from survey.analyst.labels import Labels
    from survey.analyst.stats_output import write_dta, write_sav
    from survey.core.questionnaire import load_directory

    q = load_directory()["stigma@1"]
    labels = {q.key: Labels(q)}
    variables = VariableSet([q], labels, labels[q.key])
    sent: list[dict[str, Any]] = [{"gender": "woman", "country": "ba"},
            {"gender": "self_describe", "gender_self": "prefer_not_to_say"},
            {"gender": "self_describe", "gender_self": "in my own words"},
            {"country": "other", "dis_told": ["nobody"]}]
    rows = [AnswerRow(f"1-{i}", "s", q.key, "en", "c", q.validate_answers(a), tuple(None for _ in q.scores))
            for i, a in enumerate(sent)]
    write_sav(tmp_path / "r.sav", variables, rows)
    write_dta(tmp_path / "r.dta", variables, rows)
    data, meta = pyreadstat.read_sav(str(tmp_path / "r.sav"), user_missing=True)
    assert list(data["gender_self"]) == ["-98", "-99", "in my own words", "-98"]  # no gender: not shown
    assert sorted(r["lo"] for r in meta.missing_ranges["gender_self"] if isinstance(r, dict)) == ["-98", "-99"]
    assert [_none_for_nan(v) for v in data["country"]] == [4.0, None, None, 24.0]
    assert meta.variable_value_labels["country"][24.0] == "Another country"
    assert list(data["dis_told_nobody"])[3] == 1.0 and list(data["dis_told_family"])[3] == 0.0
    stata, _meta = pyreadstat.read_dta(str(tmp_path / "r.dta"), user_missing=True)
    assert list(stata["gender_self"]) == ["-98", "-99", "in my own words", "-98"]


def test_an_xlsx_that_cannot_hold_the_responses_is_refused_before_decryption() -> None:
    from survey.analyst.output_formats import MAX_XLSX_RESPONSES, check_size, parse_formats
    from survey.analyst.terminal import UsageError

    assert parse_formats(" SAV , xlsx,sav") == ("csv", "sav", "xlsx")
    check_size(("csv", "xlsx"), MAX_XLSX_RESPONSES)
    check_size(("csv", "sav", "dta"), MAX_XLSX_RESPONSES + 1)
    with pytest.raises(UsageError, match="do not fit in a sheet of an XLSX file"):
        check_size(("csv", "xlsx"), MAX_XLSX_RESPONSES + 1)


def test_run_json_names_the_extra_files_their_digests_and_that_they_are_per_person(
        formats_report: tuple[Path, Path]) -> None:
    import hashlib
    import json

    _export, out = formats_report
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for name in ("report.xlsx", "responses.sav", "responses.dta"):
        assert run["outputs_sha256"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert name in run["per_person"]
    assert run["settings"]["lang"] == "bs"
