"""Promise 1 and 2: canary answers sent through a real server process are found nowhere."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

from flask import Flask

from tests.conftest import LiveServer, add_survey
from tests.helpers import DEMO_FORM, count_responses

CANARIES = ("canary-b81f-answer", "canary-77c2-comment")


def _post(url: str, form: dict, headers: dict[str, str]) -> int:
    data = urllib.parse.urlencode(form, doseq=True).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def _files_under(*roots: Path) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        found.extend(p for p in root.rglob("*") if p.is_file())
    return found


def test_canary_answers_appear_in_no_file_log_or_temp_folder(app: Flask, live_server: LiveServer, tmp_path: Path) -> None:
    _uid, token = add_survey(app)
    form = {**DEMO_FORM, "comment": f"{CANARIES[1]} and more", "age": "41"}
    form["comment"] = f"{CANARIES[0]} {CANARIES[1]}"
    status = _post(f"{live_server.url}/s/{token}", form, {"User-Agent": "canary-agent-5d1e"})
    assert status == 303
    # An invalid submission echoes the answers back to the respondent's own page, but must not
    # write them anywhere either.
    status = _post(f"{live_server.url}/s/{token}", {**form, "age": "999"}, {})
    assert status == 400
    live_server.stop()
    assert count_responses(app) == 1
    db_file = Path(app.config["SETTINGS"].database_url.removeprefix("sqlite:///"))
    searched = _files_under(db_file.parent, live_server.tmpdir) + [live_server.log]
    assert db_file in searched and live_server.log in searched
    for path in searched:
        content = path.read_bytes()
        for canary in (*CANARIES, "canary-agent-5d1e", "127.0.0.1 - -"):
            assert canary.encode() not in content, f"{canary} found in {path}"
    log = live_server.log.read_text()
    assert "Running on http://127.0.0.1" in log  # the log is real and was searched
    assert "POST /s/" not in log  # and holds no line per request (tests/test_dev_server_log.py)


def test_respondent_pages_set_no_cookie(app: Flask) -> None:
    _uid, token = add_survey(app)
    client = app.test_client()
    for response in (client.get(f"/s/{token}"), client.post(f"/s/{token}", data=DEMO_FORM),
                     client.get("/thanks"), client.post(f"/s/{token}", data={"age": "x"})):
        assert "Set-Cookie" not in response.headers
