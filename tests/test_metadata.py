"""Promise 2 through the production server: a burst of submissions (no-JS form posts and sealed
envelopes) with distinctive addresses, user agents and referrers goes through gunicorn, and none
of those values, nor any time of day of the burst, is found in the database, a log or the temp
folder afterwards. (tests/test_privacy_canary.py does the same for the answers themselves.)"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask

from survey.core import sealed_document as plaintext
from survey.core.envelope import load_public_key_pem, seal
from tests.conftest import AnalystKey, add_survey, start_server
from tests.helpers import DEMO_FORM, count_responses

FORWARDED = "203.0.113.199, 198.51.100.77"
AGENT = "Mozilla/5.0 (Linux; Android 9) canary-agent-4e1b"
REFERER = "https://referer-canary-9c2d.example/groups/recovery?ref=canary-ref-31f0"
NEEDLES = ("203.0.113.199", "198.51.100.77", "canary-agent-4e1b", "referer-canary-9c2d", "canary-ref-31f0",
           "Android 9")
HEADERS = {"X-Forwarded-For": FORWARDED, "User-Agent": AGENT, "Referer": REFERER, "X-Real-IP": "203.0.113.199",
           "Forwarded": "for=203.0.113.199;proto=https"}
BURST = 16


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def send(url: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={**HEADERS, "Content-Type": content_type})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def times_of_day(start: float, end: float) -> set[str]:
    """Every HH:MM:SS and HH:MM of the window, in local time and in UTC."""
    found = set()
    for second in range(int(start) - 2, int(end) + 3):
        for moment in (dt.datetime.fromtimestamp(second), dt.datetime.fromtimestamp(second, dt.UTC)):
            found.add(moment.strftime("%H:%M:%S"))
            found.add(moment.strftime("%H:%M"))
    return found


def test_burst_through_gunicorn_leaves_no_address_agent_referrer_or_time(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app)
    settings = app.config["SETTINGS"]
    env = {"DATABASE_URL": settings.database_url, "SURVEY_KEYS_DIR": str(analyst_key.keys_dir),
           "SECRET_KEY": settings.secret_key, "FLASK_DEBUG": "0", "GUNICORN_ACCESS_LOG": "-",
           "SURVEY_PROXY_HOPS": "1"}
    q = app.extensions["questionnaires"]["demo@1"]
    public = load_public_key_pem(next(analyst_key.keys_dir.glob("*.pem")).read_bytes())
    envelopes = [seal(plaintext.encode(q, "en", {"needed_treatment": "yes", "age": 20 + i}), public, uid)
                 for i in range(BURST)]
    form = urllib.parse.urlencode(DEMO_FORM, doseq=True).encode()

    started = time.time()
    server = start_server(env, tmp_path / "gunicorn.log", tmp_path / "server-tmp", gunicorn=True, workers=2)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            forms = list(pool.map(lambda _i: send(f"{server.url}/s/{token}", form, "application/x-www-form-urlencoded"),
                                  range(BURST)))
            sealed = list(pool.map(lambda e: send(f"{server.url}/s/{token}/sealed", e, "application/octet-stream"),
                                   envelopes))
        # Refusals and error pages are logged differently from successes: send some of those too.
        refused = [send(f"{server.url}/s/{token}/sealed", b"not an envelope", "application/octet-stream"),
                   send(f"{server.url}/s/no-such-link", form, "application/x-www-form-urlencoded"),
                   send(f"{server.url}/s/{token}", b"age=999", "application/x-www-form-urlencoded")]
    finally:
        server.stop()
    ended = time.time()

    assert forms == [303] * BURST and sealed == [201] * BURST
    assert refused == [400, 404, 400]
    assert count_responses(app) == 2 * BURST
    app.extensions["survey_engine"].dispose()

    db_file = Path(settings.database_url.removeprefix("sqlite:///"))
    searched = [p for root in (db_file.parent, server.tmpdir) for p in root.rglob("*") if p.is_file()]
    searched.append(server.log)
    log = server.log.read_text()
    assert db_file in searched
    assert '"POST /s/<token>" 303' in log and '"POST /s/<token>/sealed" 201' in log  # the access log ran

    clock = times_of_day(started, ended)
    for path in searched:
        content = path.read_bytes()
        for needle in NEEDLES:
            assert needle.encode() not in content, f"{needle!r} found in {path}"
        text = content.decode("latin-1")
        for hit in re.findall(r"\d\d:\d\d(?::\d\d)?", text):
            assert hit not in clock, f"time of day {hit} found in {path}"
        assert token not in text or path == db_file, f"link token in {path}"
    # The only address in the log is the server's own, in the line that says where it listens.
    for line in log.splitlines():
        assert "127.0.0.1" not in line or line.split("] ", 2)[-1].startswith("Listening at"), line


def test_sqlite_keeps_responses_without_rowid_in_random_id_order(app: Flask) -> None:
    """Arrival order is not kept: no rowid, random ids, and the export is shuffled."""
    import sqlite3

    from tests.conftest import export_survey

    uid, token = add_survey(app)
    client = app.test_client()
    for _ in range(12):
        assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    db_file = app.config["SETTINGS"].database_url.removeprefix("sqlite:///")
    with sqlite3.connect(db_file) as conn:
        assert "WITHOUT ROWID" in conn.execute("SELECT sql FROM sqlite_master WHERE name='responses'").fetchone()[0]
        ids = [row[0] for row in conn.execute("SELECT id FROM responses")]
        envelopes = [row[0] for row in conn.execute("SELECT envelope FROM responses")]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids == sorted(ids)  # stored in id order
    out = export_survey(app, uid, Path(db_file).parent / "export.jsonl")
    import base64
    import json

    exported = [base64.b64decode(json.loads(line)["envelope"]) for line in out.read_bytes().splitlines()[1:]]
    assert sorted(exported) == sorted(envelopes)
