"""Property-based tests (Hypothesis) of the envelope parser and of both submit endpoints: random
and malformed bodies, headers, content types and encodings never cause a 5xx, and never store a row
unless the server accepted a well-formed envelope for the survey's key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.core import sealed_document as plaintext
from survey.core.envelope import (
    HEADER_SIZE,
    MAX_ENVELOPE_SIZE,
    MIN_ENVELOPE_SIZE,
    EnvelopeError,
    open_envelope,
    parse_header,
    seal,
)
from tests.conftest import DATABASES, AnalystKey, add_survey, build_app, fresh_database
from tests.helpers import DEMO_FORM, count_responses

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRIVATE = ec.generate_private_key(ec.SECP256R1())
SURVEY = "fuzz-survey"
VALID = seal(b'{"f":1}', PRIVATE.public_key(), SURVEY)


@st.composite
def mutated(draw: st.DrawFn, base: bytes = VALID) -> bytes:
    """A valid envelope cut, extended, or with some bytes changed."""
    data = bytearray(base)
    kind = draw(st.sampled_from(["flip", "truncate", "extend", "splice"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= draw(st.integers(1, 255))
    elif kind == "truncate":
        del data[draw(st.integers(0, len(data) - 1)):]
    elif kind == "extend":
        data += draw(st.binary(min_size=1, max_size=2048))
    else:
        i = draw(st.integers(0, len(data)))
        data[i:i] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


ENVELOPE_LIKE = st.one_of(
    st.binary(max_size=3000),
    mutated(),
    st.binary(min_size=MIN_ENVELOPE_SIZE - HEADER_SIZE, max_size=MIN_ENVELOPE_SIZE - HEADER_SIZE).map(
        lambda tail: VALID[:HEADER_SIZE] + tail),  # right header and size, random ciphertext
)


@FUZZ
@given(ENVELOPE_LIKE)
def test_parse_header_raises_only_envelope_errors(data: bytes) -> None:
    try:
        header = parse_header(data)
    except EnvelopeError:
        return
    assert MIN_ENVELOPE_SIZE <= len(data) <= MAX_ENVELOPE_SIZE and header.version == 1


@FUZZ
@given(mutated())
def test_an_altered_envelope_never_opens(data: bytes) -> None:
    if data == VALID:
        return
    with pytest.raises(EnvelopeError):
        open_envelope(data, PRIVATE, SURVEY)


# -- the submit endpoints, through the app -------------------------------------------------------


@pytest.fixture(scope="module", params=DATABASES)
def fuzz_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey
) -> Iterator[tuple[Flask, str, bytes]]:
    """One site per engine for the whole module (SQLite, and a real PostgreSQL)."""
    url = fresh_database(request, request.param)
    app = build_app(tmp_path_factory.mktemp("fuzz"), analyst_key, url, submit_limit=0)
    uid, token = add_survey(app)
    from survey.core.envelope import load_public_key_pem

    public = load_public_key_pem(next(Path(analyst_key.keys_dir).glob("*.pem")).read_bytes())
    good = seal(plaintext.encode(app.extensions["questionnaires"]["demo@1"], "en", {"age": 30}), public, uid)
    yield app, token, good
    app.extensions["survey_engine"].dispose()


CONTENT_TYPES = st.one_of(
    st.sampled_from([
        "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data",
        "multipart/form-data; boundary=", "multipart/form-data; boundary=zz", "text/plain; charset=utf-16",
        "application/x-www-form-urlencoded; charset=latin-1", "application/json", "",
        "application/octet-stream; charset=\x00", "application/x-www-form-urlencoded; charset=no-such-codec",
    ]),
    st.text(max_size=40).filter(lambda t: "\n" not in t and "\r" not in t),
)
HEADER_VALUES = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
EXTRA_HEADERS = st.dictionaries(
    st.sampled_from(["Content-Encoding", "Accept-Language", "X-Forwarded-For", "Accept", "Transfer-Encoding-X",
                     "Cookie", "X-Access-Code"]), HEADER_VALUES, max_size=3)


def _post(app: Flask, url: str, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    before = count_responses(app)
    response = app.test_client().post(url, data=body, headers={**headers, "Content-Type": content_type})
    assert response.status_code < 500, (response.status_code, body[:40], content_type, headers)
    stored = count_responses(app) - before
    assert stored == (1 if response.status_code in (201, 303) else 0), response.status_code
    return response.status_code


@FUZZ
@given(body=ENVELOPE_LIKE, content_type=CONTENT_TYPES, headers=EXTRA_HEADERS,
       query=st.sampled_from(["", "?lang=fr", "?lang=%ff", "?lang=" + "x" * 300]))
def test_sealed_endpoint_never_fails_and_stores_only_well_formed_envelopes(
    fuzz_site: tuple[Flask, str, bytes], body: bytes, content_type: str, headers: dict[str, str], query: str
) -> None:
    app, token, good = fuzz_site
    status = _post(app, f"/s/{token}/sealed{query}", body, content_type, headers)
    if status == 201:  # only a well-formed envelope sealed to this survey's key may be stored
        assert parse_header(body).key_id_hex == parse_header(good).key_id_hex


def test_sealed_endpoint_stores_a_valid_envelope(fuzz_site: tuple[Flask, str, bytes]) -> None:
    app, token, good = fuzz_site
    assert _post(app, f"/s/{token}/sealed", good, "application/octet-stream", {}) == 201


FORM_FIELDS = st.dictionaries(
    st.one_of(st.sampled_from(sorted(DEMO_FORM)), st.text(max_size=12)),
    st.one_of(st.text(max_size=60), st.sampled_from(["yes", "no", "4", "-1", "1e9", "34", "cost", "\x00", "\ud7ff"])),
    max_size=8,
)


@FUZZ
@given(fields=FORM_FIELDS, raw=st.one_of(st.none(), st.binary(max_size=400)), content_type=CONTENT_TYPES,
       headers=EXTRA_HEADERS)
def test_form_endpoint_never_fails_on_malformed_posts(
    fuzz_site: tuple[Flask, str, bytes], fields: dict[str, str], raw: bytes | None, content_type: str,
    headers: dict[str, str],
) -> None:
    app, token, _good = fuzz_site
    if raw is None:
        from urllib.parse import urlencode

        body = urlencode({**DEMO_FORM, **fields}, doseq=True).encode("utf-8", "surrogatepass")
    else:
        body = raw
    _post(app, f"/s/{token}", body, content_type, headers)
