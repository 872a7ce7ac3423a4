"""A link's response cap holds when many phones send at once: the count and the insert happen in
one transaction (the link row locked on PostgreSQL, the write lock taken first on SQLite), in a
real server process, and across two gunicorn worker processes sharing one database."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import AnalystKey, add_survey, start_server
from tests.helpers import DEMO_FORM, count_responses

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

CAP = 5
SENDERS = 12


def post_form(base_url: str, path: str, form: dict[str, str | list[str]]) -> int:
    """One no-JavaScript submission over a real connection; the status, without following redirects."""
    parsed = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=60)
    try:
        conn.request("POST", path, body=urllib.parse.urlencode(form, doseq=True),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("server", ["werkzeug", "gunicorn-2-workers"])
def test_a_capped_link_stores_exactly_its_cap_when_many_send_at_once(
        app: Flask, analyst_key: AnalystKey, tmp_path: Path, server: str) -> None:
    _uid, token = add_survey(app, response_cap=CAP)
    settings = app.config["SETTINGS"]
    env = {"DATABASE_URL": settings.database_url, "SURVEY_KEYS_DIR": str(analyst_key.keys_dir),
           "SECRET_KEY": settings.secret_key, "FLASK_DEBUG": "0", "GUNICORN_THREADS": "8"}
    gunicorn = server.startswith("gunicorn")
    live = start_server(env, tmp_path / "server.log", tmp_path / "server-tmp", gunicorn=gunicorn,
                        workers=2 if gunicorn else 1)
    try:
        statuses: list[int] = []
        barrier = threading.Barrier(SENDERS)

        def send() -> None:
            barrier.wait()
            statuses.append(post_form(live.url, f"/s/{token}", DEMO_FORM))

        threads = [threading.Thread(target=send) for _ in range(SENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        live.stop()
    assert len(statuses) == SENDERS, live.log.read_text()[-2000:]
    assert count_responses(app) == CAP
    assert sorted(statuses) == [303] * CAP + [410] * (SENDERS - CAP)
