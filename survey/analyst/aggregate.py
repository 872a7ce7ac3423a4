"""Counting valid responses into bounded counters, and turning the counts into published tables.

Memory is constant in the number of responses: every counter is keyed by questionnaire, question,
option, breakdown group or score value, never by response. Worker processes fill their own
``Counts`` and the main process merges them."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from survey.analyst.intervals import mean_interval, wilson
from survey.analyst.suppress import COMPLEMENT, PRIMARY, PUBLISHED, geometric_noise, suppress_1d, suppress_2d
from survey.core.questionnaire import CHOICE_TYPES, PREFER_NOT_TO_SAY, Questionnaire

#: Breakdowns: lang and channel come from the document and the record; the others are question
#: codes that the instruments use for them.
DIMENSIONS = ("country", "lang", "channel", "gender", "age_band")
QUESTION_DIMENSIONS = ("country", "gender", "age_band")
NO_ANSWER = "(no answer)"
TOTAL = "(total)"
ALL = "(all)"
NO_SCORE = "(no score)"
#: The one category of number and text questions: answered (their content is never counted).
ANSWERED = "(answered)"


@dataclass
class Counts:
    responses: Counter[tuple[str, str]] = field(default_factory=Counter)
    answers: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    groups: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    cross: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)
    numbers: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    scores: Counter[tuple[str, str, str, str, float | None]] = field(default_factory=Counter)

    def add_rows(self, survey_uid: str, q: Questionnaire, rows: Sequence[CountedRow]) -> None:
        """Count a batch of valid responses to one questionnaire, column by column.

        Each column is tallied once with ``Counter`` (a C loop), and only the distinct values are
        turned into categories, so the cost per response is a few dictionary lookups."""
        if not rows:
            return
        qk, plan, dims, score_codes = _plan(q)
        self.responses[qk, survey_uid] += len(rows)
        answer_dicts = [r[2] for r in rows]
        dim_columns: list[tuple[str, list[str]]] = []
        for dim in dims:
            if dim == "lang":
                column = [r[0] for r in rows]
            elif dim == "channel":
                column = [r[1] for r in rows]
            else:
                column = [NO_ANSWER if v is None else str(v) for v in (a.get(dim) for a in answer_dicts)]
            dim_columns.append((dim, column))
            for group, n in Counter(column).items():
                self.groups[qk, dim, group] += n
        answers, cross, numbers = self.answers, self.cross, self.numbers
        for code, qtype, is_choice in plan:
            values = [a.get(code) for a in answer_dicts]
            if qtype == "multiple":
                values = [tuple(v) if type(v) is list else v for v in values]
            elif qtype == "text":  # the content of free text is never counted, only that it is there
                values = [v if v is None or v == PREFER_NOT_TO_SAY else ANSWERED for v in values]
            for value, n in Counter(values).items():
                for cat in categories_of(qtype, value):
                    answers[qk, code, cat] += n
                if qtype == "number" and type(value) is int:
                    numbers[qk, code, value] += n
            if is_choice:
                for dim, column in dim_columns:
                    if dim != code:
                        for (group, value), n in Counter(zip(column, values, strict=True)).items():
                            for cat in categories_of(qtype, value):
                                cross[qk, dim, group, code, cat] += n
        counted_scores = self.scores
        for i, code in enumerate(score_codes):
            points = [r[3][i] for r in rows]  # rounded below, once per distinct value
            for point, n in Counter(points).items():
                counted_scores[qk, code, "", ALL, _score_point(point)] += n
            for dim, column in dim_columns:
                for (group, point), n in Counter(zip(column, points, strict=True)).items():
                    counted_scores[qk, code, dim, group, _score_point(point)] += n

    def merge(self, other: Counts) -> None:
        for name in ("responses", "answers", "groups", "cross", "numbers", "scores"):
            getattr(self, name).update(getattr(other, name))


def _score_point(value: float | None) -> float | None:
    """A score as counted: six decimals, so that sums of floats that differ in the last bit meet."""
    return None if value is None else round(value, 6)


#: One valid response as counted: language, channel, answers, and its scores in the order of
#: the questionnaire's ``scores``.
CountedRow = tuple[str, str, Mapping[str, object], Sequence[float | None]]

_Plan = tuple[str, list[tuple[str, str, bool]], tuple[str, ...], tuple[str, ...]]
_plans: dict[int, tuple[_Plan, Questionnaire]] = {}


def _plan(q: Questionnaire) -> _Plan:
    """What to count for a questionnaire, worked out once per process: its key, its questions
    as (code, type, is a choice question), its breakdown dimensions and its score codes."""
    found = _plans.get(id(q))
    if found is None or found[1] is not q:
        codes = set(q.codes)
        dims = tuple(d for d in DIMENSIONS if d in ("lang", "channel") or d in codes)
        plan = [(x.code, x.type, x.type in CHOICE_TYPES) for x in q.questions()]
        found = ((q.key, plan, dims, tuple(sc.code for sc in q.scores)), q)
        _plans[id(q)] = found
    return found[0]


_NO_ANSWER = (NO_ANSWER,)
_PNTS = (PREFER_NOT_TO_SAY,)
_ANSWERED_CATS = (ANSWERED,)


def categories_of(qtype: str, value: object) -> tuple[str, ...]:
    """The categories an answer is counted under: its option code(s), prefer-not-to-say, no
    answer, or just "(answered)" for numbers and free text (whose content is never counted)."""
    if value is None:
        return _NO_ANSWER
    if value == PREFER_NOT_TO_SAY:
        return _PNTS
    if qtype == "single":
        return (value,)  # type: ignore[return-value]
    if qtype == "scale":
        return (str(value),)
    if qtype == "multiple" and isinstance(value, (list, tuple)):
        return tuple(value)
    return _ANSWERED_CATS


# -- published tables --------------------------------------------------------------------------


@dataclass
class Cell:
    value: float | int | None  # None when suppressed
    status: str = PUBLISHED


@dataclass
class Table:
    kind: str  # responses | frequency | crosstab | number | score | score_distribution | score_by
    questionnaire: str
    variable: str
    by: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Cell]]
    statistic: str = "count"  # "count", or "" when the columns are statistics
    title: str = ""
    #: One-way frequency tables: each category's share of the total with its 95% Wilson interval,
    #: (share, low, high), from the published count and total (none where either is hidden).
    intervals: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    #: Score distributions: each bin's lowest and highest score value, in the order of ``columns``.
    edges: list[tuple[float, float]] = field(default_factory=list)

    def suppressed(self) -> Counter[str]:
        return Counter(c.status for row in self.cells for c in row if c.status != PUBLISHED)


class Publisher:
    """Builds every published table from merged counts: suppression first, then optional noise."""

    def __init__(self, counts: Counts, questionnaires: Iterable[Questionnaire], k: int, epsilon: float | None):
        self.c = counts
        self.qs = list(questionnaires)
        self.k = k
        self.epsilon = epsilon
        self._noise: dict[tuple[object, ...], int] = {}

    def _count(self, key: tuple[object, ...], true: int, status: str) -> Cell:
        if status != PUBLISHED:
            return Cell(None, status)
        if self.epsilon is None:
            return Cell(true)
        if key not in self._noise:  # one noisy value per true count, however often it is shown
            self._noise[key] = max(0, true + geometric_noise(self.epsilon))
        return Cell(self._noise[key])

    def _one_way(self, kind: str, qk: str, variable: str, by: str, cats: list[str], counts: list[int], title: str,
                 total: int | None = None) -> tuple[Table, list[str]]:
        """Counts and their total; ``total`` is given when the counts do not add up to it
        (multiple choice: the total is the number of responses)."""
        status = suppress_1d(counts, self.k)
        cells = [self._count((qk, variable, c), n, s) for c, n, s in zip(cats, counts, status, strict=True)]
        total = sum(counts) if total is None else total
        total_cell = self._count((qk, variable, TOTAL), total, PRIMARY if 0 < total < self.k else PUBLISHED)
        cells.append(total_cell)
        table = Table(kind, qk, variable, by, [ALL], [*cats, TOTAL], [cells], title=title)
        if kind == "frequency":
            table.intervals = shares(cats, cells, total_cell)
        return table, status

    def tables(self) -> list[Table]:
        out: list[Table] = []
        for q in self.qs:
            qk = q.key
            if not any(key[0] == qk for key in self.c.responses):
                continue
            surveys = sorted(s for (k_, s) in self.c.responses if k_ == qk)
            t, _ = self._one_way("responses", qk, "", "survey", surveys,
                                 [self.c.responses[qk, s] for s in surveys], "Responses by survey")
            out.append(t)
            dims = self._dimensions(q)
            dim_status: dict[str, tuple[list[str], list[str]]] = {}
            for dim, groups in dims.items():
                counts = [self.c.groups[qk, dim, g] for g in groups]
                t, status = self._one_way("frequency", qk, dim, "", groups, counts, f"Responses by {dim}")
                dim_status[dim] = (groups, status)
                if dim not in q.codes:
                    out.append(t)
            for question in q.questions():
                cats = self._categories(q, question.code)
                counts = [self.c.answers[qk, question.code, cat] for cat in cats]
                n_total = sum(self.c.responses[qk, s] for s in surveys) if question.type == "multiple" else None
                t, status = self._one_way("frequency", qk, question.code, "", cats, counts, question.text, n_total)
                out.append(t)
                if question.type == "number":
                    # n is the "(answered)" count just published: it shares that count's fate.
                    out.append(self._stats_table("number", qk, question.code, "", [ALL],
                                                 [Counter({v: n for (a, b, v), n in self.c.numbers.items()
                                                           if (a, b) == (qk, question.code)})],
                                                 question.text, status=[status[cats.index(ANSWERED)]]))
                if question.type not in CHOICE_TYPES:
                    continue
                for dim, (groups, row_status) in dim_status.items():
                    if dim == question.code:
                        continue
                    cells = [[self.c.cross[qk, dim, g, question.code, cat] for cat in cats] for g in groups]
                    st = suppress_2d(cells, row_status, status, self.k)
                    out.append(Table("crosstab", qk, question.code, dim, groups, cats,
                                     [[self._count((qk, dim, g, question.code, cat), n, s)
                                       for cat, n, s in zip(cats, row, srow, strict=True)]
                                      for g, row, srow in zip(groups, cells, st, strict=True)],
                                     title=question.text))
            for sc in q.scores:
                dist = self._score_values(qk, sc.code, "", ALL)
                out.append(self._stats_table("score", qk, sc.code, "", [ALL], [dist], sc.label))
                bins = coarsen_bins(dist, self.k)
                cats = [_fmt(lo) if lo == hi else f"{_fmt(lo)} to {_fmt(hi)}" for lo, hi, _n in bins]
                t, _ = self._one_way("score_distribution", qk, sc.code, "", cats, [n for _lo, _hi, n in bins], sc.label)
                t.edges = [(lo, hi) for lo, hi, _n in bins]
                out.append(t)
                for dim, (groups, _st) in dim_status.items():
                    out.append(self._stats_table("score_by", qk, sc.code, dim, groups,
                                                 [self._score_values(qk, sc.code, dim, g) for g in groups], sc.label))
        return out

    def _dimensions(self, q: Questionnaire) -> dict[str, list[str]]:
        dims: dict[str, list[str]] = {}
        for dim in DIMENSIONS:
            if dim in QUESTION_DIMENSIONS and dim not in q.codes:
                continue
            if dim in q.codes:
                dims[dim] = self._categories(q, dim)
            else:
                dims[dim] = sorted(g for (qk, d, g) in self.c.groups if qk == q.key and d == dim)
        return dims

    def _categories(self, q: Questionnaire, code: str) -> list[str]:
        question = q.question(code)
        cats = list(question.option_codes) if question.type in CHOICE_TYPES else (
            [ANSWERED] if question.type in ("number", "text") else [])
        if question.prefer_not_to_say:
            cats.append(PREFER_NOT_TO_SAY)
        cats.append(NO_ANSWER)
        return cats

    def _score_values(self, qk: str, code: str, dim: str, group: str) -> Counter[float | None]:
        return Counter({v: n for (a, b, d, g, v), n in self.c.scores.items() if (a, b, d, g) == (qk, code, dim, group)})

    def _stats_table(self, kind: str, qk: str, variable: str, by: str, groups: list[str],
                     dists: list[Counter[float | None]], title: str, status: list[str] | None = None) -> Table:
        """n, mean, sd and median per group; all hidden where n is a suppressed count."""
        ns = [sum(n for v, n in d.items() if v is not None) for d in dists]
        if status is None:
            status = suppress_1d(ns, self.k) if len(ns) > 1 else [PRIMARY if 0 < ns[0] < self.k else PUBLISHED]
        rows = []
        for g, d, n, s in zip(groups, dists, ns, status, strict=True):
            stats = describe(d)
            n_cell = self._count((qk, variable, by, g, "n"), n, s)
            if "sd" in stats and isinstance(n_cell.value, int) and n_cell.value > 1:
                # from the published n: with noise, the true n must not be told by the width
                ci = mean_interval(stats["mean"], stats["sd"], n_cell.value)
                if ci is not None:
                    stats["ci95_low"], stats["ci95_high"] = ci
            cells = [n_cell]
            for name in STAT_COLUMNS[1:]:
                value = stats.get(name)
                cells.append(Cell(None, s) if s != PUBLISHED else Cell(None if value is None else round(value, 3)))
            rows.append(cells)
        return Table(kind, qk, variable, by, groups, list(STAT_COLUMNS), rows, statistic="", title=title)


#: The columns of a table of statistics (a number question, a score, a score by group): the mean's
#: 95% confidence interval by Student's t (survey.analyst.intervals).
STAT_COLUMNS = ("n", "mean", "ci95_low", "ci95_high", "sd", "median")


def shares(cats: Sequence[str], cells: Sequence[Cell], total: Cell) -> dict[str, tuple[float, float, float]]:
    """Each published count's share of the published total, with its 95% Wilson interval."""
    out: dict[str, tuple[float, float, float]] = {}
    if total.status != PUBLISHED or not total.value:
        return out
    n = float(total.value)
    for cat, c in zip(cats, cells, strict=False):
        if c.status == PUBLISHED and c.value is not None and c.value <= n:
            ci = wilson(float(c.value), n)
            if ci is not None:
                out[cat] = (float(c.value) / n, *ci)
    return out


