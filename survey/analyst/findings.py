"""The report's first page: response counts, the main scores with their 95% intervals, and the
largest differences between groups that survive suppression, each figure a row of aggregates.csv.

A :class:`Figure` names the row it comes from by the file's own columns (table, questionnaire,
variable, by, group, category, statistic), so a reader can find every number of the first page in
aggregates.csv; report.html carries those columns as ``data-`` attributes of the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.analyst.aggregate import ALL, NO_ANSWER, TOTAL, Table
from survey.analyst.suppress import PUBLISHED
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Questionnaire, Score

#: How many differences between groups the first page shows at most.
MAX_DIFFERENCES = 5


@dataclass(frozen=True)
class Figure:
    """One published number and the aggregates.csv row it is."""

    table: str
    questionnaire: str
    variable: str
    by: str
    group: str
    category: str
    statistic: str
    value: float

    def row(self) -> dict[str, str]:
        return {"table": self.table, "questionnaire": self.questionnaire, "variable": self.variable,
                "by": self.by, "group": self.group, "category": self.category, "statistic": self.statistic}


def figure(t: Table, group: str, column: str) -> Figure | None:
    """The published number of a table's cell, or None when it is hidden or empty."""
    c = t.cells[t.rows.index(group)][t.columns.index(column)]
    if c.status != PUBLISHED or c.value is None:
        return None
    category, statistic = (column, "count") if t.statistic else ("", column)
    return Figure(t.kind, t.questionnaire, t.variable, t.by, group, category, statistic, float(c.value))


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% interval and its n, for one group (``ALL``: every response)."""

    group: str
    n: Figure
    mean: Figure
    low: Figure | None
    high: Figure | None


def estimate(t: Table, group: str) -> Estimate | None:
    n, mean = figure(t, group, "n"), figure(t, group, "mean")
    if n is None or mean is None:
        return None
    return Estimate(group, n, mean, figure(t, group, "ci95_low"), figure(t, group, "ci95_high"))


@dataclass(frozen=True)
class Difference:
    """The groups of one breakdown with the highest and the lowest mean score."""

    questionnaire: str
    score: str
    by: str
    highest: Estimate
    lowest: Estimate
    #: The gap as a share of the score's whole range (how the differences are ranked).
    size: float

    @property
    def intervals_overlap(self) -> bool:
        hi_low, lo_high = self.highest.low, self.lowest.high
        return hi_low is None or lo_high is None or hi_low.value <= lo_high.value


@dataclass
class KeyFindings:
    responses: list[Figure]
    scores: list[tuple[Score, Estimate]]
    differences: list[Difference]


def score_range(q: Questionnaire, sc: Score) -> tuple[int, int]:
    """The lowest and highest score a response can get (a mean stays on the items' scale)."""
    points = [p.value for p in q.question(sc.items[0]).scale]
    lo, hi = min(points), max(points)
    return (lo, hi) if sc.method == "mean" else (lo * len(sc.items), hi * len(sc.items))


def _find(tables: list[Table], kind: str, variable: str, by: str = "") -> Table | None:
    return next((t for t in tables if (t.kind, t.variable, t.by) == (kind, variable, by)), None)


def key_findings(questionnaires: list[Questionnaire], tables: list[Table]) -> KeyFindings:
    found = KeyFindings([], [], [])
    for q in questionnaires:
        mine = [t for t in tables if t.questionnaire == q.key]
        responses = _find(mine, "responses", "", "survey")
        if responses is not None and (total := figure(responses, ALL, TOTAL)) is not None:
            found.responses.append(total)
        for sc in q.scores:
            overall = _find(mine, "score", sc.code)
            if overall is not None and (whole := estimate(overall, ALL)) is not None:
                found.scores.append((sc, whole))
            lo, hi = score_range(q, sc)
            for t in mine:
                if t.kind != "score_by" or t.variable != sc.code:
                    continue
                groups = [est for g in t.rows if g not in (NO_ANSWER, PREFER_NOT_TO_SAY)
                          and (est := estimate(t, g)) is not None]
                if len(groups) < 2:
                    continue
                groups.sort(key=lambda est: est.mean.value)
                gap = groups[-1].mean.value - groups[0].mean.value
                if gap > 0:
                    found.differences.append(Difference(q.key, sc.code, t.by, groups[-1], groups[0], gap / (hi - lo)))
    found.differences.sort(key=lambda d: -d.size)
    del found.differences[MAX_DIFFERENCES:]
    return found
