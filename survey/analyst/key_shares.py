"""Key shares: splitting the analyst's private key among trustees, and the share's own format.

The private key x is shared with Shamir's scheme modulo the group order, as ``y = x·Δ⁻¹`` with
``Δ = N!`` (see :mod:`survey.analyst.shamir`): K shares rebuild ``x = Δ·y``, and the same shares
combine partial decryptions with small whole-number coefficients.

A share is 50 bytes:

    offset size  field
    0      1     format version  = 1
    1      1     mode            1 = recovery, 2 = threshold (the key is never assembled)
    2      1     K
    3      1     N
    4      1     this share's index, 1..N
    5      8     key id of the public key (docs/envelope.md)
    13     32    the share value, big-endian, modulo the group order
    45     5     first 5 bytes of SHA-256 over bytes 0..44

Each trustee also gets the *public shares* ``S_i = y_i·G`` of every index (public, in the
machine-readable share file and in every partial): they let a tool name a single wrong share, and
check a trustee's partial decryption, without any secret. They are themselves checked: any K of
them must interpolate, in the exponent, to the public key with the key id.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from survey.analyst import group, shamir, share_text
from survey.core import envelope, strict_json

FORMAT = "run-survey key share"
FORMAT_VERSION = 1
RECOVERY, THRESHOLD = 1, 2
MODE_NAMES = {RECOVERY: "recovery", THRESHOLD: "threshold"}
_CHECK = 5


class ShareError(ValueError):
    """A share that cannot be used: damaged, mistyped, unreadable, or inconsistent."""


@dataclass(frozen=True)
class Share:
    """One trustee's share of one key."""

    mode: int
    k: int
    n: int
    index: int
    key_id: bytes
    value: int

    @property
    def key_id_hex(self) -> str:
        return self.key_id.hex()

    def payload(self) -> bytes:
        body = (bytes([FORMAT_VERSION, self.mode, self.k, self.n, self.index]) + self.key_id
                + self.value.to_bytes(32, "big"))
        return body + hashlib.sha256(body).digest()[:_CHECK]

    def text(self) -> str:
        """The five checked lines printed on the sheet and held by its QR code."""
        return share_text.encode(self.payload())

    @classmethod
    def from_payload(cls, data: bytes) -> Share:
        body, check = data[:-_CHECK], data[-_CHECK:]
        if hashlib.sha256(body).digest()[:_CHECK] != check:
            raise ShareError("its check over the whole share fails: a line was typed or read wrongly")
        version, mode, k, n, index = body[:5]
        if version != FORMAT_VERSION:
            raise ShareError(f"share format {version} is not known to this tool")
        if mode not in MODE_NAMES:
            raise ShareError(f"unknown custody mode {mode}")
        value = int.from_bytes(body[13:45], "big")
        try:
            shamir.check_threshold(k, n)
        except shamir.SharingError as exc:
            raise ShareError(str(exc)) from exc
        if not 1 <= index <= n or not 0 < value < shamir.ORDER:
            raise ShareError("the share's index or value is out of range")
        return cls(mode, k, n, index, bytes(body[5:13]), value)

    @classmethod
    def from_text(cls, text: str) -> Share:
        return cls.from_payload(share_text.decode(text))


