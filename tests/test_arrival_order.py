"""No file the server writes keeps the order in which responses arrived, once the server has
reshuffled (survey/server/reshuffle.py, every SURVEY_RESHUFFLE_MINUTES), and nothing pairs a
spent one-time code with the response it unlocked.

400 responses arrive in a known order, through the sealed path and the no-JavaScript form, with
and without one-time codes; each carries its arrival number inside the ciphertext, which only the
analyst's key reads. The test finds every envelope in every file of the instance folder (database,
-wal, -shm, journals), in a backup made as docs/deploy.md says, and on PostgreSQL in xmin, ctid and
pg_dump, and computes Spearman's rank correlation between arrival and position. Before the
reshuffle the order is there (|rho| close to 1: the check can fail); after it, |rho| < 0.2."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from flask import Flask
from scipy.stats import spearmanr
from sqlalchemy import select, text

from survey.analyst.keys import load_private
from survey.core import envelope, sealed_document
from survey.core.questionnaire import Answers
from survey.server import one_time_codes
from survey.server.database import session
from survey.server.models import Link, Response, Survey
from survey.server.reshuffle import backup, reshuffle, written_since
from tests.conftest import PASSPHRASE, AnalystKey, AppFactory, add_survey
from tests.helpers import DEMO_FORM

pytestmark = pytest.mark.both_databases

RESPONSES = 400
LIMIT = 0.2
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """The app without the per-client submission limit (400 responses come from one test client)."""
    return make_app(submit_limit=0)


def _submit_in_order(app: Flask, analyst_key: AnalystKey) -> tuple[str, list[str]]:
    """RESPONSES submissions in a known order; returns the survey uid and the codes spent."""
    uid, plain = add_survey(app, label="Plain link")
    _uid2, coded = add_survey(app, label="Code link", requires_code=True)
    with app.app_context():
        s = session()
        survey = s.scalar(select(Survey).where(Survey.uid == uid))
        assert survey is not None
        coded_link = s.scalar(select(Link).where(Link.token == coded))
        assert coded_link is not None
        coded_link.survey_id = survey.id  # both links in one survey
        s.commit()
        codes = one_time_codes.generate(s, app.config["SECRET_KEY"], coded_link, RESPONSES // 2)
        s.commit()
        q = app.extensions["questionnaires"]["demo@1"]
        public = app.extensions["keyring"][survey.key_id].key
    client = app.test_client()
    spent = []
    for n in range(RESPONSES):
        marker = f"arrival {n:04d}"
        token, code = (coded, codes[n // 2]) if n % 2 else (plain, None)
        if n % 4 < 2:  # the no-JavaScript form: the server seals
            form = {**DEMO_FORM, "comment": marker}
            if code:
                form["access_code"] = code
            assert client.post(f"/s/{token}", data=form).status_code == 303
        else:  # the sealed path: sealed here as the browser would
            answers: Answers = {"needed_treatment": "no", "comment": marker}
            sealed = envelope.seal(sealed_document.encode(q, "en", answers), public, uid)
            headers = {"Content-Type": "application/octet-stream"}
            if code:
                headers["X-Access-Code"] = code
            assert client.post(f"/s/{token}/sealed", data=sealed, headers=headers).status_code == 201
        if code:
            spent.append(code)
    return uid, spent


def _arrivals(app: Flask, analyst_key: AnalystKey, uid: str) -> dict[bytes, int]:
    """A 32-byte slice of each stored envelope → its arrival number (read with the analyst's key)."""
    key = load_private(analyst_key.private, PASSPHRASE.encode())
    found = {}
    with app.app_context():
        for sealed in session().scalars(select(Response.envelope)):
            doc = sealed_document.decode(envelope.open_envelope(sealed, key, uid))
            match = re.fullmatch(r"arrival (\d{4})", str(doc.answers["comment"]))
            assert match is not None
            found[bytes(sealed[-32:])] = int(match.group(1))  # in an overflow page: written once
    assert sorted(found.values()) == list(range(RESPONSES))
    return found


def _rho(arrivals: dict[bytes, int], data: bytes) -> tuple[float, int]:
    """Spearman's rho between arrival and the offset of each envelope found in ``data``."""
    pairs = [(arrival, data.find(piece)) for piece, arrival in arrivals.items()]
    pairs = [(a, offset) for a, offset in pairs if offset >= 0]
    if len(pairs) < 20:
        return 0.0, len(pairs)
    rho = spearmanr([a for a, _o in pairs], [o for _a, o in pairs]).statistic
    return float(rho), len(pairs)


def _instance_files(app: Flask) -> list[Path]:
    folder = app.config["SETTINGS"].instance_path
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "secret_key")


