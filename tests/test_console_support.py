"""Helpers shared by the console tests (no tests here): accounts, logins, CSRF tokens."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from survey.server import staff_auth as auth
from survey.server.database import session
from survey.server.links import today
from survey.server.models import Assignment, Link, Response, Survey

PASSWORD = "a long test password"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(client: FlaskClient, path: str = "/console/login") -> str:
    match = _CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def make_user(app: Flask, name: str, admin: bool = False) -> int:
    with app.app_context():
        s = session()
        user = auth.create_user(s, name, PASSWORD, is_admin=admin)
        s.commit()
        return user.id


def assign(app: Flask, user_id: int, survey_uid: str) -> int:
    with app.app_context():
        s = session()
        survey = s.query(Survey).filter_by(uid=survey_uid).one()
        s.add(Assignment(user_id=user_id, survey_id=survey.id))
        s.commit()
        return survey.id


def login(app: Flask, name: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post("/console/login", data={"csrf_token": csrf(client), "username": name, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def age_responses(app: Flask, days: int = 1) -> None:
    """Date every stored response ``days`` back, as if that many days had passed: the console
    counts a response only from the day after it arrived (survey.server.counts)."""
    with app.app_context():
        s = session()
        s.execute(update(Response).values(received_on=today() - dt.timedelta(days=days)))
        s.commit()


def link_id(app: Flask, token: str) -> int:
    with app.app_context():
        return session().query(Link).filter_by(token=token).one().id


@dataclass
class World:
    """An admin, an assigned and an unassigned coordinator, and one survey with two links."""

    survey_id: int
    survey_uid: str
    link_id: int
    token: str
    spare_link_id: int
    admin_id: int
    assigned_id: int
    other_id: int
    spare_user_id: int
