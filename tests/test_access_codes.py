"""One-time access codes: readable, single use, bound to their link, and unlinkable to responses."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from survey.server import one_time_codes as access_codes
from survey.server.database import engine, session
from survey.server.models import AccessCode, Link, Response
from tests.conftest import add_survey
from tests.helpers import DEMO_FORM, count_responses

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL


def make_codes(app: Flask, token: str, n: int) -> list[str]:
    with app.app_context():
        s = session()
        link = s.scalar(select(Link).where(Link.token == token))
        assert link is not None
        codes = access_codes.generate(s, app.config["SECRET_KEY"], link, n)
        s.commit()
        return codes


def _valid_envelope(app: Flask, token: str) -> bytes:
    """A well-formed envelope for the link's survey, as the browser would send it."""
    from survey.core import envelope
    from survey.core import sealed_document as plaintext

    with app.app_context():
        link = session().scalar(select(Link).where(Link.token == token))
        assert link is not None
        q = app.extensions["questionnaires"][link.survey.questionnaire_key]
        key = app.extensions["keyring"][link.survey.key_id].key
        return envelope.seal(plaintext.encode(q, "en", {"needed_treatment": "no"}), key, link.survey.uid)


def test_codes_are_grouped_and_free_of_look_alike_characters() -> None:
    codes = {access_codes.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert not set(code.replace("-", "")) & set("0O1IL5S2Z8B6GUV")
    assert access_codes.normalise(" acdef 347xy ") == "ACDEF347XY" == access_codes.normalise("ACDEF-347XY")


def test_a_used_code_shares_no_column_or_value_with_the_response_it_unlocked(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    codes = make_codes(app, token, 5)
    client = app.test_client()
    page = client.post(f"/s/{token}/code", data={"access_code": codes[2].lower()})
    assert page.status_code == 200 and 'name="access_code"' in page.get_data(as_text=True)
    posted = client.post(f"/s/{token}", data={**DEMO_FORM, "access_code": codes[2]})
    assert posted.status_code == 303
    with app.app_context():
        # The schema: no column of either table refers to the other.
        inspector = inspect(engine())
        code_columns = {c["name"] for c in inspector.get_columns("access_codes")}
        response_columns = {c["name"] for c in inspector.get_columns("responses")}
        assert code_columns == {"code_hash", "link_id", "used"}
        assert not any(fk["referred_table"] == "access_codes" for fk in inspector.get_foreign_keys("responses"))
        assert not any(fk["referred_table"] == "responses" for fk in inspector.get_foreign_keys("access_codes"))
        assert not {"time", "created", "used_on", "used_at", "response_id"} & code_columns
        # The rows: apart from the link both share by design (every code of the link has it too),
        # no value of the used code's row appears in the response row, nor the other way round.
        s = session()
        rows = s.scalars(select(AccessCode)).all()
        used = [r for r in rows if r.used]
        assert len(used) == 1 and len(rows) == 5
        response = s.scalar(select(Response))
        assert response is not None
        code_values = {str(used[0].code_hash)}
        response_values = {str(getattr(response, c)) for c in response_columns if c != "envelope"}
        assert not code_values & response_values
        assert used[0].code_hash.encode() not in response.envelope
        for code in codes:
            assert code.encode() not in response.envelope and code.replace("-", "").encode() not in response.envelope
        assert {r.link_id for r in rows} == {response.link_id}  # the one shared value: the link itself
    # Used once: refused a second time, on the code page and on both submit paths.
    again = app.test_client()
    assert again.post(f"/s/{token}/code", data={"access_code": codes[2]}).status_code == 403
    assert again.post(f"/s/{token}", data={**DEMO_FORM, "access_code": codes[2]}).status_code == 403
    sealed = _valid_envelope(app, token)
    assert again.post(f"/s/{token}/sealed", data=sealed, headers={"X-Access-Code": codes[2], "Content-Type": "application/octet-stream"}).status_code == 403
    assert count_responses(app) == 1


def test_a_code_of_another_link_and_no_code_are_refused(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    _uid2, other = add_survey(app, label="Other", requires_code=True)
    foreign = make_codes(app, other, 1)[0]
    client = app.test_client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "Enter your code" in page.get_data(as_text=True)
    assert 'name="needed_treatment"' not in page.get_data(as_text=True)  # the questionnaire waits for the code
    refused = client.post(f"/s/{token}/code", data={"access_code": foreign})
    assert refused.status_code == 403 and "does not work" in refused.get_data(as_text=True)
    assert client.post(f"/s/{token}", data={**DEMO_FORM, "access_code": foreign}).status_code == 403
    assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 403
    assert count_responses(app) == 0
    assert "Set-Cookie" not in refused.headers
    # the foreign code still works on its own link
    assert client.post(f"/s/{other}", data={**DEMO_FORM, "access_code": foreign}).status_code == 303


def test_an_invalid_answer_does_not_spend_the_code_and_keeps_it_in_the_form(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    client = app.test_client()
    bad = client.post(f"/s/{token}", data={**DEMO_FORM, "age": "999", "access_code": code})
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert f'name="access_code" value="{access_codes.normalise(code)}"' in body
    assert f'data-access-code="{access_codes.normalise(code)}"' in body
    assert client.post(f"/s/{token}", data={**DEMO_FORM, "access_code": code}).status_code == 303


def test_a_code_unlocks_exactly_one_response_under_concurrent_submissions(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/s/{token}", data={**DEMO_FORM, "access_code": code}).status_code)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses).count(303) == 1 and len(statuses) == 6
    assert set(statuses) <= {303, 403}
    assert count_responses(app) == 1


def test_a_code_is_not_spent_when_the_response_is_refused(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    client = app.test_client()
    refused = client.post(f"/s/{token}/sealed", data=b"not an envelope",
                          headers={"X-Access-Code": code, "Content-Type": "application/octet-stream"})
    assert refused.status_code == 400
    with app.app_context():
        row = session().scalar(select(AccessCode))
        assert row is not None
        assert not row.used
