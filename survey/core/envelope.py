"""The response envelope, version 1: what a sealed answer looks like on the wire and at rest.

Layout (all integers big-endian), specified for outside implementers in docs/envelope.md:

    offset  size  field
    0       1     version        = 0x01
    1       2     kem_id         = 0x0010  DHKEM(P-256, HKDF-SHA256)
    3       2     kdf_id         = 0x0001  HKDF-SHA256
    5       2     aead_id        = 0x0001  AES-128-GCM
    7       8     key_id         first 8 bytes of SHA-256(DER SubjectPublicKeyInfo of the recipient key)
    15      65    enc            HPKE encapsulated key (uncompressed P-256 point)
    80      n+16  ciphertext     AEAD output over the padded plaintext

The header (the first 15 bytes) and the survey id are bound into the HPKE ``info``, so changing
either, or moving the envelope to another survey, makes it fail to open.

The padded plaintext is ``len(json) as uint32 || json || zero bytes`` up to the next bucket size.

Only ``cryptography`` is imported here: the server and the offline analyst share this module.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ec

VERSION = 1
KEM_P256 = 0x0010
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
SUITE_V1 = (KEM_P256, KDF_HKDF_SHA256, AEAD_AES_128_GCM)
SUITE_NAME = "DHKEM(P-256,HKDF-SHA256)/HKDF-SHA256/AES-128-GCM"

KEY_ID_BYTES = 8
HEADER = struct.Struct(">BHHH8s")
HEADER_SIZE = HEADER.size  # 15
ENC_SIZE = 65
TAG_SIZE = 16
LENGTH_PREFIX = struct.Struct(">I")
INFO_LABEL = b"run-survey envelope v1"

#: Plaintext bucket sizes (bytes, including the 4-byte length prefix and zero padding).
BUCKETS: tuple[int, ...] = (1024, 2048, 4096, 8192, 16384, 32768, 65536)
_BUCKET_SET = frozenset(BUCKETS)
MAX_PLAINTEXT = BUCKETS[-1] - LENGTH_PREFIX.size
OVERHEAD = HEADER_SIZE + ENC_SIZE + TAG_SIZE
MIN_ENVELOPE_SIZE = OVERHEAD + BUCKETS[0]
MAX_ENVELOPE_SIZE = OVERHEAD + BUCKETS[-1]

_SUITE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


class EnvelopeError(ValueError):
    """An envelope is malformed: wrong size, version, suite or padding."""


class WrongKeyError(EnvelopeError):
    """The envelope was sealed to another key than the one offered."""


class OpenError(EnvelopeError):
    """The envelope does not open: tampered, or bound to another survey."""


#: Why an envelope did not open (the same message for the whole key and threshold decryption).
DOES_NOT_OPEN = "envelope does not open: altered, or bound to another survey"


class PaddingError(OpenError):
    """The envelope opened, but its plaintext is not padded as ``pad`` pads (a faulty sealer)."""


class PlaintextTooLarge(EnvelopeError):
    """The answers do not fit in the largest bucket."""


class Header(NamedTuple):
    """The 15 header bytes, unpacked (a named tuple: made once per record on the bulk path)."""

    version: int
    kem_id: int
    kdf_id: int
    aead_id: int
    key_id: bytes

    @property
    def key_id_hex(self) -> str:
        return self.key_id.hex()

    def pack(self) -> bytes:
        return HEADER.pack(self.version, self.kem_id, self.kdf_id, self.aead_id, self.key_id)


def key_id_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The first 8 bytes of SHA-256 over the key's DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).digest()[:KEY_ID_BYTES]


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """The key id as 16 lowercase hex digits, as shown to coordinators and analysts."""
    return key_id_bytes(public_key).hex()


def format_key_id(kid: str) -> str:
    """Groups of four hex digits, for reading aloud or comparing on paper."""
    return " ".join(kid[i : i + 4] for i in range(0, len(kid), 4))


_INFO_PREFIX = INFO_LABEL + b"\x00"


def hpke_info(header_bytes: bytes, survey_uid: str) -> bytes:
    """HPKE ``info``: label, 0x00, the 15 header bytes, the survey id in UTF-8."""
    return _INFO_PREFIX + header_bytes + survey_uid.encode("utf-8")


def bucket_for(length: int) -> int:
    """The smallest bucket that holds ``length`` bytes of JSON plus the length prefix."""
    needed = length + LENGTH_PREFIX.size
    for size in BUCKETS:
        if needed <= size:
            return size
    raise PlaintextTooLarge(f"answers are {length} bytes; the limit is {MAX_PLAINTEXT}")


def pad(data: bytes) -> bytes:
    size = bucket_for(len(data))
    return LENGTH_PREFIX.pack(len(data)) + data + bytes(size - len(data) - LENGTH_PREFIX.size)


def unpad(padded: bytes) -> bytes:
    if len(padded) not in _BUCKET_SET:
        raise PaddingError("padded plaintext is not a bucket size")
    (length,) = LENGTH_PREFIX.unpack_from(padded)
    end = LENGTH_PREFIX.size + length
    if end > len(padded):
        raise PaddingError("length prefix runs past the padding")
    if not padded.endswith(bytes(len(padded) - end)):  # compared with memcmp, not byte by byte
        raise PaddingError("padding is not all zero")
    return padded[LENGTH_PREFIX.size : end]


def parse_header(envelope: bytes) -> Header:
    """Check an envelope's shape without any key: size, version, suite. Cheap; no crypto."""
    check_body(envelope)
    version, kem, kdf, aead, kid = HEADER.unpack_from(envelope)
    if version != VERSION:
        raise EnvelopeError(f"unknown envelope version {version}")
    if (kem, kdf, aead) != SUITE_V1:
        raise EnvelopeError(f"unsupported suite {kem:#06x}/{kdf:#06x}/{aead:#06x}")
    return Header(version, kem, kdf, aead, bytes(kid))


