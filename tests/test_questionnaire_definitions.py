"""Questionnaire definitions: every shipped one loads, and broken ones fail naming file and question."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from survey.core.questionnaire import (
    BUILTIN_DIR,
    OPTION_VALUES,
    PREFER_NOT_TO_SAY,
    AnswerError,
    DefinitionError,
    load_directory,
    parse,
    read_option_values,
)

BASE = """
id = "t"
version = 1
title = "T"
[scales.s]
points = [{ value = 1, label = "No" }, { value = 2, label = "Yes" }]
[[sections]]
code = "a"
title = "A"
[[sections.questions]]
code = "q1"
type = "single"
text = "One?"
options = [{ code = "x", value = 1, label = "X" }, { code = "y", value = 2, label = "Y" }]
"""


def test_every_shipped_questionnaire_loads() -> None:
    found = load_directory()
    assert "demo@1" in found
    for q in found.values():
        assert q.codes and len(set(q.codes)) == len(q.codes)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[sections.questions]]\ncode = "q1"\ntype = "text"\ntext = "Again"\nmax_length = 5\n', "question q1: code is used twice"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "number"\ntext = "N"\nmin = 5\nmax = 1\n', "question q2: range 5..1 is empty"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "single"\ntext = "C"\noptions = [{ code = "a", value = 1, label = "A" }, { code = "b", value = 2, label = "B" }]\nshow_if = { question = "q9", any_of = ["x"] }\n', "question q2: 'show_if' refers to 'q9'"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "single"\ntext = "C"\noptions = [{ code = "a", value = 1, label = "A" }, { code = "b", value = 2, label = "B" }]\nshow_if = { question = "q1", any_of = ["z"] }\n', "does not have"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "dropdown"\ntext = "C"\n', "question q2: 'type' must be one of"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "text"\ntext = "C"\nmax_length = 99999\n', "question q2: 'max_length' must be"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "scale"\nscale = "nope"\ntext = "C"\n', "question q2: scale 'nope' is not defined"),
        ('[[sections.questions]]\ncode = "Bad Code"\ntype = "text"\ntext = "C"\nmax_length = 3\n', "must be a lowercase code"),
    ],
    ids=["duplicate-code", "empty-range", "condition-on-later", "condition-unknown-option", "unknown-type", "long-text", "unknown-scale", "bad-code"],
)
def test_a_broken_definition_names_the_file_and_question(extra: str, message: str) -> None:
    with pytest.raises(DefinitionError) as err:
        parse(BASE + extra, "broken.toml")
    assert str(err.value).startswith("broken.toml: ")
    assert message in str(err.value)


def test_a_condition_on_a_later_question_is_refused() -> None:
    source = BASE.replace('code = "q1"\ntype = "single"', 'code = "q1"\nshow_if = { question = "q2", any_of = ["x"] }\ntype = "single"')
    source += '[[sections.questions]]\ncode = "q2"\ntype = "single"\ntext = "C"\noptions = [{ code = "x", value = 1, label = "A" }, { code = "b", value = 2, label = "B" }]\n'
    with pytest.raises(DefinitionError, match="broken.toml: question q1: 'show_if' refers to 'q2', which is not an earlier question"):
        parse(source, "broken.toml")


def test_answers_are_checked_against_the_definition() -> None:
    q = load_directory()["demo@1"]
    ok = q.validate_answers({"needed_treatment": "yes", "barriers": ["distance", "cost"], "age": 40})
    assert ok["barriers"] == ["cost", "distance"]  # definition order
    assert q.validate_answers({"needed_treatment": PREFER_NOT_TO_SAY}) == {"needed_treatment": PREFER_NOT_TO_SAY}
    # A question whose condition is false was not asked: its answer is dropped, not refused.
    assert q.validate_answers({"needed_treatment": "no", "barriers": ["cost"]}) == {"needed_treatment": "no"}
    for bad in (
        {},  # required missing
        {"needed_treatment": "yes", "age": 12},
        {"needed_treatment": "yes", "age": True},
        {"needed_treatment": "yes", "surprise": 1},
        {"needed_treatment": "yes", "comment": "x" * 501},
        {"needed_treatment": "yes", "treated_unfairly": "4"},  # scale answers are numbers
        {"needed_treatment": "yes", "comment": PREFER_NOT_TO_SAY},  # not offered there
    ):
        with pytest.raises(AnswerError):
            q.validate_answers(bad)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('[{ code = "x", label = "X" }, { code = "y", value = 2, label = "Y" }]', "option 'x': 'value' must be a whole number"),
        ('[{ code = "x", value = 1, label = "X" }, { code = "y", value = 1, label = "Y" }]', "option values must be unique"),
        ('[{ code = "x", value = true, label = "X" }, { code = "y", value = 2, label = "Y" }]', "option 'x': 'value' must be a whole number"),
        ('[{ code = "x", value = "1", label = "X" }, { code = "y", value = 2, label = "Y" }]', "option 'x': 'value' must be a whole number"),
        ('[{ code = "x", value = -1, label = "X" }, { code = "y", value = 2, label = "Y" }]', "option 'x': 'value' must be a whole number"),
        ('[{ code = "x", value = 1.5, label = "X" }, { code = "y", value = 2, label = "Y" }]', "option 'x': 'value' must be a whole number"),
    ],
    ids=["missing", "duplicate", "bool", "text", "negative", "fraction"],
)
def test_an_option_without_a_unique_whole_number_value_is_refused(options: str, message: str) -> None:
    source = BASE.replace('options = [{ code = "x", value = 1, label = "X" }, { code = "y", value = 2, label = "Y" }]', f"options = {options}")
    assert source != BASE
    with pytest.raises(DefinitionError, match="broken.toml: question q1: " + message):
        parse(source, "broken.toml")


def test_every_shipped_option_has_its_value_recorded() -> None:
    """Released options are frozen: each one's value is in option_values.json (``make codebook`` adds new ones)."""
    record = read_option_values(BUILTIN_DIR / OPTION_VALUES)
    for q in load_directory().values():
        for question in q.questions():
            for o in question.options:
                assert record[q.id][question.code][o.code] == o.value, f"{q.key} {question.code}.{o.code}"


