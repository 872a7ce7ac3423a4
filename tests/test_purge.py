"""Less held for less time: once the analyst confirms an export by its SHA-256 (which
survey-analyst prints), an admin removes the survey's ciphertexts, and no byte of them stays in
the database's files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.server.database import session
from survey.server.models import AuditEntry, Response, Survey
from tests.conftest import AnalystKey, add_survey, run_analyst
from tests.helpers import DEMO_FORM
from tests.test_console_support import age_responses, csrf, login, make_user

pytestmark = pytest.mark.both_databases

RESPONSES = 6  # at least k (5), so the console offers the export


def _survey_with_responses(app: Flask) -> tuple[int, str, list[bytes]]:
    uid, token = add_survey(app)
    client = app.test_client()
    for n in range(RESPONSES):
        assert client.post(f"/s/{token}", data={**DEMO_FORM, "comment": f"purge me {n}"}).status_code == 303
    age_responses(app)  # the console's export holds the responses that arrived before today
    with app.app_context():
        survey = session().scalar(select(Survey).where(Survey.uid == uid))
        assert survey is not None
        envelopes = list(session().scalars(select(Response.envelope)))
        return survey.id, token, [bytes(e) for e in envelopes]


def _post(client: FlaskClient, path: str, **data: str) -> tuple[int, str]:
    # confirm=yes: what the confirmation pages of closing and removing send (console/confirm.html)
    response = client.post(path, data={"csrf_token": csrf(client, "/console/password"), "confirm": "yes", **data})
    return response.status_code, response.get_data(as_text=True)


def _export(client: FlaskClient, survey_id: int, out: Path) -> str:
    response = client.post(f"/console/surveys/{survey_id}/export", data={"csrf_token": csrf(client, "/console/password")})
    assert response.status_code == 200
    out.write_bytes(response.get_data())
    return hashlib.sha256(response.get_data()).hexdigest()


def _stored(app: Flask) -> int:
    with app.app_context():
        return session().scalar(select(func.count()).select_from(Response)) or 0


def _pieces(envelopes: list[bytes]) -> list[bytes]:
    """Two 32-byte slices of each envelope: one from the row's own page, one from its overflow."""
    return [e[40:72] for e in envelopes] + [e[-32:] for e in envelopes]


def test_a_confirmed_export_lets_an_admin_purge_and_no_envelope_byte_remains(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path, database: str
) -> None:
    survey_id, _token, envelopes = _survey_with_responses(app)
    make_user(app, "admin", admin=True)
    client = login(app, "admin")
    digest = _export(client, survey_id, tmp_path / "export.jsonl")

    # The analyst's tool prints the digest the admin types in.
    decrypted = run_analyst("decrypt", tmp_path / "export.jsonl", "--key", analyst_key.private,
                            "--out", tmp_path / "responses.csv")
    assert f"export.jsonl: sha256 {digest}" in decrypted.stderr, decrypted.stderr

    folder = app.config["SETTINGS"].instance_path
    if database == "sqlite":
        held = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
        assert all(piece in held for piece in _pieces(envelopes)), "the envelopes should be on disk before"

    assert _post(client, f"/console/surveys/{survey_id}/close")[0] == 303
    status, page = _post(client, f"/console/surveys/{survey_id}/purge", sha256=digest.upper()[:32] + " " + digest[32:])
    assert status == 303, page
    assert _stored(app) == 0
    page = client.get(f"/console/surveys/{survey_id}").get_data(as_text=True)
    assert "removed from the server on" in page
    with app.app_context():
        entry = session().scalar(select(AuditEntry).where(AuditEntry.action == "purge responses"))
        assert entry is not None and entry.username == "admin"
        assert str(RESPONSES) not in entry.detail.split("(")[0]  # no count in the audit log

    if database == "sqlite":
        files = [p for p in folder.iterdir() if p.is_file()]
        held = b"".join(p.read_bytes() for p in files)
        left = [piece for piece in _pieces(envelopes) if piece in held]
        assert not left, f"{len(left)} envelope slices remain in {[p.name for p in files]}"


def test_a_purge_is_refused_without_a_matching_export_or_while_answers_can_arrive(
    app: Flask, tmp_path: Path
) -> None:
    survey_id, token, _envelopes = _survey_with_responses(app)
    make_user(app, "admin", admin=True)
    client = login(app, "admin")
    path = f"/console/surveys/{survey_id}/purge"

    assert _post(client, f"/console/surveys/{survey_id}/close")[0] == 303
    status, page = _post(client, path, sha256="0" * 64)
    assert status == 409 and "Download an export for the analyst first" in page

    assert _post(client, f"/console/surveys/{survey_id}/open")[0] == 303
    digest = _export(client, survey_id, tmp_path / "export.jsonl")
    status, page = _post(client, path, sha256=digest)
    assert status == 409 and "Close the survey first" in page

    assert app.test_client().post(f"/s/{token}", data=DEMO_FORM).status_code == 303  # after the export
    assert _post(client, f"/console/surveys/{survey_id}/close")[0] == 303
    status, page = _post(client, path, sha256=digest)
    assert status == 409 and "download a new export" in page

    status, page = _post(client, path, sha256="f" * 64)
    assert status == 409 and "not the SHA-256 of this survey" in page
    assert _stored(app) == RESPONSES + 1  # nothing was deleted


def test_only_an_admin_can_purge(app: Flask, tmp_path: Path) -> None:
    survey_id, _token, _envelopes = _survey_with_responses(app)
    make_user(app, "coord")
    with app.app_context():
        from survey.server.models import Assignment, User

        s = session()
        user = s.scalar(select(User).where(User.username == "coord"))
        assert user is not None
        s.add(Assignment(user_id=user.id, survey_id=survey_id))
        s.commit()
    client = login(app, "coord")
    assert "Remove the responses" not in client.get(f"/console/surveys/{survey_id}").get_data(as_text=True)
    assert _post(client, f"/console/surveys/{survey_id}/purge", sha256="0" * 64)[0] == 403
    assert _stored(app) == RESPONSES
