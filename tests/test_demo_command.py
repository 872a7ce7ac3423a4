"""`flask --app wsgi demo` (what `make run` calls): a working link and a way into the console."""

from __future__ import annotations

import re

import pytest
from flask import Flask

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL


def test_demo_prints_a_working_link_and_a_one_time_admin_login(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--base-url", "http://127.0.0.1:5000"])
    assert first.exit_code == 0, first.output
    link = re.search(r"Respondent link: http://127\.0\.0\.1:5000/s/(\S+)", first.output)
    admin = re.search(r"user 'admin', password '(\S+)'", first.output)
    assert link is not None and admin is not None, first.output
    token, password = link.group(1), admin.group(1)
    client = app.test_client()
    assert client.get(f"/s/{token}").status_code == 200
    login = client.get("/console/login")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.get_data(as_text=True))
    assert csrf, "login form has a CSRF token"
    entered = client.post("/console/login", data={"username": "admin", "password": password,
                                                  "csrf_token": csrf.group(1)})
    assert entered.status_code == 303
    again = runner.invoke(args=["demo"])
    assert token in again.output and password not in again.output  # shown once, link kept
