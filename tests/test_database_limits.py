"""What PostgreSQL refuses and SQLite keeps: NUL characters, numbers past a 32-bit integer, names
longer than their column. Such input gets a 4xx (or is cleaned) before it reaches the database, so
neither engine answers it with a 500 or a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.server.database import session
from survey.server.models import Link, Survey, User
from tests.conftest import add_survey
from tests.helpers import DEMO_FORM, count_responses
from tests.test_console_support import csrf, link_id, login, make_user

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

OCTETS = {"Content-Type": "application/octet-stream"}
PAST_INTEGER = [2**31, 2**63, 10**30]


def _admin(app: Flask) -> FlaskClient:
    make_user(app, "admin", admin=True)
    return login(app, "admin")


def _survey_id(app: Flask, uid: str) -> int:
    with app.app_context():
        return session().scalars(select(Survey.id).where(Survey.uid == uid)).one()


def test_a_link_token_with_a_nul_or_a_foreign_character_is_404_and_stores_nothing(app: Flask) -> None:
    add_survey(app)
    client = app.test_client()
    for token in ("ab%00cd", "%00", "ab%20cd", "ab.cd", "x" * 65):
        assert client.get(f"/s/{token}").status_code == 404, token
        assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 404, token
        assert client.post(f"/s/{token}/sealed", data=b"x" * 200, headers=OCTETS).status_code == 404, token
    assert count_responses(app) == 0


def test_a_login_name_with_a_nul_is_refused_like_a_wrong_password(app: Flask) -> None:
    make_user(app, "admin", admin=True)
    client = app.test_client()
    response = client.post("/console/login", data={"csrf_token": csrf(client), "username": "adm\x00in",
                                                   "password": "a long test password"})
    assert response.status_code == 401


@pytest.mark.parametrize("number", PAST_INTEGER, ids=["2^31", "2^63", "10^30"])
def test_console_numbers_past_the_integer_columns_are_404(app: Flask, number: int) -> None:
    uid, token = add_survey(app)
    client = _admin(app)
    survey_id, link = _survey_id(app, uid), link_id(app, token)
    for url in (f"/console/surveys/{number}", f"/console/surveys/{number}/counts.csv",
                f"/console/links/{number}/codes", f"/console/links/{number}/flyer", f"/console/links/{number}/qr.svg"):
        assert client.get(url).status_code == 404, url
    form = {"csrf_token": csrf(client, "/console/password")}
    for url in (f"/console/surveys/{number}/close", f"/console/surveys/{survey_id}/unassign/{number}",
                f"/console/links/{number}/revoke", f"/console/users/{number}/disable"):
        assert client.post(url, data=form).status_code == 404, url
    # the largest number that fits is an ordinary unknown row; real ones still work
    assert client.get(f"/console/surveys/{2**31 - 1}").status_code == 404
    assert client.get(f"/console/surveys/{survey_id}").status_code == 200
    assert client.get(f"/console/links/{link}/codes").status_code == 200


def test_a_response_cap_past_the_integer_column_is_a_form_error(app: Flask) -> None:
    uid, _token = add_survey(app)
    client = _admin(app)
    survey_id = _survey_id(app, uid)
    form = {"csrf_token": csrf(client, "/console/password"), "label": "Van", "response_cap": str(2**31)}
    assert client.post(f"/console/surveys/{survey_id}/links", data=form).status_code == 400
    assert client.post(f"/console/surveys/{survey_id}/links",
                       data={**form, "response_cap": str(2**31 - 1)}).status_code == 303
    with app.app_context():
        assert session().scalars(select(Link.response_cap).where(Link.label == "Van")).all() == [2**31 - 1]


def test_a_nul_in_a_survey_title_or_link_label_is_dropped_before_it_is_stored(app: Flask) -> None:
    client = _admin(app)
    token = csrf(client, "/console/password")
    key = app.extensions["keyring"].ids()[0]
    made = client.post("/console/surveys/new", data={"csrf_token": token, "title": "Night\x00 shelter",
                                                    "questionnaire": "demo@1", "key_id": key, "languages": ["en"]})
    assert made.status_code == 303
    with app.app_context():
        survey = session().scalars(select(Survey)).one()
        assert survey.title == "Night shelter"
        survey_id = survey.id
    linked = client.post(f"/console/surveys/{survey_id}/links", data={"csrf_token": token, "label": "V\x00an"})
    assert linked.status_code == 303
    with app.app_context():
        assert session().scalars(select(Link.label)).all() == ["Van"]


def test_users_create_refuses_a_name_longer_than_its_column(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEY_NEW_PASSWORD", "first admin password")
    result = app.test_cli_runner().invoke(args=["users", "create", "--admin", "x" * 81])
    assert result.exit_code == 1 and "at most 80 characters" in result.output
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(User)) == 0
    assert app.test_cli_runner().invoke(args=["users", "create", "--admin", "x" * 80]).exit_code == 0


@pytest.mark.parametrize("ref", [str(2**31), str(10**30), "ab\x00cd"], ids=["2^31", "10^30", "nul"])
def test_the_export_command_calls_an_impossible_survey_reference_unknown(app: Flask, tmp_path: Path, ref: str) -> None:
    add_survey(app)
    result = app.test_cli_runner().invoke(args=["export", ref, "--out", str(tmp_path / "export.jsonl")])
    assert result.exit_code == 1 and "no survey" in result.output
    assert not (tmp_path / "export.jsonl").exists()
