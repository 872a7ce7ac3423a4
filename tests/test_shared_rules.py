"""One rule set: what a respondent's controls mean as an answer, and why one is refused, is
defined once in survey.core.questionnaire; the no-JavaScript form and the analyst use it, and the
browser gets its parameters from the same definition (tests/test_browser_shared_rules.py checks
that the browser refuses exactly what the server refuses, with the same words)."""

from __future__ import annotations

import pytest
from flask import Flask

from survey.core.questionnaire import PREFER_NOT_TO_SAY, AnswerError, EntryRefused, load_directory, read_entry
from tests.conftest import add_survey
from tests.helpers import DEMO_FORM, count_responses

QUESTIONNAIRES = load_directory()
DEMO = QUESTIONNAIRES["demo@1"]
STIGMA = QUESTIONNAIRES["stigma@1"]
RESERVED_MESSAGE = "Please write this answer in other words: this exact text cannot be stored."


@pytest.mark.parametrize("typed", [PREFER_NOT_TO_SAY, f"  {PREFER_NOT_TO_SAY}\n"])
def test_free_text_that_is_the_prefer_not_to_say_code_is_refused_not_read_as_the_choice(typed: str) -> None:
    for question in (DEMO.question("comment"), STIGMA.question("gender_self")):
        with pytest.raises(EntryRefused) as refused:
            read_entry(question, text=typed)
        assert refused.value.kind == "reserved"
    # The box itself still means "prefer not to say", and longer text that contains the code is text.
    assert read_entry(STIGMA.question("gender_self"), pnts=True) == PREFER_NOT_TO_SAY
    assert read_entry(DEMO.question("comment"), text=f"{PREFER_NOT_TO_SAY} is what I mean") == f"{PREFER_NOT_TO_SAY} is what I mean"


def test_the_analysts_validation_names_the_kind_of_every_problem() -> None:
    with pytest.raises(AnswerError) as error:
        DEMO.validate_answers({"needed_treatment": "perhaps", "age": 150, "comment": "x" * 501, "hide_recovery": 9})
    assert error.value.kinds == {"needed_treatment": "choice", "age": "range", "comment": "length", "hide_recovery": "choice"}


@pytest.mark.parametrize(
    ("questionnaire", "form", "field"),
    [
        ("demo@1", {**DEMO_FORM, "comment": PREFER_NOT_TO_SAY}, "comment"),
        ("stigma@1", {"gender": "self_describe", "gender_self": PREFER_NOT_TO_SAY}, "gender_self"),
    ],
    ids=["text without prefer-not-to-say", "text with a prefer-not-to-say box"],
)
def test_the_form_path_refuses_prefer_not_to_say_typed_as_text_with_its_own_message(
    app: Flask, questionnaire: str, form: dict[str, str], field: str
) -> None:
    _uid, token = add_survey(app, questionnaire=questionnaire)
    response = app.test_client().post(f"/s/{token}", data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body and RESERVED_MESSAGE in body
    assert count_responses(app) == 0
