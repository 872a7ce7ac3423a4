"""Guessing one-time codes: one client is stopped after a few wrong codes without closing the
link for anyone else; only many clients together pause a link; and the codes are long enough that
guessing at the most the server allows is hopeless.

The limits live in memory (tests/test_rate_limit.py shows they keep no address), so these tests
run on SQLite only."""

from __future__ import annotations

import math

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.server import one_time_codes
from survey.server.database import session
from survey.server.models import AccessCode, Link
from survey.server.respond import code_step
from survey.server.web import ratelimit
from tests.conftest import add_survey
from tests.helpers import DEMO_FORM, count_responses
from tests.test_access_codes import make_codes

#: Addresses from the documentation ranges (RFC 5737, RFC 3849).
GUESSER = "198.51.100.7"
RESPONDENT = "203.0.113.9"
SECONDS_PER_YEAR = 365 * 24 * 3600


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def wrong_code(i: int) -> str:
    """A well-formed code that no link has (the chance that one was generated is ~1e-13)."""
    raw = "".join(one_time_codes.ALPHABET[(i // len(one_time_codes.ALPHABET) ** k) % len(one_time_codes.ALPHABET)]
                  for k in range(one_time_codes.LENGTH))
    return raw


def test_one_client_guessing_a_hundred_codes_does_not_lock_the_link_for_anyone_else(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    guesser = client_at(app, GUESSER)
    for i in range(100):
        assert guesser.post(f"/s/{token}/code", data={"access_code": wrong_code(i)}).status_code in (403, 429)
    page = client_at(app, RESPONDENT).post(f"/s/{token}/code", data={"access_code": code})
    assert page.status_code == 200 and 'name="needed_treatment"' in page.get_data(as_text=True)
    assert client_at(app, RESPONDENT).post(f"/s/{token}", data={**DEMO_FORM, "access_code": code}).status_code == 303
    assert count_responses(app) == 1


def test_a_client_is_stopped_after_a_few_wrong_codes_even_when_its_next_code_is_right(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    guesser = client_at(app, GUESSER)
    limit = code_step.WRONG_CODES_PER_CLIENT
    assert 5 <= limit <= 20
    for i in range(limit):
        refused = guesser.post(f"/s/{token}/code", data={"access_code": wrong_code(i)})
        assert refused.status_code == 403 and "does not work" in refused.get_data(as_text=True)
    stopped = guesser.post(f"/s/{token}/code", data={"access_code": code})
    assert stopped.status_code == 429
    assert "from this connection" in stopped.get_data(as_text=True)
    assert 'name="needed_treatment"' not in stopped.get_data(as_text=True)  # no oracle while stopped
    # both submit paths are closed to this client too, and the code is not spent by trying
    assert guesser.post(f"/s/{token}", data={**DEMO_FORM, "access_code": code}).status_code == 429
    assert guesser.post(f"/s/{token}/sealed", data=b"x" * 300, headers={
        "X-Access-Code": code, "Content-Type": "application/octet-stream"}).status_code == 429
    with app.app_context():
        assert not session().scalars(select(AccessCode.used)).one()
    # another address (or another /64 for IPv6) goes on as before
    assert client_at(app, RESPONDENT).post(f"/s/{token}/code", data={"access_code": code}).status_code == 200


def test_the_link_pauses_for_everyone_only_when_many_clients_together_reach_its_ceiling(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    per_client, ceiling = code_step.WRONG_CODES_PER_CLIENT, code_step.WRONG_CODES_PER_LINK
    assert ceiling >= 50 * per_client  # pausing a link takes at least 50 addresses at once
    guesses = 0
    for n in range(math.ceil(ceiling / per_client)):
        client = client_at(app, f"10.{n // 250}.{n % 250}.1")
        for _ in range(per_client):
            if guesses == ceiling:
                break
            assert client.post(f"/s/{token}/code", data={"access_code": wrong_code(guesses)}).status_code == 403
            guesses += 1
    paused = client_at(app, RESPONDENT).post(f"/s/{token}/code", data={"access_code": code})
    assert paused.status_code == 429 and "on this link" in paused.get_data(as_text=True)


def test_ipv6_clients_are_counted_by_their_64_network() -> None:
    assert ratelimit.rate_key("2001:db8:1:2:aaaa::1") == ratelimit.rate_key("2001:db8:1:2:bbbb::2")
    assert ratelimit.rate_key("2001:db8:1:2::1") != ratelimit.rate_key("2001:db8:1:3::1")
    assert ratelimit.rate_key("::ffff:198.51.100.7") == ratelimit.rate_key("198.51.100.7") == "198.51.100.7"
    assert ratelimit.rate_key("") == "" and ratelimit.rate_key("not an address") == "not an address"


def test_new_codes_are_ten_characters_in_two_groups_of_five() -> None:
    codes = {one_time_codes.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        first, second = code.split("-")
        assert len(first) == len(second) == 5
        assert one_time_codes.well_formed(code) and one_time_codes.well_formed(code.lower().replace("-", " "))


def test_guessing_a_code_at_the_link_ceiling_takes_decades() -> None:
    """With 1000 unused codes on a link and nine server processes each allowing the link's
    ceiling of wrong codes per window, the expected time to the first right guess."""
    space = len(one_time_codes.ALPHABET) ** one_time_codes.LENGTH
    guesses_needed = space / 1000
    per_second = 9 * code_step.WRONG_CODES_PER_LINK / code_step.WRONG_WINDOW
    assert guesses_needed / per_second / SECONDS_PER_YEAR > 50


def test_codes_printed_before_codes_grew_to_ten_characters_still_work(app: Flask) -> None:
    _uid, token = add_survey(app, requires_code=True)
    old = "ACDE-F347"
    with app.app_context():
        s = session()
        link = s.scalar(select(Link).where(Link.token == token))
        assert link is not None
        s.add(AccessCode(code_hash=one_time_codes.code_hash(app.config["SECRET_KEY"], link.id, old),
                         link_id=link.id, used=False))
        s.commit()
    assert client_at(app, RESPONDENT).post(f"/s/{token}/code", data={"access_code": "acde f347"}).status_code == 200
    assert client_at(app, RESPONDENT).post(f"/s/{token}", data={**DEMO_FORM, "access_code": old}).status_code == 303


def test_a_spent_code_and_an_unknown_code_get_the_same_answer(app: Flask) -> None:
    """Someone who tries a code learns "it works" or "it does not", never "someone used it"."""
    _uid, token = add_survey(app, requires_code=True)
    [code] = make_codes(app, token, 1)
    assert client_at(app, RESPONDENT).post(f"/s/{token}", data={**DEMO_FORM, "access_code": code}).status_code == 303
    spent = client_at(app, "192.0.2.1").post(f"/s/{token}/code", data={"access_code": code})
    unknown = client_at(app, "192.0.2.2").post(f"/s/{token}/code", data={"access_code": wrong_code(7)})
    assert spent.status_code == unknown.status_code == 403
    assert spent.get_data(as_text=True) == unknown.get_data(as_text=True)