def check_body(envelope: bytes) -> None:
    """The checks of ``parse_header`` that do not depend on the header bytes (size, bucket, and
    that ``enc`` is an uncompressed point): what every opener checks on each envelope."""
    if not isinstance(envelope, (bytes, bytearray, memoryview)):
        raise EnvelopeError("envelope must be bytes")
    size = len(envelope)
    if size < MIN_ENVELOPE_SIZE or size > MAX_ENVELOPE_SIZE:
        raise EnvelopeError(f"envelope size {size} is outside {MIN_ENVELOPE_SIZE}..{MAX_ENVELOPE_SIZE}")
    if size - OVERHEAD not in _BUCKET_SET:
        raise EnvelopeError("ciphertext length is not a bucket size")
    if envelope[HEADER_SIZE] != 0x04:
        raise EnvelopeError("encapsulated key is not an uncompressed P-256 point")


def seal(plaintext: bytes, public_key: ec.EllipticCurvePublicKey, survey_uid: str) -> bytes:
    """Pad and seal ``plaintext`` to ``public_key`` for ``survey_uid``; returns the envelope."""
    header = Header(VERSION, *SUITE_V1, key_id_bytes(public_key))
    sealed = _SUITE.encrypt(pad(plaintext), public_key, info=hpke_info(header.pack(), survey_uid))
    return header.pack() + sealed


def open_envelope(
    envelope: bytes, private_key: ec.EllipticCurvePrivateKey, survey_uid: str
) -> bytes:
    """Open an envelope with the analyst's private key; returns the unpadded plaintext."""
    header = parse_header(envelope)
    if header.key_id != key_id_bytes(private_key.public_key()):
        raise WrongKeyError(
            f"sealed to key {header.key_id_hex}, not to {key_id(private_key.public_key())}"
        )
    return _open(bytes(envelope), private_key, hpke_info(header.pack(), survey_uid))


def _open(envelope: bytes, private_key: ec.EllipticCurvePrivateKey, info: bytes) -> bytes:
    try:
        padded = _SUITE.decrypt(envelope[HEADER_SIZE:], private_key, info=info)
    except InvalidTag as exc:
        raise OpenError(DOES_NOT_OPEN) from exc
    return unpad(padded)


class Opener:
    """Opens one survey's envelopes with whichever of the analyst's keys each was sealed to (the
    analyst's bulk path).

    Every envelope sealed to one key starts with the same 15 header bytes, so their checks, the
    key they name and the HPKE ``info`` are worked out once per distinct header (at most one per
    key given: a header naming no key given is refused, not remembered); each envelope still has
    its own size and encapsulated key checked. ``open`` raises ``WrongKeyError``, ``OpenError``
    (including ``PaddingError``) or, for a malformed envelope, ``EnvelopeError``."""

    def __init__(self, keys: Mapping[bytes, ec.EllipticCurvePrivateKey], survey_uid: str) -> None:
        self._keys = keys
        self._uid = survey_uid
        self._known: dict[bytes, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}

    def open(self, envelope: bytes) -> bytes:
        head = envelope[:HEADER_SIZE]
        known = self._known.get(head)
        if known is None:
            header = parse_header(envelope)
            key = self._keys.get(header.key_id)
            if key is None:
                raise WrongKeyError(header.key_id_hex)
            known = self._known[bytes(head)] = (key, hpke_info(bytes(head), self._uid))
        else:
            check_body(envelope)
        return _open(bytes(envelope), *known)


def load_public_key_pem(data: bytes) -> ec.EllipticCurvePublicKey:
    """Parse a PEM public key and check it is P-256."""
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise EnvelopeError("the public key is not a P-256 key")
    return key


def public_key_raw(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The 65-byte uncompressed point, as the browser's WebCrypto imports it."""
    return public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
