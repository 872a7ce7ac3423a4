"""The development server that `make run` starts (`flask --app wsgi run`) writes no line per
request: werkzeug's access line would put the path (a link's token, its ?lang=) at a time of day
in the terminal or journal, tying a submission to a moment. Its start-up lines stay."""

from __future__ import annotations

import http.client
import urllib.parse
from pathlib import Path

from flask import Flask

from tests.conftest import AnalystKey, add_survey, start_server
from tests.helpers import DEMO_FORM, count_responses


def request(base_url: str, method: str, path: str, form: dict[str, str | list[str]] | None = None) -> int:
    parsed = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=30)
    try:
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        conn.request(method, path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_development_server_logs_no_line_per_request(app: Flask, analyst_key: AnalystKey, tmp_path: Path) -> None:
    _uid, token = add_survey(app)
    settings = app.config["SETTINGS"]
    env = {"DATABASE_URL": settings.database_url, "SURVEY_KEYS_DIR": str(analyst_key.keys_dir),
           "SECRET_KEY": settings.secret_key, "FLASK_DEBUG": "0"}
    log = tmp_path / "dev-server.log"
    server = start_server(env, log, tmp_path / "server-tmp")  # flask --app wsgi run, stderr into the log
    try:
        assert request(server.url, "GET", f"/s/{token}?lang=fr") == 200
        assert request(server.url, "POST", f"/s/{token}?lang=fr", DEMO_FORM) == 303
        assert request(server.url, "GET", "/thanks?lang=fr") == 200
        assert request(server.url, "GET", "/s/no-such-link") == 404
        assert request(server.url, "GET", "/console/login") == 200
    finally:
        server.stop()
    assert count_responses(app) == 1
    text = log.read_text()
    assert "Running on http://127.0.0.1" in text  # the server's own start-up lines are there
    for trace in (token, "/s/", "lang=", "/thanks", "/console", '"GET', '"POST', "HTTP/1.1", "127.0.0.1 - -"):
        assert trace not in text.replace("Running on http://127.0.0.1", ""), (trace, text[-2000:])
