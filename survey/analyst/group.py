"""P-256 points for key shares and threshold decryption, from well-kept libraries only.

Point arithmetic (adding, negating, multiplying by public numbers, checking a point is on the
curve) is PyCryptodome's ``ECC`` (its C code); multiplying by a *secret* number many times over, the
trustee's bulk step, is OpenSSL's constant-time ECDH through ``cryptography`` (about four times
faster here than PyCryptodome's blinded multiplication). Every point crossing a file boundary is
the 65-byte uncompressed encoding ``0x04 ‖ X ‖ Y`` and is checked to be on the curve when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# bandit's B413 takes the `Crypto` namespace for the abandoned PyCrypto; it is PyCryptodome's (maintained).
from Crypto.Math.Numbers import Integer  # nosec B413
from Crypto.PublicKey.ECC import EccPoint  # nosec B413
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from survey.analyst.shamir import ORDER

#: A P-256 point (PyCryptodome's type), for the modules that hold points without doing arithmetic.
Point = EccPoint
CURVE = "p256"
POINT_SIZE = 65
_GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
_GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF  # the field prime
_SECP256R1 = ec.SECP256R1()


class PointError(ValueError):
    """Bytes that are not an uncompressed P-256 point on the curve (or the point at infinity)."""


def generator() -> EccPoint:
    """A fresh copy of the base point G (PyCryptodome's points are changed in place)."""
    return EccPoint(_GX, _GY, CURVE)


def decode(data: bytes) -> EccPoint:
    """An uncompressed point, checked to be on the curve."""
    if len(data) != POINT_SIZE or data[0] != 0x04:
        raise PointError("not an uncompressed P-256 point")
    try:
        return EccPoint(int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big"), CURVE)
    except ValueError as exc:
        raise PointError("the point is not on the P-256 curve") from exc


def encode(point: EccPoint) -> bytes:
    if point.is_point_at_infinity():
        raise PointError("the point at infinity has no encoding")
    x, y = point.xy
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def x_bytes(point: EccPoint) -> bytes:
    """The 32-byte x-coordinate: what P-256's DH step outputs (RFC 9180, 7.1.1)."""
    if point.is_point_at_infinity():
        raise PointError("the point at infinity has no x-coordinate")
    return point.x.to_bytes(32, "big")


def times_secret(point: EccPoint, scalar: int) -> EccPoint:
    """``scalar·point`` in constant time (PyCryptodome blinds a scalar not marked public)."""
    return point * (scalar % ORDER)


def base_times_secret(scalar: int) -> EccPoint:
    """``scalar·G`` in constant time."""
    return generator() * (scalar % ORDER)


class PublicScalar:
    """A public, possibly negative, integer to multiply points by: no blinding, and only as many
    steps as the number has bits (a Lagrange coefficient of a few bits costs a few doublings).
    Made once and used for many points."""

    __slots__ = ("_magnitude", "_negative")

    def __init__(self, value: int) -> None:
        self._negative = value < 0
        self._magnitude = Integer(abs(value), public=True)

    def times(self, point: EccPoint) -> EccPoint:
        # EccPoint.__mul__ is annotated for int; it takes an Integer marked public (4.4+).
        return (-point if self._negative else point) * self._magnitude  # type: ignore[operator]


def combination(terms: Iterable[tuple[PublicScalar, EccPoint]]) -> EccPoint:
    """``Σ c·P`` for public integer coefficients (at least one term)."""
    total: EccPoint | None = None
    for c, p in terms:
        if total is None:
            total = c.times(p)
        else:
            total += c.times(p)
    if total is None:
        raise PointError("no points to combine")
    return total


class SmallCombination:
    """``Σ c_i·P_i`` for a few points and fixed small public integers c_i (Lagrange coefficients
    times N!), with the doublings shared (Straus): about ``bits`` doublings plus one addition per
    set bit, all PyCryptodome's in-place operations; three times faster here than one
    multiplication per point. Made once per set of coefficients, applied to many point sets."""

    def __init__(self, coefficients: Sequence[int]) -> None:
        if not coefficients or not any(coefficients):
            raise PointError("no points to combine")
        self._negative = tuple(c < 0 for c in coefficients)
        magnitudes = [abs(c) for c in coefficients]
        self._steps = tuple(tuple(i for i, m in enumerate(magnitudes) if m >> bit & 1)
                            for bit in range(max(magnitudes).bit_length() - 1, -1, -1))

    def apply(self, points: Sequence[EccPoint]) -> EccPoint:
        signed = [-p if negative else p for p, negative in zip(points, self._negative, strict=True)]
        first, *rest = self._steps
        total = signed[first[0]].copy()
        for i in first[1:]:
            total += signed[i]
        for step in rest:
            total.double()
            for i in step:
                total += signed[i]
        return total


def weighted_sum(weights: Sequence[int], points: Sequence[EccPoint], bits: int) -> EccPoint:
    """``Σ w_j·P_j`` for many points and public weights ``0 <= w_j < 2**bits``, by Pippenger's
    bucket method: about ``bits/c`` additions per point (windows of c bits) instead of one
    multiplication each, which costs about four times as much here. Additions and doublings are
    PyCryptodome's; ``points`` are not changed."""
    count = len(points)
    if len(weights) != count:
        raise ValueError("one weight per point")
    c = max(2, min(8, count.bit_length() - 2))
    mask = (1 << c) - 1
    total = generator().point_at_infinity()
    for window in reversed(range(-(-bits // c))):
        for _ in range(c):
            total.double()
        buckets: list[EccPoint | None] = [None] * (mask + 1)
        shift = window * c
        for weight, point in zip(weights, points, strict=True):
            digit = (weight >> shift) & mask
            if digit:
                bucket = buckets[digit]
                if bucket is None:
                    buckets[digit] = point.copy()
                else:
                    bucket += point
        running = generator().point_at_infinity()
        for digit in range(mask, 0, -1):  # Σ digit·bucket[digit] as a sum of running sums
            bucket = buckets[digit]
            if bucket is not None:
                running += bucket
            total += running
    return total


def public_key(point: EccPoint) -> ec.EllipticCurvePublicKey:
    """The point as a ``cryptography`` public key (for key ids and PEM files)."""
    return ec.EllipticCurvePublicKey.from_encoded_point(_SECP256R1, encode(point))


def raw_public_key(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


class SecretMultiplier:
    """``s·E`` for many points E and one secret s (a trustee's share), as full points.

    OpenSSL's ECDH (``cryptography``) multiplies in constant time but gives only the x-coordinate
    of ``s·E``, which names two points, ±(x, y). The sign is told by a second exchange with
    ``s + 1``: of the two candidates P, only the right one has ``x(P + E) = x((s+1)·E)`` (the
    other would need ``2E = 0``). Decompressing ``x`` is OpenSSL's, the addition PyCryptodome's;
    ``EccPoint`` checks the result is on the curve."""

    def __init__(self, scalar: int) -> None:
        s = scalar % ORDER
        if s in (0, ORDER - 1):
            raise PointError("the share is not usable as a scalar")
        self._key = ec.derive_private_key(s, _SECP256R1)
        self._next = ec.derive_private_key(s + 1, _SECP256R1)

    def times(self, point_bytes: bytes) -> EccPoint:
        """``s·E`` for an uncompressed point E (``PointError`` when E is not on the curve)."""
        return decode(self.partial(point_bytes)[0])

    def partial(self, point_bytes: bytes) -> tuple[bytes, EccPoint]:
        """``s·E`` encoded, and E as a point (checked on the curve), for an uncompressed E."""
        try:
            other = ec.EllipticCurvePublicKey.from_encoded_point(_SECP256R1, bytes(point_bytes))
        except ValueError as exc:
            raise PointError("the point is not on the P-256 curve") from exc
        x = self._key.exchange(ec.ECDH(), other)
        x_next = self._next.exchange(ec.ECDH(), other)
        candidate_bytes = raw_public_key(ec.EllipticCurvePublicKey.from_encoded_point(_SECP256R1, b"\x02" + x))
        base = decode(bytes(point_bytes))
        moved = decode(candidate_bytes)
        moved += base
        if not moved.is_point_at_infinity() and x_bytes(moved) == x_next:
            return candidate_bytes, base
        # The other point with this x: -(x, y) = (x, p - y).
        y = int.from_bytes(candidate_bytes[33:], "big")
        return candidate_bytes[:33] + (_P - y).to_bytes(32, "big"), base
