"""The 95% intervals of survey.analyst.intervals against an independent computation with scipy:
Student's t quantile for every degree of freedom the report can meet, Wilson's interval by its
formula with scipy's normal quantile, and the properties that make them fit to publish."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm
from scipy.stats import t as student_t

from survey.analyst.intervals import mean_interval, t_quantile, wilson


@pytest.mark.parametrize("df", [*range(1, 260), 500, 1000, 9999, 99_999])
def test_t_quantile_matches_scipy(df: int) -> None:
    assert math.isclose(t_quantile(df), float(student_t.ppf(0.975, df)), rel_tol=1e-9)


def test_mean_interval_is_the_t_interval() -> None:
    mean, sd, n = 2.31, 0.74, 12
    half = float(student_t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    low, high = mean_interval(mean, sd, n) or (0.0, 0.0)
    assert math.isclose(low, mean - half, rel_tol=1e-12) and math.isclose(high, mean + half, rel_tol=1e-12)
    assert mean_interval(mean, sd, 1) is None


def scipy_wilson(count: int, n: int) -> tuple[float, float]:
    z = float(norm.ppf(0.975))
    p = count / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


@pytest.mark.parametrize(("count", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (3, 250), (999, 1000), (41, 97)])
def test_wilson_matches_the_formula_and_stays_in_0_1(count: int, n: int) -> None:
    got = wilson(count, n)
    assert got is not None
    low, high = got
    want_low, want_high = scipy_wilson(count, n)
    assert math.isclose(low, max(0.0, want_low), abs_tol=1e-12) and math.isclose(high, min(1.0, want_high), abs_tol=1e-12)
    assert 0.0 <= low <= count / n <= high <= 1.0
    assert wilson(0, 0) is None