def test_no_file_keeps_arrival_order_after_the_reshuffle(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path, database: str
) -> None:
    uid, _spent = _submit_in_order(app, analyst_key)
    arrivals = _arrivals(app, analyst_key, uid)
    engine = app.extensions["survey_engine"]
    before = after = {}
    if database == "sqlite":
        before = {p.name: _rho(arrivals, p.read_bytes()) for p in _instance_files(app)}
        print("SQLite before the reshuffle (rho, envelopes found):", before)
        assert max(abs(rho) for rho, _n in before.values()) > 0.9, "the order should be visible before"
        assert written_since(engine, None)
        reshuffle(engine)
        assert not written_since(engine, None)
        after = {p.name: _rho(arrivals, p.read_bytes()) for p in _instance_files(app)}
        copy = tmp_path / "backup.db"
        backup(engine, copy)
        after["backup (flask backup)"] = _rho(arrivals, copy.read_bytes())
        assert copy.stat().st_mode & 0o777 == 0o600
        print("SQLite after the reshuffle (rho, envelopes found):", after)
        assert after["survey.db"][1] == RESPONSES
        assert after["backup (flask backup)"][1] == RESPONSES
        assert all(n == 0 for name, (_rho_, n) in after.items() if name.endswith(("-wal", "-journal")))
    else:
        before = _postgres_orders(app, arrivals)
        print("PostgreSQL before the reshuffle (rho, rows):", before)
        assert abs(before["xmin"][0]) > 0.9 and abs(before["ctid"][0]) > 0.9
        reshuffle(engine)
        after = _postgres_orders(app, arrivals, dump=tmp_path / "dump.sql")
        print("PostgreSQL after the reshuffle (rho, rows):", after)
        assert after["pg_dump"][1] == RESPONSES
    worst = max(abs(rho) for rho, _n in after.values())
    assert worst < LIMIT, after


def _postgres_orders(app: Flask, arrivals: dict[bytes, int], dump: Path | None = None) -> dict[str, tuple[float, int]]:
    with app.app_context():
        rows = session().execute(text(
            "SELECT substring(envelope from length(envelope) - 31), xmin::text::bigint, ctid::text FROM responses")).all()
    by_piece = {bytes(piece): (xmin, ctid) for piece, xmin, ctid in rows}
    arrival = [arrivals[p] for p in by_piece]
    xmins = [by_piece[p][0] for p in by_piece]
    ctids = [tuple(int(x) for x in by_piece[p][1].strip("()").split(",")) for p in by_piece]
    ctid_rank = {c: i for i, c in enumerate(sorted(ctids))}
    orders = {
        "xmin": (float(spearmanr(arrival, xmins).statistic) if len(set(xmins)) > 1 else 0.0, len(rows)),
        "ctid": (float(spearmanr(arrival, [ctid_rank[c] for c in ctids]).statistic), len(rows)),
    }
    if dump is not None:
        url = app.extensions["survey_engine"].url
        subprocess.run([str(PG_BIN / "pg_dump"), "-h", url.query["host"], "-p", str(url.query["port"]),
                        "-U", "postgres", "-t", "responses", "-f", str(dump), url.database],
                       check=True, capture_output=True, timeout=120)
        text_dump = dump.read_bytes()
        hexed = {piece.hex().encode(): n for piece, n in arrivals.items()}  # COPY writes bytea as \\x<hex>
        orders["pg_dump"] = _rho(hexed, text_dump)
    return orders


def test_nothing_pairs_a_spent_code_with_its_response_after_the_reshuffle(
    app: Flask, analyst_key: AnalystKey, database: str
) -> None:
    _uid, spent = _submit_in_order(app, analyst_key)
    engine = app.extensions["survey_engine"]
    reshuffle(engine)
    if database == "sqlite":
        wal = [p for p in _instance_files(app) if p.name.endswith("-wal")]
        assert all(p.stat().st_size == 0 for p in wal), "the write-ahead log still holds transactions"
    else:
        with app.app_context():
            s = session()
            xmins = set(s.scalars(text("SELECT xmin::text FROM responses")))
            code_xmins = set(s.scalars(text("SELECT xmin::text FROM access_codes WHERE used")))
        # One transaction wrote every response and every code row: xmin pairs nothing with anything.
        assert len(xmins) == 1 and code_xmins == xmins, (len(xmins), len(code_xmins))
    assert len(spent) == RESPONSES // 2


def test_the_reshuffle_keeps_every_response(app: Flask, analyst_key: AnalystKey) -> None:
    uid, _spent = _submit_in_order(app, analyst_key)
    before = _arrivals(app, analyst_key, uid)
    reshuffle(app.extensions["survey_engine"])
    assert _arrivals(app, analyst_key, uid) == before


def test_the_server_reshuffles_on_its_own_schedule(make_app: AppFactory, analyst_key: AnalystKey) -> None:
    """What the server runs: the schedule's thread starts with the first request and rewrites the
    database once something was written (here every 0.6 s instead of every 15 minutes)."""
    app = make_app(submit_limit=0, reshuffle_minutes=0.01)
    uid, _spent = _submit_in_order(app, analyst_key)
    engine = app.extensions["survey_engine"]
    reshuffler = app.extensions["reshuffler"]
    deadline = time.monotonic() + 30
    while written_since(engine, reshuffler.last) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not written_since(engine, reshuffler.last), "the schedule did not reshuffle within 30 s"
    assert len(_arrivals(app, analyst_key, uid)) == RESPONSES