def coarsen_bins(dist: Mapping[float | None, int], k: int) -> list[tuple[float, float, int]]:
    """Score values in bins of at least k responses each, as (lowest value, highest value, count)
    (adjacent values merged, lowest first;
    a short last bin joins the one before), so that the distribution needs no suppression and a
    published mean cannot be combined with hidden bins to work one out. Responses without a
    score are not a bin: their number is the total of responses less the score's n."""
    values = sorted((float(v), n) for v, n in dist.items() if v is not None and n > 0)
    bins: list[list[tuple[float, int]]] = []
    current: list[tuple[float, int]] = []
    for v, n in values:
        current.append((v, n))
        if sum(c for _v, c in current) >= k:
            bins.append(current)
            current = []
    if current:
        if bins:
            bins[-1].extend(current)
        else:
            bins.append(current)
    return [(b[0][0], b[-1][0], sum(c for _v, c in b)) for b in bins]


def describe(dist: Mapping[float | None, int]) -> dict[str, float]:
    """Mean, sample standard deviation and median of a value→count distribution."""
    items = sorted((float(v), n) for v, n in dist.items() if v is not None and n > 0)
    n = sum(c for _v, c in items)
    if n == 0:
        return {}
    mean = math.fsum(v * c for v, c in items) / n
    out = {"mean": mean}
    if n > 1:
        out["sd"] = math.sqrt(math.fsum(c * (v - mean) ** 2 for v, c in items) / (n - 1))
    lo, hi = (n - 1) // 2, n // 2
    seen = 0
    picked: dict[int, float] = {}
    for v, c in items:
        for pos in (lo, hi):
            if seen <= pos < seen + c:
                picked[pos] = v
        seen += c
    out["median"] = (picked[lo] + picked[hi]) / 2
    return out


def _fmt(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


fmt_number = _fmt
STATUS_TEXT = {PRIMARY: "suppressed: fewer than k", COMPLEMENT: "suppressed: complementary"}
