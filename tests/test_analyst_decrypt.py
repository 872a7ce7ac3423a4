"""survey-analyst: offline, no web stack, wrong keys and moved ciphertexts caught."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import PASSPHRASE, AnalystKey, add_survey, export_survey, run_analyst
from tests.helpers import DEMO_FORM, read_rows

pytestmark = pytest.mark.both_databases  # the exports: every test using `app` runs on SQLite and PostgreSQL

WEB_STACK = ("flask", "sqlalchemy", "werkzeug", "jinja2", "wtforms", "flask_babel", "alembic", "psycopg")


def test_the_analyst_tool_imports_no_web_stack() -> None:
    code = (
        "import sys, survey.analyst.cli\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {WEB_STACK!r}]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_keygen_writes_an_encrypted_private_key_and_prints_the_key_id(tmp_path: Path) -> None:
    result = run_analyst("keygen", "--out-dir", tmp_path, "--name", "k")
    assert result.returncode == 0, result.stderr
    private = (tmp_path / "k.key.pem").read_text()
    assert "ENCRYPTED PRIVATE KEY" in private
    assert (tmp_path / "k.key.pem").stat().st_mode & 0o777 == 0o600
    assert "key id:" in result.stdout
    assert "PUBLIC KEY" in (tmp_path / "k.pub.pem").read_text()


def test_keygen_refuses_a_short_passphrase(tmp_path: Path) -> None:
    result = run_analyst("keygen", "--out-dir", tmp_path, passphrase="short")
    assert result.returncode == 2 and "at least 12" in result.stderr
    assert not list(tmp_path.iterdir())


def _one_response_export(app: Flask, tmp_path: Path) -> tuple[str, Path]:
    uid, token = add_survey(app)
    assert app.test_client().post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    return uid, export_survey(app, uid, tmp_path / "export.jsonl")


def test_a_wrong_key_is_named_at_once(app: Flask, other_key: AnalystKey, tmp_path: Path) -> None:
    _uid, export = _one_response_export(app, tmp_path)
    result = run_analyst("decrypt", export, "--key", other_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 2
    assert "wrong key" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_a_wrong_passphrase_is_reported(app: Flask, analyst_key: AnalystKey, tmp_path: Path) -> None:
    _uid, export = _one_response_export(app, tmp_path)
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv",
                         passphrase="not the passphrase")
    assert result.returncode == 2 and "wrong passphrase" in result.stderr


def test_a_ciphertext_moved_to_another_surveys_export_does_not_decrypt(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    _uid_a, export_a = _one_response_export(app, tmp_path / "a")
    uid_b, token_b = add_survey(app, label="Other")
    assert app.test_client().post(f"/s/{token_b}", data={**DEMO_FORM, "comment": "genuine b"}).status_code == 303
    export_b = export_survey(app, uid_b, tmp_path / "b.jsonl")
    # Splice survey A's record into survey B's export and fix up count and digest, as a forger would.
    manifest, *records_b = export_b.read_bytes().splitlines(keepends=True)
    record_a = export_a.read_bytes().splitlines(keepends=True)[1]
    records = [*records_b, record_a]
    head = json.loads(manifest)
    import hashlib

    head["records"] = len(records)
    head["records_sha256"] = hashlib.sha256(b"".join(records)).hexdigest()
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(json.dumps(head).encode() + b"\n" + b"".join(records))
    result = run_analyst("decrypt", forged, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    rows = read_rows(tmp_path / "o.csv")
    assert [r["comment"] for r in rows] == ["genuine b"]
    assert "1 rejected: undecryptable" in result.stderr


def test_an_altered_export_is_flagged_and_bad_records_are_counted_not_fatal(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    _uid, export = _one_response_export(app, tmp_path)
    export.write_bytes(export.read_bytes() + b'{"channel": "x", "envelope": "bm90IGFuIGVudmVsb3Bl"}\nnot json\n')
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 1
    assert "2 rejected: malformed record" in result.stderr
    assert "digest does not match" in result.stderr
    assert len(read_rows(tmp_path / "o.csv")) == 1


def test_the_passphrase_is_needed_without_a_terminal(app: Flask, analyst_key: AnalystKey, tmp_path: Path) -> None:
    _uid, export = _one_response_export(app, tmp_path)
    import os

    env = {k: v for k, v in os.environ.items() if k != "SURVEY_ANALYST_PASSPHRASE"}
    result = subprocess.run([sys.executable, "-m", "survey.analyst.cli", "decrypt", str(export), "--key",
                             str(analyst_key.private), "--out", str(tmp_path / "o.csv")],
                            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "SURVEY_ANALYST_PASSPHRASE" in result.stderr
    assert PASSPHRASE not in result.stderr


def test_decrypt_and_report_write_the_same_responses_csv(app: Flask, analyst_key: AnalystKey, tmp_path: Path) -> None:
    """One pipeline: `decrypt` writes byte for byte the responses.csv that `report` writes,
    hostile text included (a formula, a control character), rejected records left out of both."""
    uid, token = add_survey(app)
    client = app.test_client()
    for comment in ("=HYPERLINK(\"http://x\")", "plain words", "bell\x07here"):
        assert client.post(f"/s/{token}", data={**DEMO_FORM, "comment": comment}).status_code == 303
    export = export_survey(app, uid, tmp_path / "export.jsonl")
    with open(export, "ab") as fh:  # one record that does not open (both tools flag the altered file)
        fh.write(b'{"channel":"x","envelope":"AAAA"}\n')
    decrypted = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "d.csv")
    reported = run_analyst("report", export, "--key", analyst_key.private, "--out", tmp_path / "r", "--k", "2")
    assert "3 responses decrypted and valid" in decrypted.stderr, decrypted.stderr
    assert "1 rejected" in decrypted.stderr
    assert decrypted.returncode == reported.returncode == 1  # both flag the altered export
    same = (tmp_path / "d.csv").read_bytes()
    assert same == (tmp_path / "r" / "responses.csv").read_bytes()
    rows = read_rows(tmp_path / "d.csv")
    assert len(rows) == 3 and list(rows[0])[:5] == ["response", "survey", "questionnaire", "lang", "channel"]
    assert "'=HYPERLINK(\"http://x\")" in {r["comment"] for r in rows}