@dataclass(frozen=True)
class PublicShares:
    """What everyone may know about a split key: the public key and each index's public share."""

    k: int
    n: int
    public_key: bytes  # 65-byte uncompressed point
    points: dict[int, bytes]  # index -> 65-byte public share

    @property
    def key_id(self) -> bytes:
        return envelope.key_id_bytes(group.public_key(group.decode(self.public_key)))

    def to_json(self) -> dict[str, Any]:
        return {"k": self.k, "n": self.n, "public_key": self.public_key.hex(),
                "public_shares": {str(i): p.hex() for i, p in sorted(self.points.items())}}

    @classmethod
    def from_json(cls, doc: object) -> PublicShares:
        try:
            assert isinstance(doc, dict)
            points = {int(i): bytes.fromhex(p) for i, p in doc["public_shares"].items()}
            found = cls(int(doc["k"]), int(doc["n"]), bytes.fromhex(doc["public_key"]), points)
        except (AssertionError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ShareError("the public shares are missing or damaged") from exc
        found.check()
        return found

    def check(self) -> None:
        """Every index's public share lies on one polynomial of degree < K whose value at 0 is the
        public key (any K of them interpolate to it): ``ShareError`` otherwise."""
        try:
            shamir.check_threshold(self.k, self.n)
            if sorted(self.points) != list(range(1, self.n + 1)):
                raise ShareError("the public shares do not cover indices 1..N")
            points = {i: group.decode(p) for i, p in self.points.items()}
            public = group.decode(self.public_key)
        except (shamir.SharingError, group.PointError) as exc:
            raise ShareError(f"the public shares are damaged: {exc}") from exc
        base = list(range(1, self.k + 1))
        expected = group.combination((group.PublicScalar(c), points[i])
                                     for i, c in shamir.integer_coefficients(base, self.n).items())
        if group.encode(expected) != group.encode(public):
            raise ShareError("the public shares do not belong to the public key")
        for j in range(self.k + 1, self.n + 1):  # each further index interpolated from 1..K
            at_j = group.combination((group.PublicScalar(c), points[i])
                                     for i, c in shamir.lagrange_at(base, j).items())
            if group.encode(at_j) != group.encode(points[j]):
                raise ShareError(f"public share {j} is not on the same polynomial as the others")

    def holds(self, share: Share) -> bool:
        """Whether ``share`` is the one this record expects at its index."""
        expected = self.points.get(share.index)
        return expected is not None and group.encode(group.base_times_secret(share.value)) == expected


def split_key(private_value: int, k: int, n: int, mode: int, key_id: bytes) -> tuple[list[Share], PublicShares]:
    """Shares 1..n of the key and its public shares."""
    scaled = private_value * pow(shamir.delta(n), -1, shamir.ORDER) % shamir.ORDER
    values = shamir.split(scaled, k, n)
    shares = [Share(mode, k, n, i, key_id, v) for i, v in sorted(values.items())]
    public = group.encode(group.base_times_secret(private_value))
    record = PublicShares(k, n, public, {s.index: group.encode(group.base_times_secret(s.value)) for s in shares})
    return shares, record


def rebuild_value(shares: list[Share]) -> int:
    """The private value from shares of one key (no checks: see :mod:`survey.analyst.share_set`)."""
    n = shares[0].n
    return shamir.delta(n) * shamir.combine({s.index: s.value for s in shares}) % shamir.ORDER


def key_id_of_value(private_value: int) -> bytes:
    if not 0 < private_value < shamir.ORDER:
        return b""
    return envelope.key_id_bytes(ec.derive_private_key(private_value, ec.SECP256R1()).public_key())


# -- the machine-readable share file -------------------------------------------------------------


def write_secret_file(path: Path, data: bytes) -> None:
    """Create ``path`` readable by its owner only (0600), refusing to overwrite anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def share_file_bytes(share: Share, trustee: str, public: PublicShares) -> bytes:
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "trustee": trustee,
           "key_id": share.key_id_hex, "mode": MODE_NAMES[share.mode], "k": share.k, "n": share.n,
           "index": share.index, "share": share.text(), **public.to_json()}
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class ShareFile:
    share: Share
    trustee: str
    public: PublicShares


def read_share_file(path: Path) -> ShareFile:
    """A share file, checked: its text's checksums, its public shares, and that the share is the
    one its public shares expect."""
    try:
        doc = strict_json.loads(path.read_bytes())
    except strict_json.JSONError as exc:
        raise ShareError("not a share file (not JSON)") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ShareError("not a share file")
    try:
        share = Share.from_text(str(doc["share"]))
    except share_text.ShareTextError as exc:
        raise ShareError(f"its share text is damaged ({exc})") from exc
    except KeyError as exc:
        raise ShareError("the file holds no share") from exc
    public = PublicShares.from_json(doc)
    if public.key_id != share.key_id:
        raise ShareError("its public shares belong to another key than its share")
    if not public.holds(share):
        raise ShareError(f"share {share.index} is not the one its key's public shares expect: it was altered")
    return ShareFile(share, str(doc.get("trustee", "")), public)
