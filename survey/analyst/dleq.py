"""Proof that a trustee's partial decryptions of a block of envelopes are right: a batched
Chaum–Pedersen proof of equal discrete logarithms (DLEQ).

Statement: the trustee knows ``s`` with ``S = s·G`` (its public share) and ``P_j = s·E_j`` for every
envelope j of the block (``E_j`` its encapsulated point, ``P_j`` the partial). The pairs are folded
into one with weights drawn from a hash of all of them (the batching of RFC 9497, 2.2.1):

    seed = SHA-256(context ‖ E_1 ‖ P_1 ‖ …),   ρ_j = 64 bits of SHA-256(seed ‖ j)
    E* = Σ ρ_j·E_j,   P* = Σ ρ_j·P_j  (= s·E* when every P_j is right)

and one Chaum–Pedersen proof shows ``log_G S = log_E* P*``: A = r·G, B = r·E*,
c = H(seed, S, E*, P*, A, B), z = r + c·s; it holds when ``z·G − c·S = A`` and ``z·E* − c·P* = B``.
A block with a wrong ``P_j`` passes only if the weights happen to cancel its error, which a
cheater must find by trying about 2⁶⁴ blocks. The proof costs the trustee one multiplication by a
64-bit public number per envelope (E*), and three full multiplications per block; checking it
costs two such folds, and is only done for a block where an envelope did not open.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Sequence

from survey.analyst import group
from survey.analyst.shamir import ORDER

_U32 = struct.Struct(">I")
PROOF_SIZE = 64


def _seed(context: bytes, pairs: Sequence[tuple[int, bytes, bytes]]) -> bytes:
    h = hashlib.sha256(b"run-survey partial proof v1\x00" + context)
    for number, e, p in pairs:
        h.update(_U32.pack(number) + e + p)
    return h.digest()


WEIGHT_BITS = 64


def _weights(seed: bytes, count: int) -> list[int]:
    return [int.from_bytes(hashlib.sha256(seed + _U32.pack(j)).digest()[:8], "big") | 1 for j in range(count)]


def _fold(weights: Sequence[int], points: Sequence[group.Point]) -> group.Point:
    return group.weighted_sum(weights, points, WEIGHT_BITS)


def _challenge(seed: bytes, *points: group.Point) -> int:
    h = hashlib.sha512(seed)
    for p in points:
        h.update(group.encode(p))
    return int.from_bytes(h.digest(), "big") % ORDER


def prove(secret: int, context: bytes, pairs: Sequence[tuple[int, bytes, bytes]],
          bases: Sequence[group.Point] | None = None) -> bytes:
    """The 64-byte proof ``c ‖ z`` for ``pairs`` of (record number, E_j, P_j), all made with
    ``secret``. ``context`` binds the proof to the export, the trustee and the block; ``bases``,
    when given, are the E_j already decoded."""
    seed = _seed(context, pairs)
    points = bases if bases is not None else [group.decode(e) for _n, e, _p in pairs]
    e_star = _fold(_weights(seed, len(pairs)), points)
    p_star = group.times_secret(e_star, secret)
    public_share = group.base_times_secret(secret)
    r = secrets.randbelow(ORDER - 1) + 1
    c = _challenge(seed, public_share, e_star, p_star, group.base_times_secret(r), group.times_secret(e_star, r))
    z = (r + c * secret) % ORDER
    return c.to_bytes(32, "big") + z.to_bytes(32, "big")


def verify(public_share: bytes, context: bytes, pairs: Sequence[tuple[int, bytes, bytes]], proof: bytes) -> bool:
    """Whether ``proof`` shows every P_j of ``pairs`` is ``s·E_j`` for the s of ``public_share``."""
    if len(proof) != PROOF_SIZE or not pairs:
        return False
    c, z = int.from_bytes(proof[:32], "big"), int.from_bytes(proof[32:], "big")
    if not (0 <= c < ORDER and 0 <= z < ORDER):
        return False
    try:
        share = group.decode(public_share)
        weights = _weights(seed := _seed(context, pairs), len(pairs))
        e_star = _fold(weights, [group.decode(e) for _n, e, _p in pairs])
        p_star = _fold(weights, [group.decode(p) for _n, _e, p in pairs])
        a = group.generator() * z + (-share * c if c else share.point_at_infinity())
        b = e_star * z + (-p_star * c if c else p_star.point_at_infinity())
        return _challenge(seed, share, e_star, p_star, a, b) == c
    except group.PointError:
        return False
