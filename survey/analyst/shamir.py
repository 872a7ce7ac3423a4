"""Shamir's secret sharing over the integers modulo the order of the P-256 group.

One scheme serves both key custody modes: the shares rebuild the private key (recovery), and the
same shares, applied to an envelope's encapsulated point, combine into its Diffie–Hellman value
(threshold decryption, "Lagrange in the exponent"). Only integer arithmetic lives here; points are
in :mod:`survey.analyst.group`.

``integer_coefficients`` is what keeps threshold decryption fast: with ``Δ = N!``, every
``Δ·λ_i`` is a whole number of a few bits (Shoup, "Practical threshold signatures", 2000), so
combining K partial points costs K multiplications by small public numbers instead of K full
ones. The key custody module therefore shares ``x·Δ⁻¹`` rather than the private key ``x``.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

#: The order n of the P-256 group (SEC 2, secp256r1): shares and secrets are integers modulo n.
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
#: At most this many shares (share indices are 1..N; N! stays a small number).
MAX_SHARES = 16


class SharingError(ValueError):
    """Shares that cannot be made or combined: K or N out of range, repeated or unknown indices."""


def check_threshold(k: int, n: int) -> None:
    if not 2 <= k <= n <= MAX_SHARES:
        raise SharingError(f"need 2 <= K <= N <= {MAX_SHARES}, got K={k}, N={n}")


def evaluate(coefficients: Sequence[int], x: int) -> int:
    """The polynomial ``c0 + c1·x + c2·x² + ...`` at ``x``, modulo n (Horner's rule)."""
    value = 0
    for c in reversed(coefficients):
        value = (value * x + c) % ORDER
    return value


def split(secret: int, k: int, n: int) -> dict[int, int]:
    """Shares 1..n of ``secret``: any k of them give it back, k−1 say nothing about it.

    The polynomial's other k−1 coefficients are drawn uniformly modulo n from ``secrets``."""
    check_threshold(k, n)
    if not 0 <= secret < ORDER:
        raise SharingError("the secret must be an integer modulo the group order")
    coefficients = [secret, *(secrets.randbelow(ORDER) for _ in range(k - 1))]
    return {i: evaluate(coefficients, i) for i in range(1, n + 1)}


def _check_indices(indices: Iterable[int]) -> list[int]:
    chosen = list(indices)
    if len(set(chosen)) != len(chosen):
        raise SharingError(f"share indices repeat: {sorted(chosen)}")
    if not chosen or not all(1 <= i <= MAX_SHARES for i in chosen):
        raise SharingError(f"share indices must be 1..{MAX_SHARES}: {sorted(chosen)}")
    return chosen


def lagrange_at(indices: Iterable[int], x: int) -> dict[int, int]:
    """λ_i modulo n, so that ``f(x) = Σ λ_i·f(i)`` for any polynomial of degree < len(indices)."""
    chosen = _check_indices(indices)
    out = {}
    for i in chosen:
        num = den = 1
        for j in chosen:
            if j != i:
                num = num * (x - j) % ORDER
                den = den * (i - j) % ORDER
        out[i] = num * pow(den, -1, ORDER) % ORDER
    return out


def lagrange_at_zero(indices: Iterable[int]) -> dict[int, int]:
    """λ_i modulo n, so that ``f(0) = Σ λ_i·f(i)`` for any polynomial of degree < len(indices)."""
    return lagrange_at(indices, 0)


def combine(shares: Mapping[int, int]) -> int:
    """``f(0)`` from shares ``{i: f(i)}`` (as many as the threshold; more are used too)."""
    lam = lagrange_at_zero(shares)
    return sum(lam[i] * v for i, v in shares.items()) % ORDER


def delta(n: int) -> int:
    """Δ = N!: every Lagrange coefficient at 0 of indices in 1..N, times Δ, is an integer."""
    return math.factorial(n)


def integer_coefficients(indices: Iterable[int], n: int) -> dict[int, int]:
    """``Δ(n)·λ_i`` as exact (signed, small) integers: ``Δ·f(0) = Σ c_i·f(i)`` over the integers
    modulo n. Raises ``SharingError`` for an index above n."""
    chosen = _check_indices(indices)
    if max(chosen) > n:
        raise SharingError(f"share index {max(chosen)} is above N={n}")
    out = {}
    for i in chosen:
        c = Fraction(delta(n))
        for j in chosen:
            if j != i:
                c *= Fraction(j, j - i)
        if c.denominator != 1:  # pragma: no cover - cannot happen for indices within 1..n
            raise SharingError("N! does not clear the denominators")
        out[i] = int(c)
    return out
