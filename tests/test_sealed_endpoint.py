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


def test_an_envelope_sent_again_is_acknowledged_again_and_stored_once(app: Flask) -> None:
    """A phone that lost the reply to its send sends the same envelope again."""
    uid, token = add_survey(app)
    client = app.test_client()
    envelope = _envelope(app, uid)
    for _ in range(3):
        response = client.post(f"/s/{token}/sealed", data=envelope, headers=OCTETS)
        assert response.status_code == 201 and response.json == {"status": "stored"}
    assert count_responses(app) == 1
    assert client.post(f"/s/{token}/sealed", data=_envelope(app, uid), headers=OCTETS).status_code == 201
    assert count_responses(app) == 2  # another envelope, even of the same answers, is another response


def test_the_same_envelope_on_another_link_is_another_response(app: Flask) -> None:
    uid, token = add_survey(app)
    envelope = _envelope(app, uid)
    with app.app_context():
        from sqlalchemy import select

        from survey.server.database import session
        from survey.server.models import Survey
        from survey.server.surveys import create_link

        s = session()
        survey = s.scalar(select(Survey).where(Survey.uid == uid))
        assert survey is not None
        other = create_link(s, survey, "Other channel").token
        s.commit()
    client = app.test_client()
    assert client.post(f"/s/{token}/sealed", data=envelope, headers=OCTETS).status_code == 201
    assert client.post(f"/s/{other}/sealed", data=envelope, headers=OCTETS).status_code == 201
    assert count_responses(app) == 2


def test_a_retried_envelope_of_a_code_link_is_acknowledged_without_another_code(app: Flask) -> None:
    from tests.test_access_codes import make_codes

    uid, token = add_survey(app, requires_code=True)
    first, second = make_codes(app, token, 2)
    client = app.test_client()
    envelope = _envelope(app, uid)
    for _ in range(2):
        sent = client.post(f"/s/{token}/sealed", data=envelope, headers={**OCTETS, "X-Access-Code": first})
        assert sent.status_code == 201
    assert count_responses(app) == 1
    # The second code is untouched, and the spent one still opens nothing new.
    assert client.post(f"/s/{token}/sealed", data=_envelope(app, uid), headers={**OCTETS, "X-Access-Code": first}).status_code == 403
    assert client.post(f"/s/{token}/sealed", data=_envelope(app, uid), headers={**OCTETS, "X-Access-Code": second}).status_code == 201
    assert count_responses(app) == 2


def test_the_same_envelope_twice_at_once_is_stored_once(app: Flask) -> None:
    import threading

    uid, token = add_survey(app)
    envelope = _envelope(app, uid)
    start = threading.Barrier(4)
    codes: list[int] = []

    def send() -> None:
        client = app.test_client()
        start.wait()
        codes.append(client.post(f"/s/{token}/sealed", data=envelope, headers=OCTETS).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 4
    assert count_responses(app) == 1