def test_the_shipped_option_values_number_the_options_in_their_order() -> None:
    q = load_directory()["stigma@1"]
    assert [(o.code, o.value) for o in q.question("gender").options] == [
        ("woman", 1), ("man", 2), ("non_binary", 3), ("self_describe", 4)]
    country = q.question("country").options
    assert (country[0].code, country[0].value) == ("al", 1)
    assert (country[-1].code, country[-1].value, country[-1].last) == ("other", len(country), True)


def test_a_definition_that_renumbers_a_released_option_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "questionnaires"
    shutil.copytree(BUILTIN_DIR, folder)
    assert load_directory(folder).keys() == load_directory().keys()
    demo = folder / "demo.toml"
    text = demo.read_text(encoding="utf-8")
    # a new version with the two answers swapped: codes kept, values renumbered
    v2 = text.replace("version = 1", "version = 2", 1).replace(
        '{ code = "yes", value = 1,', '{ code = "yes", value = 2,').replace('{ code = "no", value = 2,', '{ code = "no", value = 1,')
    assert v2.count("value = 2,") >= 1 and v2 != text
    (folder / "demo-v2.toml").write_text(v2, encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"demo-v2.toml: option values differ .*\(needed_treatment.yes: 1 -> 2; needed_treatment.no: 2 -> 1"):
        load_directory(folder)
    # a new version that only adds an option with a new value loads
    added = text.replace("version = 1", "version = 2", 1).replace(
        '{ code = "no", value = 2, label = "No" },', '{ code = "no", value = 2, label = "No" },\n  { code = "unsure", value = 3, label = "Not sure" },')
    (folder / "demo-v2.toml").write_text(added, encoding="utf-8")
    assert load_directory(folder)["demo@2"].question("needed_treatment").options[-1].value == 3
    # without the record, nothing is known to be released
    (folder / OPTION_VALUES).unlink()
    (folder / "demo-v2.toml").write_text(v2, encoding="utf-8")
    assert load_directory(folder)["demo@2"].question("needed_treatment").options[0].value == 2


def test_a_broken_option_value_record_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "questionnaires"
    shutil.copytree(BUILTIN_DIR, folder)
    for bad in ('{"demo": {"needed_treatment": {"yes": "1"}}}', '[1]', '{"demo": 1}', '{'):
        (folder / OPTION_VALUES).write_text(bad, encoding="utf-8")
        with pytest.raises(DefinitionError, match=OPTION_VALUES):
            load_directory(folder)
    (folder / OPTION_VALUES).write_text(json.dumps({"demo": {"needed_treatment": {"yes": 7}}}), encoding="utf-8")
    with pytest.raises(DefinitionError, match="needed_treatment.yes: 7 -> 1"):
        load_directory(folder)
