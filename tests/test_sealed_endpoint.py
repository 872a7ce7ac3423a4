"""POST /s/<token>/sealed: the server takes only a well-formed envelope for this survey's key."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from survey.core import sealed_document as plaintext
from survey.core.envelope import parse_header, seal
from survey.server.keyring import load_keyring
from tests.conftest import AnalystKey, add_survey
from tests.helpers import count_responses

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

OCTETS = {"Content-Type": "application/octet-stream"}


def _envelope(app: Flask, uid: str, keys_dir: Path | None = None) -> bytes:
    keyring = load_keyring(keys_dir) if keys_dir else app.extensions["keyring"]
    key = keyring[keyring.ids()[0]].key
    q = app.extensions["questionnaires"]["demo@1"]
    return seal(plaintext.encode(q, "en", {"needed_treatment": "no"}), key, uid)


def test_a_well_formed_envelope_is_stored_as_sent(app: Flask) -> None:
    uid, token = add_survey(app)
    envelope = _envelope(app, uid)
    response = app.test_client().post(f"/s/{token}/sealed", data=envelope, headers=OCTETS)
    assert response.status_code == 201 and response.json == {"status": "stored"}
    assert response.headers.get("Set-Cookie") is None
    assert count_responses(app) == 1


def test_anything_but_an_octet_stream_envelope_is_refused_and_nothing_stored(app: Flask, other_key: AnalystKey) -> None:
    uid, token = add_survey(app)
    client = app.test_client()
    good = _envelope(app, uid)
    assert client.post(f"/s/{token}/sealed", data={"comment": "canary"}).status_code == 415
    assert client.post(f"/s/{token}/sealed", data=b"\x01" * len(good), headers=OCTETS).status_code == 400
    assert client.post(f"/s/{token}/sealed", data=good[:-1], headers=OCTETS).status_code == 400
    other = _envelope(app, uid, other_key.keys_dir)
    assert parse_header(other).key_id_hex == other_key.key_id
    assert client.post(f"/s/{token}/sealed", data=other, headers=OCTETS).status_code == 400
    assert client.post("/s/no-such-link/sealed", data=good, headers=OCTETS).status_code == 404
    assert count_responses(app) == 0
