"""95% confidence intervals: Wilson's score interval for a proportion, Student's t for a mean.

Standard library only. Wilson's interval (Wilson 1927) stays inside [0, 1] and keeps close to its
nominal coverage for small counts and proportions near 0 or 1, where the normal ("Wald") interval
does not. A mean's interval is mean ± t(0.975, n - 1) · sd / √n, with Student's t rather than the
normal quantile: at the group sizes the report publishes (n ≥ k, 10 by default) the normal
quantile (1.96 against 2.26 at n = 10) would be too narrow. The t quantile is worked out exactly
from the t distribution's closed form for whole degrees of freedom up to 200 and from its
Cornish-Fisher expansion above (error below 1e-9 there).
"""

from __future__ import annotations

import math
from functools import cache
from statistics import NormalDist

LEVEL = 0.95
Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)  # 1.959963984540054


def wilson(count: float, n: float, z: float = Z) -> tuple[float, float] | None:
    """Wilson's score interval for ``count`` successes out of ``n`` (None when n is not positive)."""
    if n <= 0:
        return None
    p = min(max(count / n, 0.0), 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # at p = 0 (p = 1) the bound is exactly 0 (1); rounding would leave a trace like 3e-17
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return low, high


def _two_sided(theta: float, df: int) -> float:
    """P(|T| <= tan(theta)·√df) for Student's t with ``df`` degrees of freedom (closed form)."""
    s, c = math.sin(theta), math.cos(theta)
    c2 = c * c
    if df % 2:
        term, total = c, c if df > 1 else 0.0
        for j in range(3, df - 1, 2):
            term *= c2 * (j - 1) / j
            total += term
        return 2 / math.pi * (theta + s * total)
    term, total = 1.0, 1.0
    for j in range(2, df - 1, 2):
        term *= c2 * (j - 1) / j
        total += term
    return s * total


@cache
def t_quantile(df: int, level: float = LEVEL) -> float:
    """The t value with ``level`` of Student's t (``df`` degrees of freedom) between -t and t."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df > 200:
        z = NormalDist().inv_cdf(0.5 + level / 2)
        z3, z5, z7, z9 = z**3, z**5, z**7, z**9
        return (z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df**2)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df**3)
                + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df**4))
    lo, hi = 0.0, math.pi / 2
    for _ in range(64):  # bisection on the angle: 64 halvings are below a double's resolution
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _two_sided(mid, df) < level else (lo, mid)
    return math.tan((lo + hi) / 2) * math.sqrt(df)


def mean_interval(mean: float, sd: float, n: int) -> tuple[float, float] | None:
    """The t interval of a mean from its sample standard deviation and size (None below n = 2)."""
    if n < 2:
        return None
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half
