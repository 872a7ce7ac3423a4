"""Link tokens readable from paper: 100 random bits in Crockford base32, printed in groups of four,
read back in any case with hyphens, spaces and look-alikes; tokens made before keep their address."""

from __future__ import annotations

import math
import re
import secrets

import pytest
from flask import Flask
from sqlalchemy import select

from survey.server import link_tokens
from survey.server.database import session
from survey.server.models import Link, Survey
from tests.conftest import add_survey

pytestmark = pytest.mark.both_databases

GROUPED = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}")


def test_a_new_token_has_at_least_the_96_bits_of_the_old_ones() -> None:
    old_bits = len(secrets.token_urlsafe(12)) * math.log2(64)  # 16 characters of URL-safe base64
    assert old_bits == link_tokens.OLD_BITS == 96
    assert len(set(link_tokens.ALPHABET)) == 32 and not set("ILOU") & set(link_tokens.ALPHABET)
    assert link_tokens.BITS == link_tokens.LENGTH * math.log2(32) == 100 >= old_bits
    assert (link_tokens.LENGTH - 1) * 5 < old_bits  # 19 characters would be fewer bits than today
    assert 12 * 5 == 60  # the 12 characters: 36 bits fewer than the links already printed
    tokens = {link_tokens.new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(len(t) == 20 and set(t) <= set(link_tokens.ALPHABET) for t in tokens)
    # Every character is used, at about the same rate (2000 x 20 / 32 = 1250 each).
    seen = "".join(tokens)
    assert all(1000 < seen.count(c) < 1500 for c in link_tokens.ALPHABET)


def test_typed_forms_map_to_the_stored_token_and_others_are_refused() -> None:
    token = "7KQM2XHP9RDT4VBN10ZC"
    assert link_tokens.grouped(token) == "7KQM-2XHP-9RDT-4VBN-10ZC"
    for typed in ("7kqm-2xhp-9rdt-4vbn-10zc", "7KQM 2XHP 9RDT 4VBN 10ZC", " 7kQm2xHp9RdT4vBn1OzC ",
                  "7KQM-2XHP-9RDT-4VBN-LOZC", "7KQM-2XHP-9RDT-4VBN-iozc", "7KQM\u20112XHP\u20149RDT-4VBN-10ZC"):
        assert link_tokens.canonical(typed) == token, typed
    for wrong in ("7KQM-2XHP-9RDT-4VBN-U0ZC", "7KQM-2XHP-9RDT-4VBN-10Z", "7KQM-2XHP-9RDT-4VBN-10ZCX",
                  "7KQM_2XHP_9RDT_4VBN_10ZC", "7KQM.2XHP.9RDT.4VBN.10ZC", "", "-" * 80 + token):
        assert link_tokens.canonical(wrong) is None, wrong


def _token(app: Flask, label: str = "Street outreach") -> str:
    return add_survey(app, label=label)[1]


def test_a_new_link_is_printed_grouped_and_opens_however_it_is_typed(app: Flask) -> None:
    token = _token(app)
    assert link_tokens.is_new(token)
    with app.test_request_context():
        from survey.server import qr
        from survey.server.links import find_link
        link = find_link(session(), token)
        assert link is not None
        url = qr.respondent_url(link)
    address = url.removeprefix("http://localhost")
    assert GROUPED.fullmatch(address.removeprefix("/s/")), url
    client = app.test_client()
    first = client.get(address).get_data(as_text=True)
    assert 'id="questionnaire"' in first
    look_alike = link_tokens.grouped(token).lower().replace("0", "o").replace("1", "l")
    for typed in (token, token.lower(), link_tokens.grouped(token).lower(), look_alike,
                  link_tokens.grouped(token).replace("-", "%20")):
        page = client.get(f"/s/{typed}")
        assert page.status_code == 200 and 'id="questionnaire"' in page.get_data(as_text=True), typed
    other = token[:-1] + ("2" if token[-1] != "2" else "3")
    assert client.get(f"/s/{other}").status_code == 404
    assert client.get(f"/s/{token[:-1]}U").status_code == 404


def test_a_link_made_before_keeps_its_address_exactly(app: Flask) -> None:
    """A token of the old format (16 characters of URL-safe base64, case and look-alikes included)
    opens as printed; its other spellings name nothing, and it never collides with a new token."""
    add_survey(app)
    old = "-7dzmttYF7LO0aTk"
    with app.app_context():
        s = session()
        survey = s.scalars(select(Survey)).one()
        s.add(Link(survey=survey, label="Printed in 2025", token=old))
        s.commit()
    client = app.test_client()
    page = client.get(f"/s/{old}")
    assert page.status_code == 200
    assert f'action="/s/{old}?lang=en"' in page.get_data(as_text=True)
    with app.test_request_context():
        from survey.server import qr
        from survey.server.links import find_link
        link = find_link(session(), old)
        assert link is not None and qr.respondent_url(link) == f"http://localhost/s/{old}"
    for other in (old.lower(), old.upper(), old.replace("O", "0"), old[1:]):
        assert client.get(f"/s/{other}").status_code == 404, other
