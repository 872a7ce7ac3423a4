"""Shamir's scheme modulo the P-256 group order, on its own (survey.analyst.shamir)."""

from __future__ import annotations

import secrets
from itertools import combinations

import pytest

from survey.analyst import shamir


def test_every_k_subset_gives_the_secret_back() -> None:
    secret = secrets.randbelow(shamir.ORDER)
    shares = shamir.split(secret, 3, 5)
    assert sorted(shares) == [1, 2, 3, 4, 5]
    for subset in combinations(shares, 3):
        assert shamir.combine({i: shares[i] for i in subset}) == secret


def test_k_minus_one_shares_fit_every_secret_equally() -> None:
    """Any K−1 shares and *any* candidate secret lie on exactly one polynomial of degree < K, so
    the K−1 shares say nothing about which secret it is; combining them alone gives a wrong one."""
    secret = secrets.randbelow(shamir.ORDER)
    shares = shamir.split(secret, 3, 5)
    two = {1: shares[1], 4: shares[4]}
    assert shamir.combine(two) != secret
    for candidate in (0, 1, secrets.randbelow(shamir.ORDER)):
        # The share at index 2 that the polynomial through (0, candidate), (1, .), (4, .) has:
        points = {0: candidate, **two}
        implied = 0
        for i, v in points.items():
            num = den = 1
            for j in points:
                if j != i:
                    num, den = num * (2 - j), den * (i - j)
            implied += v * num * pow(den, -1, shamir.ORDER)
        assert shamir.combine({**two, 2: implied % shamir.ORDER}) == candidate


def test_integer_coefficients_are_n_factorial_times_lagrange() -> None:
    secret = secrets.randbelow(shamir.ORDER)
    shares = shamir.split(secret, 3, 5)
    for subset in combinations(range(1, 6), 3):
        c = shamir.integer_coefficients(subset, 5)
        assert all(abs(v) < 2**12 for v in c.values())
        assert sum(c[i] * shares[i] for i in subset) % shamir.ORDER == shamir.delta(5) * secret % shamir.ORDER


def test_evaluate_is_the_polynomial() -> None:
    assert shamir.evaluate([5, 3, 2], 4) == 5 + 3 * 4 + 2 * 16


@pytest.mark.parametrize(("k", "n"), [(1, 5), (6, 5), (2, 17)])
def test_a_threshold_out_of_range_is_refused(k: int, n: int) -> None:
    with pytest.raises(shamir.SharingError):
        shamir.split(7, k, n)


def test_repeated_indices_are_refused() -> None:
    with pytest.raises(shamir.SharingError, match="repeat"):
        shamir.lagrange_at_zero([1, 1, 2])


def test_the_polynomials_other_coefficients_are_fresh_each_time() -> None:
    assert shamir.split(7, 2, 3) != shamir.split(7, 2, 3)
