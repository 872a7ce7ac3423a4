"""The trustee's batched Chaum–Pedersen proof, and the P-256 helpers it stands on."""

from __future__ import annotations

import secrets

import pytest

from survey.analyst import dleq, group
from survey.analyst.shamir import ORDER


def _pairs(secret: int, count: int) -> list[tuple[int, bytes, bytes]]:
    multiplier = group.SecretMultiplier(secret)
    out = []
    for number in range(1, count + 1):
        e = group.encode(group.base_times_secret(secrets.randbelow(ORDER - 1) + 1))
        out.append((number, e, group.encode(multiplier.times(e))))
    return out


def test_the_secret_multiplier_gives_the_full_point_of_both_signs() -> None:
    """OpenSSL's ECDH gives x only; the sign comes from (s+1)·E. Over many points both signs occur."""
    secret = secrets.randbelow(ORDER - 2) + 1
    multiplier = group.SecretMultiplier(secret)
    parities = set()
    for _ in range(40):
        e = group.base_times_secret(secrets.randbelow(ORDER - 1) + 1)
        expected = group.encode(group.times_secret(e, secret))
        assert group.encode(multiplier.times(group.encode(e))) == expected
        parities.add(expected[-1] & 1)
    assert parities == {0, 1}


def test_a_point_off_the_curve_is_refused() -> None:
    e = bytearray(group.encode(group.base_times_secret(5)))
    e[-1] ^= 1
    with pytest.raises(group.PointError):
        group.decode(bytes(e))
    with pytest.raises(group.PointError):
        group.SecretMultiplier(7).times(bytes(e))


def test_weighted_sum_is_the_sum_of_multiples() -> None:
    points = [group.base_times_secret(secrets.randbelow(ORDER)) for _ in range(50)]
    weights = [secrets.randbits(64) for _ in points]
    weights[3] = 0
    expected = group.combination((group.PublicScalar(w), p) for w, p in zip(weights, points, strict=True) if w)
    assert group.encode(group.weighted_sum(weights, points, 64)) == group.encode(expected)


def test_a_proof_holds_for_right_partials() -> None:
    secret = secrets.randbelow(ORDER - 2) + 1
    pairs = _pairs(secret, 30)
    proof = dleq.prove(secret, b"context", pairs)
    assert dleq.verify(group.encode(group.base_times_secret(secret)), b"context", pairs, proof)


def test_a_proof_fails_for_one_wrong_partial_another_context_or_another_share() -> None:
    secret = secrets.randbelow(ORDER - 2) + 1
    pairs = _pairs(secret, 30)
    proof = dleq.prove(secret, b"context", pairs)
    public = group.encode(group.base_times_secret(secret))
    wrong = list(pairs)
    wrong[7] = (8, pairs[7][1], group.encode(group.times_secret(group.decode(pairs[7][1]), secret + 1)))
    assert not dleq.verify(public, b"context", wrong, proof)
    assert not dleq.verify(public, b"other context", pairs, proof)
    assert not dleq.verify(group.encode(group.base_times_secret(secret + 1)), b"context", pairs, proof)
    assert not dleq.verify(public, b"context", pairs[:-1], proof)


def test_two_wrong_partials_whose_errors_cancel_in_a_plain_sum_are_caught() -> None:
    """A trustee who knows its share proves P_a + D and P_b − D: their plain sum is right, so only
    the hashed weights make the fold see them."""
    secret = secrets.randbelow(ORDER - 2) + 1
    pairs = _pairs(secret, 10)
    d = group.base_times_secret(12345)
    a, b = group.decode(pairs[2][2]), group.decode(pairs[5][2])
    a += d
    b += -d
    forged = list(pairs)
    forged[2] = (3, pairs[2][1], group.encode(a))
    forged[5] = (6, pairs[5][1], group.encode(b))
    proof = dleq.prove(secret, b"context", forged)
    assert not dleq.verify(group.encode(group.base_times_secret(secret)), b"context", forged, proof)
