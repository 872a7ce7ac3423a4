"""Small-cell suppression: small cells and their complements are hidden, and no hidden value can
be worked out from what is published (checked here by integer linear programming, independently
of how the suppression was chosen)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from survey.analyst.suppress import COMPLEMENT, PRIMARY, PUBLISHED, suppress_1d, suppress_2d


def feasible_range(
    cells: Sequence[Sequence[int | None]], row_totals: Sequence[int | None], col_totals: Sequence[int | None],
    grand_total: int,
) -> dict[tuple[str, int, int], tuple[int, int]]:
    """For every unknown (None) interior cell or margin: the smallest and largest whole, non-negative
    value consistent with everything published (rows and columns add up to their totals, the
    totals add up to the grand total)."""
    rows, cols = len(cells), len(cells[0])
    unknowns: list[tuple[str, int, int]] = [("cell", r, c) for r in range(rows) for c in range(cols) if cells[r][c] is None]
    unknowns += [("row", r, -1) for r in range(rows) if row_totals[r] is None]
    unknowns += [("col", -1, c) for c in range(cols) if col_totals[c] is None]
    if not unknowns:
        return {}
    idx = {u: j for j, u in enumerate(unknowns)}
    a_rows, b = [], []

    def equation(terms: list[tuple[tuple[str, int, int] | int, float]]) -> None:
        coef = np.zeros(len(unknowns))
        rhs = 0.0
        for term, sign in terms:
            if isinstance(term, tuple):
                coef[idx[term]] += sign
            else:
                rhs -= sign * term
        a_rows.append(coef)
        b.append(rhs)

    def known_or(value: int | None, unknown: tuple[str, int, int]) -> tuple[str, int, int] | int:
        return unknown if value is None else value

    for r in range(rows):
        terms = [(known_or(cells[r][c], ("cell", r, c)), 1.0) for c in range(cols)]
        terms.append((known_or(row_totals[r], ("row", r, -1)), -1.0))
        equation(terms)
    for c in range(cols):
        terms = [(known_or(cells[r][c], ("cell", r, c)), 1.0) for r in range(rows)]
        terms.append((known_or(col_totals[c], ("col", -1, c)), -1.0))
        equation(terms)
    equation([(known_or(row_totals[r], ("row", r, -1)), 1.0) for r in range(rows)] + [(grand_total, -1.0)])
    equation([(known_or(col_totals[c], ("col", -1, c)), 1.0) for c in range(cols)] + [(grand_total, -1.0)])
    constraint = LinearConstraint(np.array(a_rows), np.array(b), np.array(b))
    out = {}
    for u, j in idx.items():
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(unknowns))
            objective[j] = sign
            res = milp(objective, integrality=np.ones(len(unknowns)), bounds=Bounds(0, grand_total), constraints=constraint)
            assert res.success, res.message
            ends.append(round(res.x[j]))
        out[u] = (ends[0], ends[1])
    return out


def published_view(table: list[list[int]], k: int) -> tuple[list[list[int | None]], list[int | None], list[int | None], list[list[str]]]:
    row_sums = [sum(r) for r in table]
    col_sums = [sum(c) for c in zip(*table, strict=True)]
    row_status, col_status = suppress_1d(row_sums, k), suppress_1d(col_sums, k)
    status = suppress_2d(table, row_status, col_status, k)
    cells = [[None if s != PUBLISHED else v for v, s in zip(row, srow, strict=True)] for row, srow in zip(table, status, strict=True)]
    rows = [None if s != PUBLISHED else v for v, s in zip(row_sums, row_status, strict=True)]
    cols = [None if s != PUBLISHED else v for v, s in zip(col_sums, col_status, strict=True)]
    return cells, rows, cols, status


def assert_nothing_recoverable(table: list[list[int]], k: int) -> list[list[str]]:
    cells, rows, cols, status = published_view(table, k)
    for (kind, r, c), (low, high) in feasible_range(cells, rows, cols, sum(map(sum, table))).items():
        true = table[r][c] if kind == "cell" else sum(table[r]) if kind == "row" else sum(row[c] for row in table)
        assert low <= true <= high
        assert low < high, f"hidden {kind} {r},{c} = {true} is recoverable from the published totals"
    return status


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column() -> None:
    table = [[20, 3, 15],
             [30, 25, 40],
             [12, 18, 22]]
    status = assert_nothing_recoverable(table, k=10)
    assert status[0][1] == PRIMARY
    hidden = [(r, c) for r in range(3) for c in range(3) if status[r][c] != PUBLISHED]
    assert sum(1 for r, c in hidden if r == 0) >= 2 and sum(1 for r, c in hidden if c == 1) >= 2
    # The complement in row 0 is the next smallest cell (12 is not in row 0; 15 is).
    assert status[0][2] == COMPLEMENT
    # No published cell is below k, and published cells are exactly the unsuppressed ones.
    assert all(not (0 < table[r][c] < 10) for r in range(3) for c in range(3) if status[r][c] == PUBLISHED)


def test_a_hidden_cell_pinned_by_the_totals_after_the_line_rule_gets_more_company() -> None:
    # Every row and column here ends the line rule with two or more hidden counts, yet the
    # published totals still pin the 4 in the middle row (found by a random search with the
    # linear check switched off); the linear check in suppress_2d must hide more.
    table = [[0, 1, 20, 3],
             [4, 4, 3, 0],
             [35, 0, 9, 0]]
    status = assert_nothing_recoverable(table, k=10)
    assert status[1][1] != PUBLISHED


def test_one_way_tables_never_leave_a_single_hidden_count() -> None:
    # Complements are taken from the end of the list until the hidden counts include one of at
    # least k and add up to 2k - 1 + (h - 2) or more (survey/core/suppression.py): 3 + 12 = 15
    # would let a reader who knows the rule bound the 3 to 1..5, so the 40 goes too.
    assert suppress_1d([50, 3, 40, 12], 10) == [PUBLISHED, PRIMARY, COMPLEMENT, COMPLEMENT]
    # Two small counts alone are not enough: 3 + 4 = 7 is itself a count below k.
    assert suppress_1d([50, 3, 4, 12], 10) == [COMPLEMENT, PRIMARY, PRIMARY, COMPLEMENT]
    assert suppress_1d([50, 0, 40], 10) == [PUBLISHED] * 3  # zeros are not small cells
    assert suppress_1d([5, 2], 10) == [PRIMARY, PRIMARY]  # the total itself is below k
    assert suppress_1d([5, 0, 2], 10) == [PRIMARY, COMPLEMENT, PRIMARY]  # ... so its zeros go too
    assert suppress_1d([1, 1, 10], 10) == [PRIMARY, PRIMARY, COMPLEMENT]  # not two 1s beside a 10


def test_random_tables_never_leave_a_recoverable_hidden_cell() -> None:
    rng = random.Random(7)
    for _ in range(40):
        rows, cols = rng.randint(2, 5), rng.randint(2, 5)
        table = [[rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 35]) for _c in range(cols)] for _r in range(rows)]
        if sum(map(sum, table)) < 10:
            continue
        assert_nothing_recoverable(table, k=10)
