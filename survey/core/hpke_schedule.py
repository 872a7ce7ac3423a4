"""RFC 9180 after the Diffie–Hellman step, for the receiver of suite v1 in base mode.

``cryptography``'s HPKE opens an envelope from the whole private key. Threshold decryption never
has that key: trustees' partials combine into the DH value ``dh = x(skR · enc)`` itself, and from
there this module does what the receiver's ``Decap`` and ``KeySchedule`` do (RFC 9180, 4.1 and 5.1):

    eae_prk       = LabeledExtract("", "eae_prk", dh)                           suite_id "KEM" 0x0010
    shared_secret = LabeledExpand(eae_prk, "shared_secret", enc || pkRm, 32)
    context       = 0x00 || LabeledExtract("", "psk_id_hash", "")
                         || LabeledExtract("", "info_hash", info)               suite_id "HPKE" 0x0010 0x0001 0x0001
    secret        = LabeledExtract(shared_secret, "secret", "")
    key, nonce    = LabeledExpand(secret, "key", context, 16), LabeledExpand(secret, "base_nonce", context, 12)

then AES-128-GCM opens the ciphertext with sequence number 0 (nonce = base_nonce). Every step is
``cryptography``'s HMAC-SHA256, HKDF-Expand and AESGCM; nothing here is hand-made arithmetic.
``tests/test_hpke_schedule.py`` checks it against the RFC's vectors in ``tests/data``."""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from survey.core.envelope import AEAD_AES_128_GCM, KDF_HKDF_SHA256, KEM_P256

_U16 = struct.Struct(">H")
KEM_SUITE_ID = b"KEM" + _U16.pack(KEM_P256)
HPKE_SUITE_ID = b"HPKE" + _U16.pack(KEM_P256) + _U16.pack(KDF_HKDF_SHA256) + _U16.pack(AEAD_AES_128_GCM)
HASH_SIZE = 32
KEY_SIZE = 16
NONCE_SIZE = 12
MODE_BASE = b"\x00"
_NO_SALT = bytes(HASH_SIZE)  # RFC 5869: an absent salt is HashLen zero bytes


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    """``LabeledExtract``: HKDF-Extract (HMAC-SHA256 keyed by the salt) of the labelled input."""
    mac = hmac.HMAC(salt or _NO_SALT, hashes.SHA256())
    mac.update(b"HPKE-v1" + suite_id + label + ikm)
    return mac.finalize()


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    """``LabeledExpand``: HKDF-Expand of ``prk`` with the labelled info, ``length`` bytes."""
    labeled_info = _U16.pack(length) + b"HPKE-v1" + suite_id + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled_info).derive(prk)


def kem_shared_secret(dh: bytes, enc: bytes, public_key_raw: bytes) -> bytes:
    """DHKEM's ``ExtractAndExpand(dh, kem_context = enc || pkRm)``."""
    eae_prk = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", enc + public_key_raw, HASH_SIZE)


def key_schedule_context(info: bytes) -> bytes:
    """Base mode's ``key_schedule_context`` (no PSK): the same for every envelope of one header and
    survey, so the bulk path works it out once."""
    psk_id_hash = labeled_extract(HPKE_SUITE_ID, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE_ID, b"", b"info_hash", info)
    return MODE_BASE + psk_id_hash + info_hash


def key_and_nonce(shared_secret: bytes, context: bytes) -> tuple[bytes, bytes]:
    """The AEAD key and base nonce of the base-mode key schedule."""
    secret = labeled_extract(HPKE_SUITE_ID, shared_secret, b"secret", b"")
    return (labeled_expand(HPKE_SUITE_ID, secret, b"key", context, KEY_SIZE),
            labeled_expand(HPKE_SUITE_ID, secret, b"base_nonce", context, NONCE_SIZE))


def open_from_dh(dh: bytes, enc: bytes, public_key_raw: bytes, context: bytes, ciphertext: bytes,
                 aad: bytes = b"") -> bytes:
    """Open the first (sequence 0) ciphertext of an HPKE context whose DH value is ``dh``.

    ``context`` is :func:`key_schedule_context` of the ``info``; raises ``InvalidTag`` when the
    ciphertext does not open (altered, another survey, or a wrong DH value)."""
    key, nonce = key_and_nonce(kem_shared_secret(dh, enc, public_key_raw), context)
    return AESGCM(key).decrypt(nonce, ciphertext, aad)
