"""Console sessions end on the server: logging out makes every copy of the session cookie
worthless (the account's session epoch moves on), and a session lasts a working day, not a month."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from tests.test_console_support import csrf, login, make_user

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

COOKIE = "console_session"


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def client_with(app: Flask, value: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie(COOKIE, value)
    return client


def log_out(client: FlaskClient) -> None:
    response = client.post("/console/logout", data={"csrf_token": csrf(client, "/console/password")})
    assert response.status_code == 303 and response.headers["Location"].endswith("/console/login")


def test_a_session_cookie_copied_before_logout_stops_working_after_logout(app: Flask) -> None:
    make_user(app, "coordinator")
    client = login(app, "coordinator")
    copied = cookie_of(client)
    assert client_with(app, copied).get("/console/").status_code == 200  # the copy works while logged in
    log_out(client)
    replayed = client_with(app, copied).get("/console/")
    assert replayed.status_code == 302 and replayed.headers["Location"].endswith("/console/login")
    assert client.get("/console/").status_code == 302


def test_logging_out_ends_the_accounts_other_sessions_and_says_so(app: Flask) -> None:
    make_user(app, "coordinator")
    make_user(app, "someone_else")
    laptop, phone, other_account = login(app, "coordinator"), login(app, "coordinator"), login(app, "someone_else")
    log_out(laptop)
    assert "every other one" in laptop.get("/console/login").get_data(as_text=True)
    assert phone.get("/console/").status_code == 302
    assert other_account.get("/console/").status_code == 200  # other accounts are not touched
    assert login(app, "coordinator").get("/console/").status_code == 200  # and one can log in again


def test_a_console_session_lasts_at_most_a_working_day(app: Flask) -> None:
    make_user(app, "coordinator")
    client = login(app, "coordinator")
    lifetime = app.permanent_session_lifetime.total_seconds()
    assert 8 * 3600 <= lifetime <= 12 * 3600
    with client.session_transaction() as sess:
        content = dict(sess)

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - lifetime - 60)

    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    fresh = serializer.dumps(content)
    assert client_with(app, fresh).get("/console/").status_code == 200
    serializer.signer = SignedLongAgo
    stale = serializer.dumps(content)
    assert client_with(app, stale).get("/console/").status_code == 302
