"""The RFC 9180 steps after the DH value, as threshold decryption uses them, against the RFC's
vectors (DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec

from survey.core import envelope, hpke_schedule

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "hpke" / "hpke_vectors_p256.json"
if not VECTORS.exists():
    VECTORS = Path(__file__).resolve().parent / "data" / "hpke_vectors_p256.json"
ALL = json.loads(VECTORS.read_text())
OURS = [v for v in ALL if (v["mode"], v["kem_id"], v["kdf_id"], v["aead_id"]) == (0, 0x10, 1, 1)]


def _dh(vector: dict) -> bytes:
    """x(skRm · pkEm): the DH value K trustees' partials combine into."""
    sk = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    return sk.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(vector["pkEm"])))


def test_the_vectors_include_our_suite() -> None:
    assert len(OURS) == 1


@pytest.mark.parametrize("vector", ALL, ids=lambda v: f"aead{v['aead_id']}")
def test_kem_shared_secret_matches_every_p256_vector(vector: dict) -> None:
    got = hpke_schedule.kem_shared_secret(_dh(vector), bytes.fromhex(vector["enc"]), bytes.fromhex(vector["pkRm"]))
    assert got.hex() == vector["shared_secret"]


@pytest.mark.parametrize("vector", OURS, ids=lambda v: v["info"][:16])
def test_key_schedule_matches_the_vector(vector: dict) -> None:
    context = hpke_schedule.key_schedule_context(bytes.fromhex(vector["info"]))
    assert context.hex() == vector["key_schedule_context"]
    key, nonce = hpke_schedule.key_and_nonce(bytes.fromhex(vector["shared_secret"]), context)
    assert (key.hex(), nonce.hex()) == (vector["key"], vector["base_nonce"])


@pytest.mark.parametrize("vector", OURS, ids=lambda v: v["info"][:16])
def test_open_from_dh_opens_the_vectors_first_encryption(vector: dict) -> None:
    first = vector["encryptions"][0]  # sequence 0: nonce = base_nonce
    opened = hpke_schedule.open_from_dh(
        _dh(vector), bytes.fromhex(vector["enc"]), bytes.fromhex(vector["pkRm"]),
        hpke_schedule.key_schedule_context(bytes.fromhex(vector["info"])),
        bytes.fromhex(first["ct"]), aad=bytes.fromhex(first["aad"]))
    assert opened.hex() == first["pt"]


def test_open_from_dh_refuses_a_dh_value_off_by_one_bit() -> None:
    vector, first = OURS[0], OURS[0]["encryptions"][0]
    dh = bytearray(_dh(vector))
    dh[-1] ^= 1
    with pytest.raises(InvalidTag):
        hpke_schedule.open_from_dh(bytes(dh), bytes.fromhex(vector["enc"]), bytes.fromhex(vector["pkRm"]),
                                   hpke_schedule.key_schedule_context(bytes.fromhex(vector["info"])),
                                   bytes.fromhex(first["ct"]), aad=bytes.fromhex(first["aad"]))


def test_open_from_dh_opens_our_envelopes_as_cryptography_does() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    sealed = envelope.seal(b'{"f":1}', key.public_key(), "survey-1")
    enc = sealed[envelope.HEADER_SIZE : envelope.HEADER_SIZE + envelope.ENC_SIZE]
    dh = key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), enc))
    context = hpke_schedule.key_schedule_context(envelope.hpke_info(sealed[: envelope.HEADER_SIZE], "survey-1"))
    padded = hpke_schedule.open_from_dh(dh, enc, envelope.public_key_raw(key.public_key()), context,
                                        sealed[envelope.HEADER_SIZE + envelope.ENC_SIZE :])
    assert envelope.unpad(padded) == envelope.open_envelope(sealed, key, "survey-1") == b'{"f":1}'
