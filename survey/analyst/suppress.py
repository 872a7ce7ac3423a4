"""Small-cell suppression for published tables, and optional noise for differential privacy.

A one-way table is a list of counts whose total is published: ``suppress_1d`` (shared with the
console, so it lives in ``survey.core.suppression``, where its rule and the reason it holds are
written down) hides every count with 0 < n < k and complements chosen so that no hidden count can
be worked out, even by someone who knows the rule. A two-way table is a matrix of counts whose row
totals and column totals are one-way tables of their own (published elsewhere with their own
suppression), and whose grand total is published.

1. Primary suppression: every cell with 0 < n < k.
2. Complementary suppression: a line (row or column, with its total) with exactly one hidden
   value would give that value away by subtraction, so the next-smallest published interior count
   in it is hidden too (a non-zero one when there is one). Repeated until nothing changes.
3. A linear check: with the published counts and totals as equations, a hidden value that is
   still fixed by them (e.g. a "bridge" between two blocks of hidden cells) gets one more
   complement next to it, and the check runs again.

Margins are never chosen as complements: they are shared between tables (the one-way frequency of
a question is the column total of each of its cross-tables), so hiding one only in some tables
would not protect it. Zeros are published: they are not small cells.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence

from survey.core.suppression import COMPLEMENT, PRIMARY, PUBLISHED, suppress_1d

__all__ = ["COMPLEMENT", "PRIMARY", "PUBLISHED", "geometric_noise", "suppress_1d", "suppress_2d"]


def _hide_next(counts: Sequence[int], status: list[str], indices: Sequence[int] | range) -> bool:
    """Hide the smallest published count among ``indices``, preferring non-zero ones."""
    open_ = [i for i in indices if status[i] == PUBLISHED]
    if not open_:
        return False
    best = min(open_, key=lambda i: (counts[i] == 0, counts[i]))
    status[best] = COMPLEMENT
    return True


def suppress_2d(
    cells: Sequence[Sequence[int]], row_status: Sequence[str], col_status: Sequence[str], k: int
) -> list[list[str]]:
    """Status of each interior cell of a two-way table (see the module docstring)."""
    rows, cols = len(cells), len(cells[0]) if cells else 0
    flat = [cells[r][c] for r in range(rows) for c in range(cols)]
    total = sum(flat)
    status = [PRIMARY if 0 < n < k else PUBLISHED for n in flat]
    if total < k:
        status = [PRIMARY if n else PUBLISHED for n in flat]
        return [status[r * cols : (r + 1) * cols] for r in range(rows)]
    row_lines = [[r * cols + c for c in range(cols)] for r in range(rows)]
    col_lines = [[r * cols + c for r in range(rows)] for c in range(cols)]
    lines = [(ln, row_status[r] != PUBLISHED) for r, ln in enumerate(row_lines)]
    lines += [(ln, col_status[c] != PUBLISHED) for c, ln in enumerate(col_lines)]
    for _round in range(rows * cols + 1):
        changed = True
        while changed:
            changed = False
            for line, margin_hidden in lines:
                hidden = sum(1 for i in line if status[i] != PUBLISHED) + margin_hidden
                if hidden == 1 and _hide_next(flat, status, line):
                    changed = True
        fixed = _determined(flat, status, rows, cols, row_status, col_status)
        if not fixed:
            break
        for var in fixed:
            kind, index = var
            if kind == "cell":
                r, c = divmod(index, cols)
                if _hide_next(flat, status, row_lines[r]) or _hide_next(flat, status, col_lines[c]):
                    break
            else:
                line = row_lines[index] if kind == "row" else col_lines[index]
                if _hide_next(flat, status, line):
                    break
        else:
            break  # nothing left to hide: the table is as protected as it can be
    return [status[r * cols : (r + 1) * cols] for r in range(rows)]


def _determined(
    flat: Sequence[int], status: Sequence[str], rows: int, cols: int,
    row_status: Sequence[str], col_status: Sequence[str],
) -> list[tuple[str, int]]:
    """Hidden values (cells or margins) that the published equations pin down exactly."""
    # Imported here, not at the top: numpy takes a tenth of a second to import, and the report
    # needs it only once every response has been counted (matplotlib has loaded it by then).
    import numpy as np

    variables: list[tuple[str, int]] = [("cell", i) for i, s in enumerate(status) if s != PUBLISHED]
    variables += [("row", r) for r in range(rows) if row_status[r] != PUBLISHED]
    variables += [("col", c) for c in range(cols) if col_status[c] != PUBLISHED]
    if not variables:
        return []
    where = {v: j for j, v in enumerate(variables)}

    def total(cells: range, margin: tuple[str, int]) -> list[float]:
        """The equation "these cells add up to this margin", over the hidden values only."""
        eq = [0.0] * len(variables)
        for i in cells:
            if ("cell", i) in where:
                eq[where["cell", i]] = 1.0
        if margin in where:
            eq[where[margin]] = -1.0
        return eq

    equations = [total(range(r * cols, (r + 1) * cols), ("row", r)) for r in range(rows)]
    equations += [total(range(c, rows * cols, cols), ("col", c)) for c in range(cols)]
    for kind in ("row", "col"):
        eq = [1.0 if v[0] == kind else 0.0 for v in variables]
        equations.append(eq)
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    fixed = []
    for j, var in enumerate(variables):
        unit = np.zeros((1, len(variables)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            fixed.append(var)
    return fixed


# -- differential privacy ----------------------------------------------------------------------


def geometric_noise(epsilon: float, rng: secrets.SystemRandom | None = None) -> int:
    """Two-sided geometric (discrete Laplace) noise for a count of sensitivity 1: P(z) ∝ e^(-ε|z|).

    Drawn as the difference of two geometric variables with success probability 1 - e^(-ε),
    from the operating system's random source."""
    rng = rng or secrets.SystemRandom()
    p = 1.0 - math.exp(-epsilon)

    def geometric() -> int:
        u = 1.0 - rng.random()  # (0, 1]
        return int(math.floor(math.log(u) / math.log(1.0 - p))) if p < 1.0 else 0

    return geometric() - geometric()
