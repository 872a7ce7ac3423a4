"""The browser's sealing module (survey/server/static/seal.js) in real Chromium, against RFC 9180 and Python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from survey.core.envelope import HEADER_SIZE, OpenError, key_id, open_envelope, parse_header, public_key_raw
from tests.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

VECTORS = json.loads((Path(__file__).parent / "data" / "hpke_vectors_p256.json").read_text())

pytestmark = pytest.mark.browser


@pytest.fixture
def module_page(live_server: LiveServer, phone: BrowserContext) -> Page:
    """A page on the live server (http://127.0.0.1 is a secure context, so crypto.subtle exists)."""
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"aead{v['aead_id']}")
def test_the_browser_module_reproduces_the_rfc9180_vectors_byte_for_byte(module_page: Page, vector: dict) -> None:
    first = vector["encryptions"][0]
    got = module_page.evaluate(
        """async ([v, e]) => {
            const m = await import("/static/seal.js");
            const r = await m.sealWithAad(m.fromHex(v.pkRm), m.fromHex(v.info), m.fromHex(e.aad),
                m.fromHex(e.pt), v.aead_id, {sk: m.fromHex(v.skEm), pk: m.fromHex(v.pkEm)});
            return {enc: m.toHex(r.enc), shared_secret: m.toHex(r.sharedSecret), key: m.toHex(r.key),
                    base_nonce: m.toHex(r.baseNonce), ct: m.toHex(r.ct)};
        }""",
        [vector, first],
    )
    assert got == {
        "enc": vector["enc"],
        "shared_secret": vector["shared_secret"],
        "key": vector["key"],
        "base_nonce": vector["base_nonce"],
        "ct": first["ct"],
    }


def test_a_browser_envelope_opens_with_the_python_analyst_code(module_page: Page) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key()
    document = '{"answers":{"comment":"ünïcode ✓ canary"},"f":1}'
    envelope = bytes(module_page.evaluate(
        """async ([pk, kid, doc]) => {
            const m = await import("/static/seal.js");
            return Array.from(await m.sealEnvelope(pk, kid, "survey-uid-1", new TextEncoder().encode(doc)));
        }""",
        [public_key_raw(public).hex(), key_id(public), document],
    ))
    header = parse_header(envelope)
    assert header.key_id_hex == key_id(public)
    assert len(envelope) == HEADER_SIZE + 65 + 1024 + 16
    assert open_envelope(envelope, private, "survey-uid-1") == document.encode()
    with pytest.raises(OpenError, match="bound to another survey"):
        open_envelope(envelope, private, "another-survey")


def test_the_browser_refuses_a_key_id_that_does_not_match_the_key(module_page: Page) -> None:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    error = module_page.evaluate(
        """async ([pk]) => {
            const m = await import("/static/seal.js");
            try { await m.sealEnvelope(pk, "0011223344556677", "s", new Uint8Array(3)); return "sealed"; }
            catch (e) { return e.message; }
        }""",
        [public_key_raw(public).hex()],
    )
    assert error == "key id does not match the key"
