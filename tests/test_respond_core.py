"""The respondent's no-JavaScript path end to end: form → sealed row → export → survey-analyst."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from survey.server.database import engine, session
from survey.server.models import Link, Response, Survey
from tests.conftest import AnalystKey, add_survey, export_survey, run_analyst
from tests.helpers import DEMO_FORM, DEMO_ROW, count_responses, read_rows

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL


def test_form_answers_come_back_exactly_from_the_analyst_tool(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app)
    client = app.test_client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    second = {**DEMO_FORM, "needed_treatment": "no", "barriers": [], "comment": "", "age": ""}
    for form in (DEMO_FORM, second):
        posted = client.post(f"/s/{token}", data=form)
        assert posted.status_code == 303
        assert posted.headers["Location"].startswith("/thanks")
    export = export_survey(app, uid, tmp_path / "export.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    rows = sorted(read_rows(tmp_path / "out.csv"), key=lambda r: r["needed_treatment"])
    assert [r["needed_treatment"] for r in rows] == ["no", "yes"]
    yes = rows[1]
    assert {k: yes[k] for k in DEMO_ROW} == DEMO_ROW
    assert yes["channel"] == "Street outreach" and yes["lang"] == "en"
    no = rows[0]
    # A conditional question is dropped when its condition does not hold; skipped ones stay empty.
    assert no["barriers"] == "" and no["age"] == "" and no["comment"] == ""
    assert "2 responses decrypted and valid" in result.stderr


def test_a_stored_response_has_exactly_six_columns_and_only_a_date(app: Flask) -> None:
    _uid, token = add_survey(app)
    assert app.test_client().post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    with app.app_context():
        columns = [c["name"] for c in inspect(engine()).get_columns("responses")]
        assert sorted(columns) == sorted(["id", "survey_id", "link_id", "received_on", "key_id", "envelope"])
        row = session().scalar(select(Response))
        assert row is not None
        assert isinstance(row.received_on, dt.date) and not isinstance(row.received_on, dt.datetime)
        assert len(row.id) == 32
        assert b"canary" not in row.envelope


BAD_SUBMISSIONS = {
    "missing required answer": {k: v for k, v in DEMO_FORM.items() if k != "needed_treatment"},
    "wrong type": {**DEMO_FORM, "age": "thirty"},
    "out-of-range number": {**DEMO_FORM, "age": "150"},
    "over-long text": {**DEMO_FORM, "comment": "x" * 501},
    "unknown option code": {**DEMO_FORM, "needed_treatment": "perhaps"},
    "unknown scale point": {**DEMO_FORM, "treated_unfairly": "9"},
    "unknown multiple option": {**DEMO_FORM, "barriers": ["cost", "aliens"]},
    "forged extra field": {**DEMO_FORM, "is_admin": "1"},
    "prefer not to say mixed with answers": {**DEMO_FORM, "barriers": ["cost", "prefer_not_to_say"]},
    "prefer not to say and a number": {**DEMO_FORM, "age__pnts": "y"},
}


@pytest.mark.parametrize("form", BAD_SUBMISSIONS.values(), ids=BAD_SUBMISSIONS.keys())
def test_bad_input_gets_a_clear_4xx_page_and_nothing_is_stored(app: Flask, form: dict) -> None:
    _uid, token = add_survey(app)
    response = app.test_client().post(f"/s/{token}", data=form)
    assert 400 <= response.status_code < 500
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert count_responses(app) == 0


def test_field_errors_sit_next_to_their_fields_and_in_a_linked_summary(app: Flask) -> None:
    _uid, token = add_survey(app)
    body = app.test_client().post(f"/s/{token}", data={**DEMO_FORM, "age": "150"}).get_data(as_text=True)
    assert 'href="#age"' in body
    assert 'id="age-error"' in body and "Enter a number from 16 to 99." in body
    assert 'aria-describedby="age-hint age-range age-error"' in body


def test_a_one_megabyte_body_is_refused_with_413_and_nothing_is_stored(app: Flask) -> None:
    _uid, token = add_survey(app)
    response = app.test_client().post(f"/s/{token}", data={**DEMO_FORM, "comment": "x" * 1_000_000})
    assert response.status_code == 413
    assert "Nothing was stored" in response.get_data(as_text=True)
    assert count_responses(app) == 0


def _set_link(app: Flask, token: str, **values: object) -> None:
    with app.app_context():
        s = session()
        link = s.scalar(select(Link).where(Link.token == token))
        for k, v in values.items():
            setattr(link, k, v)
        s.commit()


def test_unknown_link_is_404_for_page_and_submit(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/s/no-such-link").status_code == 404
    assert client.post("/s/no-such-link", data=DEMO_FORM).status_code == 404
    assert "This link does not work" in client.get("/s/no-such-link").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"revoked": True}, "no longer in use"),
        ({"expires_on": dt.date(2020, 1, 1)}, "has expired"),
    ],
    ids=["revoked", "expired"],
)
def test_revoked_and_expired_links_are_410_and_store_nothing(app: Flask, change: dict, words: str) -> None:
    _uid, token = add_survey(app)
    _set_link(app, token, **change)
    client = app.test_client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 410 and words in page.get_data(as_text=True)
    assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 410
    assert count_responses(app) == 0


def test_a_closed_survey_refuses_answers_with_410(app: Flask) -> None:
    uid, token = add_survey(app)
    with app.app_context():
        s = session()
        survey = s.scalar(select(Survey).where(Survey.uid == uid))
        assert survey is not None
        survey.is_open = False
        s.commit()
    client = app.test_client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 410 and "survey is closed" in page.get_data(as_text=True)
    assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 410
    assert count_responses(app) == 0


def test_a_link_with_a_cap_stops_at_the_cap(app: Flask) -> None:
    _uid, token = add_survey(app, response_cap=1)
    client = app.test_client()
    assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 410
    assert count_responses(app) == 1


def test_the_form_is_accessible_markup_with_constraints(app: Flask) -> None:
    _uid, token = add_survey(app)
    body = app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert '<legend class="question-text">In the last 12 months, did you need treatment for drug use?' in body
    assert '<label class="question-text" for="age">' in body
    assert 'min="16"' in body and 'max="99"' in body
    assert 'maxlength="500"' in body
    assert 'autocomplete="off"' in body
    assert "Prefer not to say" in body
    assert "Only answer this if your answer to" in body
