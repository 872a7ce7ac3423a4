"""Questionnaire definitions: every shipped one loads, and broken ones fail naming file and question."""

from __future__ import annotations

import pytest

from survey.core.questionnaire import PREFER_NOT_TO_SAY, AnswerError, DefinitionError, load_directory, parse

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
options = [{ code = "x", label = "X" }, { code = "y", label = "Y" }]
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
        ('[[sections.questions]]\ncode = "q2"\ntype = "single"\ntext = "C"\noptions = [{ code = "a", label = "A" }, { code = "b", label = "B" }]\nshow_if = { question = "q9", any_of = ["x"] }\n', "question q2: 'show_if' refers to 'q9'"),
        ('[[sections.questions]]\ncode = "q2"\ntype = "single"\ntext = "C"\noptions = [{ code = "a", label = "A" }, { code = "b", label = "B" }]\nshow_if = { question = "q1", any_of = ["z"] }\n', "does not have"),
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
    source += '[[sections.questions]]\ncode = "q2"\ntype = "single"\ntext = "C"\noptions = [{ code = "x", label = "A" }, { code = "b", label = "B" }]\n'
    with pytest.raises(DefinitionError, match="broken.toml: question q1: 'show_if' refers to 'q2', which is not an earlier question"):
        parse(source, "broken.toml")


def test_answers_are_checked_against_the_definition() -> None:
    q = load_directory()["demo@1"]
    ok = q.validate_answers({"needed_treatment": "yes", "barriers": ["distance", "cost"], "age": 40})
    assert ok["barriers"] == ["cost", "distance"]  # definition order
    assert q.validate_answers({"needed_treatment": PREFER_NOT_TO_SAY}) == {"needed_treatment": PREFER_NOT_TO_SAY}
    for bad in (
        {},  # required missing
        {"needed_treatment": "yes", "age": 12},
        {"needed_treatment": "yes", "age": True},
        {"needed_treatment": "no", "barriers": ["cost"]},  # condition does not hold
        {"needed_treatment": "yes", "surprise": 1},
        {"needed_treatment": "yes", "comment": "x" * 501},
        {"needed_treatment": "yes", "treated_unfairly": "4"},  # scale answers are numbers
        {"needed_treatment": "yes", "comment": PREFER_NOT_TO_SAY},  # not offered there
    ):
        with pytest.raises(AnswerError):
            q.validate_answers(bad)
