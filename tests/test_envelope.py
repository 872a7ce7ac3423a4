"""The envelope: RFC 9180 conformance, padding to buckets, and the info binding."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from survey.core import envelope

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "hpke" / "hpke_vectors_p256.json"
if not VECTORS.exists():  # CI clones main with shared/ beside it; a checkout elsewhere may differ
    VECTORS = Path(__file__).resolve().parent / "data" / "hpke_vectors_p256.json"


def vectors() -> list[dict]:
    data = json.loads(VECTORS.read_text())
    return [v for v in data if (v["mode"], v["kem_id"], v["kdf_id"], v["aead_id"]) == (0, 0x10, 1, 1)]


@pytest.mark.parametrize("vector", vectors(), ids=lambda v: v["info"][:16])
def test_receiver_key_schedule_matches_rfc9180_vector(vector: dict) -> None:
    """cryptography's HPKE, as our envelope uses it, opens what the vector's sender derived."""
    sk = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    assert envelope.public_key_raw(sk.public_key()).hex() == vector["pkRm"]
    pt = bytes.fromhex(vector["encryptions"][0]["pt"])
    ct0 = AESGCM(bytes.fromhex(vector["key"])).encrypt(bytes.fromhex(vector["base_nonce"]), pt, b"")
    suite = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
    opened = suite.decrypt(bytes.fromhex(vector["enc"]) + ct0, sk, info=bytes.fromhex(vector["info"]))
    assert opened == pt


def test_a_vector_changed_in_one_bit_does_not_open() -> None:
    vector = vectors()[0]
    sk = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    ct0 = AESGCM(bytes.fromhex(vector["key"])).encrypt(bytes.fromhex(vector["base_nonce"]), b"x", b"")
    suite = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
    info = bytearray(bytes.fromhex(vector["info"]))
    info[0] ^= 1
    with pytest.raises(InvalidTag):
        suite.decrypt(bytes.fromhex(vector["enc"]) + ct0, sk, info=bytes(info))


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_seal_then_open_returns_the_plaintext(key: ec.EllipticCurvePrivateKey) -> None:
    sealed = envelope.seal(b'{"a":1}', key.public_key(), "survey-1")
    assert envelope.open_envelope(sealed, key, "survey-1") == b'{"a":1}'


def test_envelope_carries_version_suite_and_key_id(key: ec.EllipticCurvePrivateKey) -> None:
    sealed = envelope.seal(b"x", key.public_key(), "s")
    header = envelope.parse_header(sealed)
    assert (header.version, header.kem_id, header.kdf_id, header.aead_id) == (1, 0x10, 1, 1)
    assert header.key_id_hex == envelope.key_id(key.public_key())
    assert sealed[envelope.HEADER_SIZE] == 0x04  # enc: uncompressed point follows the header


@pytest.mark.parametrize(("length", "bucket"), [(0, 1024), (1020, 1024), (1021, 2048), (5000, 8192), (65532, 65536)])
def test_ciphertext_length_reveals_only_the_bucket(key: ec.EllipticCurvePrivateKey, length: int, bucket: int) -> None:
    sealed = envelope.seal(b"a" * length, key.public_key(), "s")
    assert len(sealed) == envelope.OVERHEAD + bucket


def test_answers_larger_than_the_largest_bucket_are_refused(key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(envelope.PlaintextTooLarge):
        envelope.seal(b"a" * 65533, key.public_key(), "s")


def test_an_envelope_moved_to_another_survey_does_not_open(key: ec.EllipticCurvePrivateKey) -> None:
    sealed = envelope.seal(b"secret", key.public_key(), "survey-a")
    with pytest.raises(envelope.OpenError):
        envelope.open_envelope(sealed, key, "survey-b")


def test_a_changed_header_does_not_open(key: ec.EllipticCurvePrivateKey) -> None:
    """The header is bound into the HPKE info: an envelope whose key id byte is changed does not
    open even where that id leads to the right key (here an opener holding the key under both
    ids), so a header cannot be rewritten without the envelope failing."""
    sealed = envelope.seal(b"secret", key.public_key(), "s")
    kid = envelope.key_id_bytes(key.public_key())
    changed_kid = bytes([kid[0] ^ 0x01]) + kid[1:]
    changed = bytearray(sealed)
    changed[7] ^= 0x01  # the first byte of the key id (offset 7)
    assert envelope.parse_header(bytes(changed)).key_id == changed_kid  # a well-formed header
    opener = envelope.Opener({kid: key, changed_kid: key}, "s")
    assert opener.open(sealed) == b"secret"
    with pytest.raises(envelope.OpenError, match="does not open"):
        opener.open(bytes(changed))
    # Opened with the key alone, the changed key id names another key: refused as such.
    with pytest.raises(envelope.WrongKeyError, match=changed_kid.hex()):
        envelope.open_envelope(bytes(changed), key, "s")


@pytest.mark.parametrize(("offset", "message"), [(0, "unknown envelope version 0"), (2, "unsupported suite"),
                                                 (4, "unsupported suite"), (6, "unsupported suite")],
                         ids=["version", "kem", "kdf", "aead"])
def test_a_changed_version_or_suite_is_refused_as_malformed(key: ec.EllipticCurvePrivateKey, offset: int, message: str) -> None:
    changed = bytearray(envelope.seal(b"secret", key.public_key(), "s"))
    changed[offset] ^= 0x01
    with pytest.raises(envelope.EnvelopeError, match=message) as caught:
        envelope.open_envelope(bytes(changed), key, "s")
    assert type(caught.value) is envelope.EnvelopeError  # malformed, not "wrong key" or "does not open"


def test_a_changed_ciphertext_does_not_open(key: ec.EllipticCurvePrivateKey) -> None:
    sealed = bytearray(envelope.seal(b"secret", key.public_key(), "s"))
    sealed[-1] ^= 0x01  # the last byte of the AEAD tag
    with pytest.raises(envelope.OpenError, match="does not open"):
        envelope.open_envelope(bytes(sealed), key, "s")


def test_the_wrong_key_is_named(key: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    sealed = envelope.seal(b"secret", key.public_key(), "s")
    with pytest.raises(envelope.WrongKeyError, match=envelope.key_id(key.public_key())):
        envelope.open_envelope(sealed, other, "s")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:100],
        lambda b: b + b"\0",
        lambda b: b"\x02" + b[1:],
        lambda b: b[:1] + b"\x00\x11" + b[3:],
        lambda b: b[:15] + b"\x02" + b[16:],
    ],
    ids=["short", "odd-length", "version-2", "other-kem", "compressed-point"],
)
def test_malformed_envelopes_are_refused_before_any_crypto(key: ec.EllipticCurvePrivateKey, mutate: Callable[[bytes], bytes]) -> None:
    sealed = envelope.seal(b"x", key.public_key(), "s")
    with pytest.raises(envelope.EnvelopeError):
        envelope.parse_header(mutate(sealed))


def test_padding_must_be_all_zero() -> None:
    padded = bytearray(envelope.pad(b"abc"))
    padded[-1] = 1
    with pytest.raises(envelope.EnvelopeError):
        envelope.unpad(bytes(padded))
    assert envelope.unpad(envelope.pad(b"abc")) == b"abc"


def _sealed_with_padding(padded: bytes, public: ec.EllipticCurvePublicKey, uid: str) -> bytes:
    """An envelope whose plaintext is ``padded`` as given (a faulty or hostile sealer)."""
    header = envelope.Header(envelope.VERSION, *envelope.SUITE_V1, envelope.key_id_bytes(public))
    suite = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
    info = envelope.INFO_LABEL + b"\x00" + header.pack() + uid.encode()
    return header.pack() + suite.encrypt(padded, public, info=info)


def test_the_bulk_opener_tells_each_failure_apart(key: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    opener = envelope.Opener({envelope.key_id_bytes(key.public_key()): key}, "s")
    good = envelope.seal(b"hello", key.public_key(), "s")
    for _ in range(2):  # the first time works the header out, the second uses what it learnt
        assert opener.open(good) == b"hello"
    with pytest.raises(envelope.WrongKeyError):
        opener.open(envelope.seal(b"x", other.public_key(), "s"))
    with pytest.raises(envelope.OpenError):  # bound to another survey
        opener.open(envelope.seal(b"x", key.public_key(), "other survey"))
    flipped = bytearray(good)
    flipped[-1] ^= 1
    with pytest.raises(envelope.OpenError):
        opener.open(bytes(flipped))
    # A known header in front of a body of the wrong size or shape: malformed, not "does not open".
    for bad in (good[:-1], good + b"\x00", good[: envelope.HEADER_SIZE] + b"\x02" + good[16:]):
        with pytest.raises(envelope.EnvelopeError) as caught:
            opener.open(bad)
        assert not isinstance(caught.value, envelope.OpenError)
    bad_padding = envelope.pad(b"hello")[:-1] + b"\x01"
    with pytest.raises(envelope.PaddingError):
        opener.open(_sealed_with_padding(bad_padding, key.public_key(), "s"))
    with pytest.raises(envelope.PaddingError):  # length prefix past the end
        opener.open(_sealed_with_padding(b"\x00\x00\x10\x00" + bytes(1020), key.public_key(), "s"))
    assert len(opener._known) == 1  # only the header of the key given was remembered
