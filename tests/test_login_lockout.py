"""Login throttling that an outsider cannot turn against a coordinator: wrong passwords count per
client and account name, so they stop the client that sends them, not the account's owner on
another connection; and one client cannot spread its guesses over many accounts either.

The counts live in memory only, under salted hashes (tests/test_console_auth.py checks that no
name is kept); these tests run on SQLite."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from survey.server import staff_auth as auth
from tests.test_console_support import PASSWORD, csrf, make_user

OUTSIDER = "198.51.100.7"
COORDINATOR = "203.0.113.9"


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client: FlaskClient, name: str, password: str) -> str:
    response = client.post("/console/login", data={"csrf_token": csrf(client), "username": name, "password": password})
    if response.status_code == 303:
        return "in"
    body = response.get_data(as_text=True)
    return "throttled" if "Too many failed attempts" in body else "refused" if "not right" in body else body


def test_wrong_passwords_from_an_outsider_do_not_lock_the_coordinator_out(app: Flask) -> None:
    make_user(app, "coordinator")
    outsider = client_at(app, OUTSIDER)
    for _ in range(auth.LOGIN_FAILURES):
        assert attempt(outsider, "coordinator", "wrong password!") == "refused"
    started = time.monotonic()
    assert attempt(outsider, "coordinator", PASSWORD) == "throttled"  # the guesser is stopped, right password or not
    assert time.monotonic() - started < 0.05  # before any scrypt work
    assert attempt(client_at(app, COORDINATOR), "coordinator", PASSWORD) == "in"


def test_one_client_cannot_spread_its_guesses_over_many_accounts(app: Flask) -> None:
    names = [f"staff{i}" for i in range(8)]
    for name in names:
        make_user(app, name)
    outsider = client_at(app, OUTSIDER)
    per_client = auth.LOGIN_FAILURES_PER_CLIENT
    assert auth.LOGIN_FAILURES < per_client <= 5 * auth.LOGIN_FAILURES
    tried = 0
    for name in names:
        for _ in range(auth.LOGIN_FAILURES - 1):  # never enough for one account's lock
            if tried == per_client:
                break
            assert attempt(outsider, name, "wrong password!") == "refused"
            tried += 1
    assert tried == per_client
    assert attempt(outsider, names[-1], PASSWORD) == "throttled"
    assert attempt(outsider, "someone-new", "wrong password!") == "throttled"
    assert attempt(client_at(app, COORDINATOR), names[0], PASSWORD) == "in"


def test_a_successful_login_clears_only_that_clients_count_for_the_account(app: Flask) -> None:
    make_user(app, "coordinator")
    own = client_at(app, COORDINATOR)
    for _ in range(auth.LOGIN_FAILURES - 1):
        assert attempt(own, "coordinator", "typo password") == "refused"
    assert attempt(own, "coordinator", PASSWORD) == "in"
    again = client_at(app, COORDINATOR)
    for _ in range(auth.LOGIN_FAILURES - 1):  # the count started again after the success
        assert attempt(again, "coordinator", "typo password") == "refused"
    assert attempt(again, "coordinator", PASSWORD) == "in"
