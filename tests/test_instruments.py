"""The two RUN instruments: coarse, optional background questions; declared scores; codes that aggregate."""

from __future__ import annotations

import pytest

from survey.core.questionnaire import PREFER_NOT_TO_SAY, Answers, Questionnaire, load_directory, score

INSTRUMENTS = ("stigma@1", "service_access@1")
SERVICES = ("detox", "outpatient", "medication", "residential", "aftercare", "mutual_help", "housing",
            "employment", "health", "mental_health", "legal", "family", "women", "youth")


@pytest.fixture(scope="module")
def definitions() -> dict[str, Questionnaire]:
    return load_directory()


@pytest.mark.parametrize("key", INSTRUMENTS)
def test_every_question_is_optional_with_prefer_not_to_say(definitions: dict[str, Questionnaire], key: str) -> None:
    q = definitions[key]
    for question in q.questions():
        assert not question.required, question.code
        if question.code not in ("stigma_comment", "services_comment"):
            assert question.prefer_not_to_say, question.code


def test_background_section_is_identical_in_both_instruments(definitions: dict[str, Questionnaire]) -> None:
    a, b = (definitions[k].sections[-1] for k in INSTRUMENTS)
    assert a == b
    assert [x.code for x in a.questions] == ["country", "age_band", "gender", "gender_self", "recovery_status", "recovery_time"]
    q = definitions["stigma@1"]
    assert q.question("age_band").option_codes == ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
    assert q.question("gender").option_codes == ("woman", "man", "non_binary", "self_describe")
    gender_self = q.question("gender_self").show_if
    assert gender_self is not None and gender_self.any_of == ("self_describe",)
    recovery_time = q.question("recovery_time").show_if
    assert recovery_time is not None and recovery_time.question == "recovery_status"
    assert "other" in q.question("country").option_codes


def test_service_grid_has_one_question_per_service(definitions: dict[str, Questionnaire]) -> None:
    q = definitions["service_access@1"]
    for name in SERVICES:
        assert q.question(f"svc_{name}").option_codes == (
            "needed_and_used", "tried_could_not_get", "needed_did_not_try", "not_needed")


def test_reverse_scored_items_are_mirrored(definitions: dict[str, Questionnaire]) -> None:
    q = definitions["stigma@1"]
    [internal] = [s for s in q.scores if s.code == "internalised_stigma"]
    answers: Answers = {"int_ashamed": 5, "int_worth": 5, "int_deserve": 5, "int_weak": 5, "int_proud": 1}
    assert score(internal, answers) == 5.0
    answers["int_weak"] = PREFER_NOT_TO_SAY
    assert score(internal, answers) == 5.0  # 4 of 5 answered is enough
    answers["int_worth"] = PREFER_NOT_TO_SAY
    assert score(internal, answers) is None


def test_recovery_capital_is_a_prorated_sum(definitions: dict[str, Questionnaire]) -> None:
    q = definitions["service_access@1"]
    [rc] = q.scores
    items = dict.fromkeys(rc.items, 4)
    assert score(rc, items) == 32.0
    del items["rc_home"], items["rc_money"]
    assert score(rc, items) == 32.0
    del items["rc_hope"]
    assert score(rc, items) is None


@pytest.mark.parametrize("key", INSTRUMENTS)
def test_notes_name_the_published_structures_they_are_modelled_on(definitions: dict[str, Questionnaire], key: str) -> None:
    notes = definitions[key].notes
    assert "modelled on" in notes and "no item" in notes.lower()
