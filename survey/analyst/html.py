"""report.html: one self-contained, printable page for a policy audience, in the report's language.

Every piece of text that comes from an export, a definition or a response goes through ``e``
(control characters made visible by survey.core.visible_text, then HTML-escaped); charts are
inline SVG from :mod:`.charts`; the only CSS is in a <style> element; nothing is loaded from
anywhere. Codes never stand where a label exists: questions, options, scale points, languages and
countries are shown by their labels in the report's language (:mod:`.labels`), the report's own
words come from :mod:`.interface`. Free-text answers are never shown here (they may identify
someone); they are in responses.csv for the analyst.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from survey.analyst import charts
from survey.analyst.aggregate import NO_ANSWER, TOTAL, Cell, Table
from survey.analyst.findings import Estimate, Figure, KeyFindings, key_findings, score_range
from survey.analyst.interface import N_, Interface
from survey.analyst.labels import Labels
from survey.analyst.suppress import COMPLEMENT, PRIMARY, PUBLISHED
from survey.core.languages import text_direction
from survey.core.questionnaire import CHOICE_TYPES, Questionnaire, Score
from survey.core.visible_text import visible

if TYPE_CHECKING:
    from survey.analyst.outcome import Outcome

MAX_CROSSTABS = 12
#: The breakdowns, named in a heading such as "Experienced stigma by country".
DIM_NAMES = {"country": N_("country"), "lang": N_("language"), "channel": N_("channel"),
             "gender": N_("gender"), "age_band": N_("age group")}
#: The same, heading a table's first column.
DIM_HEADERS = {"country": N_("Country"), "lang": N_("Language"), "channel": N_("Channel"),
               "gender": N_("Gender"), "age_band": N_("Age group"), "survey": N_("Survey")}

CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --accent: #1f5f8b; --line: #d8dee4; --soft: #f3f6f9; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       line-height: 1.5; margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header.top { border-bottom: 4px solid var(--accent); padding-bottom: 1rem; margin-bottom: 1.5rem; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 .8rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
p.lead { color: var(--muted); margin: 0; }
nav.toc ol { padding-inline-start: 1.4rem; margin: .3rem 0; }
nav.toc li { margin: .1rem 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .8rem; margin: 1rem 0; }
.card { background: var(--soft); border-inline-start: 4px solid var(--accent); padding: .7rem 1rem; }
.card b { display: block; font-size: 1.6rem; }
.card span { color: var(--muted); font-size: .9rem; }
ul.findings li { margin: .4rem 0; }
.fig { font-weight: bold; font-variant-numeric: tabular-nums; unicode-bidi: isolate; }
table { border-collapse: collapse; margin: .5rem 0 .4rem; font-size: .9rem; width: auto; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .7rem; text-align: start; vertical-align: top; }
td.n, th.n { text-align: end; font-variant-numeric: tabular-nums; unicode-bidi: isolate; }
td.n { white-space: nowrap; }
thead th { background: var(--soft); }
tr.total th, tr.total td { border-top: 2px solid var(--ink); font-weight: bold; }
td.s { color: var(--muted); font-style: italic; text-align: end; }
p.about { margin: .3rem 0; }
p.small { color: var(--muted); font-size: .85rem; margin: .2rem 0 1rem; }
.note { background: #fff8e1; border-inline-start: 4px solid #c99a06; padding: .6rem 1rem; margin: 1rem 0; }
.warn { background: #fdecea; border-inline-start: 4px solid #b3261e; padding: .6rem 1rem; margin: 1rem 0; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
.pair > :only-child { grid-column: 1 / -1; }
@media (max-width: 50rem) { .pair { grid-template-columns: 1fr; } }
svg.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; word-break: break-all; }
.wrap { overflow-x: auto; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media print {
  main { max-width: none; padding: 0; }
  h2.part { break-before: page; }
  h1, h2, h3, h4 { break-after: avoid; }
  .keep, table, svg.chart, .card, .pair, p.small, p.about { break-inside: avoid; }
  tr { break-inside: avoid; }
  .wrap { overflow: visible; }
  body { font-size: 10pt; }
}
"""


def e(value: object) -> str:
    """The one way text reaches the page: control characters shown as ``\\uXXXX``, then escaped."""
    return escape(visible(str(value)), quote=True)


def _num(v: object, decimals: int = 2) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.{decimals}f}"
    return e(v)


def para(text: str, cls: str = "") -> str:
    """A paragraph of plain text (escaped)."""
    klass = f' class="{cls}"' if cls else ""
    return f"<p{klass}>{e(text)}</p>"


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


class Page:
    """One report being written: its language, labels, headings (for the contents) and ``k``."""

    def __init__(self, o: Outcome) -> None:
        self.o = o
        self.k = o.settings.k
        self.ui = Interface(o.settings.lang)
        self._ = self.ui.gettext
        self.labels = {q.key: Labels(q, o.translations.get(q.key), o.settings.lang, self.ui) for q in o.questionnaires}
        self.toc: list[tuple[int, str, str]] = []

    def heading(self, level: int, text: str, cls: str = "") -> str:
        anchor = f"h{len(self.toc) + 1}"
        self.toc.append((level, anchor, text))
        klass = f' class="{cls}"' if cls else ""
        return f'<h{level} id="{anchor}"{klass}>{e(text)}</h{level}>'

    def keep(self, heading: str, first: str, rest: str = "") -> str:
        """A heading kept on one page with the first block of its content (print)."""
        return f'<div class="keep">{heading}{first}</div>{rest}'

    def markup(self, message: str, **html: object) -> str:
        """A translated message escaped as text, its placeholders filled with ready HTML."""
        return e(self.ui.gettext(message)) % html

    def dim_name(self, dim: str) -> str:
        return self._(DIM_NAMES[dim]) if dim in DIM_NAMES else dim

    def dim_header(self, dim: str) -> str:
        return self._(DIM_HEADERS[dim]) if dim in DIM_HEADERS else dim

    # -- notes -------------------------------------------------------------------------------

    def suppression_note(self, cells: Sequence[Cell]) -> str:
        """Beside a table with hidden counts: what "<k" and "hidden" mean there."""
        statuses = {c.status for c in cells}
        _ = self._
        parts = []
        if PRIMARY in statuses:
            parts.append(_("“<k”: fewer than %(k)s responses, not published to protect respondents.", k=self.k))
        if COMPLEMENT in statuses:
            parts.append(_("“hidden”: not published, so that a count below %(k)s cannot be worked out "
                           "from the totals.", k=self.k))
        return f'<p class="small">{" ".join(e(p) for p in parts)}</p>' if parts else ""

    def cell(self, c: Cell, decimals: int = 2) -> str:
        _ = self._
        if c.status == PRIMARY:
            title = _("fewer than %(k)s responses", k=self.k)
            return f'<td class="s" title="{e(title)}">&lt;k</td>'
        if c.status == COMPLEMENT:
            title, hidden = _("hidden so that a small count cannot be worked out"), _("hidden")
            return f'<td class="s" title="{e(title)}">{e(hidden)}</td>'
        return f'<td class="n">{"–" if c.value is None else _num(c.value, decimals)}</td>'

    def fig(self, f: Figure | None, decimals: int = 2, percent: bool = False) -> str:
        """A number of the first page, carrying the aggregates.csv row it is as data- attributes."""
        if f is None:
            return "–"
        attrs = "".join(f' data-{k}="{e(v)}"' for k, v in f.row().items())
        shown = f"{f.value:,.0f}" if f.statistic in ("count", "n") else f"{f.value:.{decimals}f}"
        return f'<span class="fig"{attrs}>{shown}</span>'

    def interval(self, est: Estimate) -> str:
        if est.low is None or est.high is None:
            return ""
        return self.markup(N_("95%% interval %(low)s to %(high)s"), low=self.fig(est.low), high=self.fig(est.high))


# -- tables ----------------------------------------------------------------------------------


def _dropped_zero(cells: Sequence[Cell]) -> bool:
    return all(c.status == PUBLISHED and not c.value for c in cells)


def one_way_html(page: Page, t: Table, label: Callable[[str], str], first: str) -> str:
    """A one-way table standing up: one row per category with the share of the published total
    and its 95% Wilson interval; categories nobody is in are left out and named below."""
    _ = page._
    cells = dict(zip(t.columns, t.cells[0], strict=True))
    total = cells.get(TOTAL)
    body, nobody = [], []
    for col, c in cells.items():
        if col == TOTAL:
            continue
        if _dropped_zero([c]):
            if col != NO_ANSWER:
                nobody.append(label(col))
            continue
        share = ""
        if col in t.intervals:
            p, low, high = t.intervals[col]
            share = f'<td class="n">{_percent(p)}</td><td class="n">{_percent(low)}–{_percent(high)}</td>'
        else:
            share = "<td></td><td></td>"
        body.append(f'<tr><th scope="row">{e(label(col))}</th>{page.cell(c)}{share}</tr>')
    if total is not None:
        body.append(f'<tr class="total"><th scope="row">{e(label(TOTAL))}</th>{page.cell(total)}<td></td><td></td></tr>')
    head = "".join(f'<th class="n" scope="col">{e(h)}</th>' for h in (_("responses"), _("share"), _("Interval (95%)")))
    out = [f'<div class="wrap"><table><thead><tr><th scope="col">{e(first)}</th>{head}'
           f'</tr></thead><tbody>{"".join(body)}</tbody></table></div>']
    if nobody:
        out.append(para(_("Not chosen by anyone (left out of the table): %(options)s.", options="; ".join(nobody)), "small"))
    out.append(page.suppression_note(t.cells[0]))
    return "".join(out)


def stats_html(page: Page, t: Table, label: Callable[[str], str], first: str) -> str:
    """n, mean with its 95% interval, sd and median per group; groups nobody is in left out."""
    _ = page._
    col = {name: i for i, name in enumerate(t.columns)}
    body, empty = [], 0
    for g, row in zip(t.rows, t.cells, strict=True):
        if len(t.rows) > 1 and _dropped_zero(row[:1]):
            empty += 1
            continue
        low, high = row[col["ci95_low"]], row[col["ci95_high"]]
        if low.status == PUBLISHED and high.status == PUBLISHED and low.value is not None and high.value is not None:
            ci = f'<td class="n">{_num(float(low.value))}–{_num(float(high.value))}</td>'
        else:
            ci = page.cell(low)
        body.append(f'<tr><th scope="row">{e(label(g))}</th>{page.cell(row[col["n"]])}{page.cell(row[col["mean"]])}'
                    f'{ci}{page.cell(row[col["sd"]])}{page.cell(row[col["median"]])}</tr>')
    head = "".join(f'<th class="n" scope="col">{e(h)}</th>' for h in
                   (_("responses"), _("mean"), _("Interval of the mean (95%)"), _("standard deviation"), _("median")))
    out = [f'<div class="wrap"><table><thead><tr><th scope="col">{e(first)}</th>{head}</tr></thead>'
           f'<tbody>{"".join(body)}</tbody></table></div>']
    if empty:
        out.append(para(_("Groups with no responses are left out (%(n)s).", n=empty), "small"))
    out.append(page.suppression_note([c for row in t.cells for c in row]))
    return "".join(out)


def crosstab_html(page: Page, t: Table, label: Callable[[str], str], row_label: Callable[[str], str]) -> str:
    """A two-way table without its empty lines: rows with no published count above zero and
    columns of zeros are left out, and said so."""
    _ = page._
    keep_cols = [j for j in range(len(t.columns)) if not _dropped_zero([row[j] for row in t.cells])]
    keep_rows = [i for i, row in enumerate(t.cells)
                 if any(row[j].status == PUBLISHED and row[j].value for j in keep_cols)]
    head = "".join(f'<th class="n" scope="col">{e(label(t.columns[j]))}</th>' for j in keep_cols)
    body = "".join(f'<tr><th scope="row">{e(row_label(t.rows[i]))}</th>'
                   f'{"".join(page.cell(t.cells[i][j], 0) for j in keep_cols)}</tr>' for i in keep_rows)
    out = [f'<div class="wrap"><table><thead><tr><th scope="col">{e(page.dim_header(t.by))}</th>{head}</tr></thead>'
           f"<tbody>{body}</tbody></table></div>"]
    left = []
    if len(keep_rows) < len(t.rows):
        left.append(_("Left out: %(n)s rows with no published count above zero.", n=len(t.rows) - len(keep_rows)))
    if len(keep_cols) < len(t.columns):
        left.append(_("Left out: %(n)s columns in which every count is zero.", n=len(t.columns) - len(keep_cols)))
    if left:
        out.append(f'<p class="small">{e(" ".join(left))}</p>')
    out.append(page.suppression_note([t.cells[i][j] for i in keep_rows for j in keep_cols]))
    return "".join(out)


# -- the page --------------------------------------------------------------------------------


def write_report(path: Path, outcome: Outcome) -> None:
    path.write_text(render(outcome), encoding="utf-8")


def render(o: Outcome) -> str:
    page = Page(o)
    _ = page._
    s = o.settings
    titles = ", ".join(page.labels[q.key].title for q in o.questionnaires)
    rejected = sum(o.rejected.values())
    body: list[str] = []
    body.append(_key_findings(page, key_findings(o.questionnaires, o.tables)))
    cards = ((o.valid, _("valid responses")), (rejected, _("records rejected")), (len(o.inputs), _("export files")),
             (s.k, _("smallest published count (k)")))
    intro = [
        '<div class="cards">',
        *(f'<div class="card"><b>{n:,}</b><span>{e(what)}</span></div>' for n, what in cards),
        "</div>",
        para(_("Counts from 1 to %(last)s are not published (shown as “<k”), and some further counts are "
               "hidden (“hidden”) so that a small count cannot be worked out from totals. Each table says "
               "so where it applies. Free-text answers are not shown in this report.", last=s.k - 1)),
        para(_("Intervals are confidence intervals at 95%: Wilson score intervals for shares, Student’s t "
               "intervals for means. They show the uncertainty of sampling only: the people who answered are "
               "not a random sample of everyone concerned.")),
    ]
    if s.epsilon is not None:
        intro.append(para(_("Differential privacy: every published count has random noise added "
                            "(two-sided geometric, ε = %(epsilon)s per count). Counts may therefore "
                            "differ slightly from the true counts and need not add up; means and "
                            "spreads are not noised.", epsilon=s.epsilon), "note"))
    for p in o.problems:
        intro.append(para(_("Warning: %(problem)s", problem=p), "warn"))
    body.append(page.keep(page.heading(2, _("About these figures")), "".join(intro)))
    for q in o.questionnaires:
        tables = [t for t in o.tables if t.questionnaire == q.key]
        if tables:
            survey_titles = {str(i["survey"]): f'{i["survey_title"]} ({i["survey"]})' for i in o.inputs}
            body.append(_questionnaire(page, q, tables, survey_titles))
    body.append(_suppression(page))
    body.append(_rejections(page))
    body.append(_inputs(page))
    toc = "".join(
        f'<li class="l{level}"><a href="#{anchor}">{e(text)}</a></li>' for level, anchor, text in page.toc if level <= 3
    )
    report_title, contents = _("Survey report"), _("Contents")
    head = (
        f'<header class="top"><h1>{e(report_title)}</h1><p class="lead">{e(titles)}</p>'
        + para(_("Made on %(date)s with survey-analyst, offline, from %(n)s export file(s).",
                 date=dt.date.today().isoformat(), n=len(o.inputs)), "lead") +
        f'</header><nav class="toc" aria-labelledby="toc"><h2 id="toc">{e(contents)}</h2><ol>{toc}</ol></nav>'
    )
    footer = "<footer>" + para(_("Aggregates safe to publish are in aggregates.csv; run.json records the digests of "
                                 "the exports and of every output, so each published figure can be traced to its "
                                 "inputs.")) + "</footer>"
    lang = s.lang
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}" dir="{text_direction(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{e(report_title)}: {e(titles)}</title><style>{CSS}</style></head>'
        f'<body><main>{head}{"".join(body)}{footer}</main></body></html>\n'
    )


def _key_findings(page: Page, kf: KeyFindings) -> str:
    _ = page._
    items: list[str] = []
    for f in kf.responses:
        title = page.labels[f.questionnaire].title
        items.append("<li>" + page.markup(N_("%(survey)s: %(n)s valid responses."), survey=e(title), n=page.fig(f)) + "</li>")
    for sc, est in kf.scores:
        labels = page.labels[est.mean.questionnaire]
        q = labels.q
        lo, hi = score_range(q, sc)
        items.append("<li>" + page.markup(N_("%(score)s: mean %(mean)s on a scale from %(low)s to %(high)s "
                                             "(%(interval)s; %(n)s responses)."),
                                score=e(labels.score(sc.code)), mean=page.fig(est.mean), low=lo, high=hi,
                                interval=page.interval(est), n=page.fig(est.n)) + "</li>")
    diffs: list[str] = []
    for d in kf.differences:
        labels = page.labels[d.questionnaire]
        caution = (_("the intervals overlap: the difference may be chance") if d.intervals_overlap
                   else _("the intervals do not overlap"))
        diffs.append("<li>" + page.markup(N_("%(score)s by %(dimension)s: highest for %(high_group)s "
                                             "(mean %(high)s, %(high_interval)s), "
                                "lowest for %(low_group)s (mean %(low)s, %(low_interval)s); %(caution)s."),
                                score=e(labels.score(d.score)), dimension=e(page.dim_name(d.by)),
                                high_group=e(labels.group(d.by, d.highest.group)), high=page.fig(d.highest.mean),
                                high_interval=page.interval(d.highest),
                                low_group=e(labels.group(d.by, d.lowest.group)), low=page.fig(d.lowest.mean),
                                low_interval=page.interval(d.lowest), caution=e(caution)) + "</li>")
    out = [f'<ul class="findings">{"".join(items)}</ul>']
    if diffs:
        out.append(para(_("The largest differences between groups (among groups of at least %(k)s responses):", k=page.k)))
        out.append(f'<ul class="findings">{"".join(diffs)}</ul>')
    out.append(para(_("Every number on this page is a row of aggregates.csv."), "small"))
    return page.keep(page.heading(2, _("Key findings")), "".join(out))


def _find(tables: list[Table], kind: str, variable: str = "", by: str = "") -> Table | None:
    for t in tables:
        if t.kind == kind and t.variable == variable and t.by == by:
            return t
    return None


def _published_bars(t: Table, label: Callable[[str], str], skip: tuple[str, ...],
                    drop_zero: bool = True) -> tuple[list[str], list[float], list[str]]:
    """Bars for a one-way table: hidden counts get an empty bar and a note instead of a number;
    categories nobody is in are left out (as in the table)."""
    names, values, notes = [], [], []
    for col, c in zip(t.columns, t.cells[0], strict=True):
        if col in skip or (drop_zero and _dropped_zero([c])):
            continue
        names.append(label(col))
        values.append(float(c.value or 0) if c.status == PUBLISHED else 0.0)
        notes.append("" if c.status == PUBLISHED else "<k" if c.status == PRIMARY else "hidden")
    return names, values, notes


def _edge(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}"


def score_groups(page: Page, q: Questionnaire, sc: Score, edges: Sequence[tuple[float, float]],
                 cells: Sequence[Cell]) -> tuple[list[str], list[int], int]:
    """The published score bins gathered under the scale's own words: each bin goes to the answer
    nearest its middle ("Never", "Sometimes"...), and each bar is labelled with that word and the
    rounded range of scores it holds (one decimal; whole numbers for whole-number scores). Bars
    are sums of published bins, each of at least k responses. Returns labels, counts and the
    number of bins left out because they are hidden (only with noise or a tiny sample)."""
    points = page.labels[q.key].scale_points(sc.items[0])
    per_item = 1 if sc.method == "mean" else len(sc.items)
    whole = all(float(v).is_integer() for pair in edges for v in pair)
    groups: dict[int, list[float]] = {}  # scale point -> [lowest, highest, count]
    hidden = 0
    for (lo, hi), c in zip(edges, cells, strict=False):
        if c.status != PUBLISHED or c.value is None:
            hidden += 1
            continue
        middle = (lo + hi) / 2 / per_item
        nearest = min(points, key=lambda v: abs(v - middle))
        group = groups.setdefault(nearest, [lo, hi, 0])
        group[0], group[1], group[2] = min(group[0], lo), max(group[1], hi), group[2] + float(c.value)
    labels, counts = [], []
    for point, (lo, hi, n) in sorted(groups.items()):
        span = f"{lo:.{0 if whole else 1}f}" if lo == hi else f"{lo:.{0 if whole else 1}f}–{hi:.{0 if whole else 1}f}"
        labels.append(f"{charts.short(points[point], 18)}\n{span}")
        counts.append(int(n))
    return labels, counts, hidden


def _score_about(page: Page, q: Questionnaire, sc: Score) -> str:
    """What a score measures, its range and what a high score means, in the scale's words."""
    _ = page._
    labels = page.labels[q.key]
    lo, hi = score_range(q, sc)
    points = labels.scale_points(sc.items[0])
    low_word, high_word = points[min(points)], points[max(points)]
    topics = list(dict.fromkeys(labels.section(s.code) for s in q.sections
                                for item in s.questions if item.code in sc.items))
    what = (_("The mean of %(n)s answers on “%(topic)s”, each from “%(low)s” (%(low_value)s) to “%(high)s” (%(high_value)s).",
              n=len(sc.items), topic="; ".join(topics), low=low_word, low_value=min(points), high=high_word,
              high_value=max(points)) if sc.method == "mean" else
            _("The sum of %(n)s answers on “%(topic)s”, each from “%(low)s” (%(low_value)s) to “%(high)s” (%(high_value)s).",
              n=len(sc.items), topic="; ".join(topics), low=low_word, low_value=min(points), high=high_word,
              high_value=max(points)))
    parts = [f'<p class="about">{e(what)}</p>',
             '<p class="about range"><b>' + e(_("Range: %(low)s to %(high)s.", low=lo, high=hi)) + "</b> "
             + e(_("A higher score means answers closer to “%(high)s”.", high=high_word)) + "</p>"]
    notes = []
    if sc.reverse:
        notes.append(_("Questions worded the other way round (%(n)s) are reversed first, so a higher score "
                       "always means the same.", n=len(sc.reverse)))
    notes.append(_("A response gets a score when at least %(n)s of the %(items)s questions are answered.",
                   n=sc.min_items, items=len(sc.items)))
    parts.append(f'<p class="small">{e(" ".join(notes))}</p>')
    return "".join(parts)


def _questionnaire(page: Page, q: Questionnaire, tables: list[Table], titles: dict[str, str]) -> str:
    _ = page._
    labels = page.labels[q.key]
    out = [page.heading(2, labels.title, cls="part")]
    resp = _find(tables, "responses", "", "survey")
    if resp:
        out.append(page.keep(page.heading(3, _("Responses by survey")),
                             one_way_html(page, resp, lambda c: labels.special.get(c) or titles.get(c, c),
                                          page.dim_header("survey"))))
    for sc in q.scores:
        out.append(_score(page, q, sc, tables))
    answers: list[str] = []
    for question in q.questions():
        freq = _find(tables, "frequency", question.code)
        if freq is None:
            continue

        total_label = _("Responses (each may choose several)") if question.type == "multiple" else _("Total")

        def label(c: str, code: str = question.code, total: str = total_label) -> str:
            return total if c == TOTAL else labels.option(code, c)

        heading = page.heading(4, labels.question(question.code))
        notes = ""
        if question.type == "multiple":
            notes = para(_("Several answers could be chosen, so the counts add up to more than the responses."), "small")
        pair = []
        if question.type in CHOICE_TYPES:
            names, values, bar_notes = _published_bars(freq, label, skip=(TOTAL, NO_ANSWER))
            if any(values):
                pair.append(charts.bars(names, values, _("responses"), notes=[_(n) if n == "hidden" else n for n in bar_notes]))
        pair.append(one_way_html(page, freq, label, _("Answer")))
        block = f'{notes}<div class="pair">{"".join(pair)}</div>'
        stats = _find(tables, "number", question.code)
        if stats:
            block += stats_html(page, stats, lambda g: labels.special.get(g, g), "")
        answers.append(page.keep(heading, block))
    if answers:
        out.append(page.keep(page.heading(3, _("Answers")), answers[0], "".join(answers[1:])))
    crosstabs = [t for t in tables if t.kind == "crosstab" and q.question(t.variable).type in ("single", "multiple")]
    if crosstabs:
        blocks = []
        for t in crosstabs[:MAX_CROSSTABS]:

            def col_label(c: str, code: str = t.variable) -> str:
                return labels.option(code, c)

            def row_label(g: str, dim: str = t.by) -> str:
                return labels.group(dim, g)

            title = _("%(question)s by %(dimension)s", question=labels.question(t.variable), dimension=page.dim_name(t.by))
            blocks.append(page.keep(page.heading(4, title), crosstab_html(page, t, col_label, row_label)))
        if len(crosstabs) > MAX_CROSSTABS:
            blocks.append(para(_("%(n)s more cross-tables are in aggregates.csv.", n=len(crosstabs) - MAX_CROSSTABS)))
        out.append(page.keep(page.heading(3, _("Main breakdowns")), blocks[0], "".join(blocks[1:])))
    return "".join(out)


def _score(page: Page, q: Questionnaire, sc: Score, tables: list[Table]) -> str:
    _ = page._
    labels = page.labels[q.key]
    name = labels.score(sc.code)
    first = [_score_about(page, q, sc)]
    stats = _find(tables, "score", sc.code)
    if stats:
        first.append(stats_html(page, stats, lambda g: labels.special.get(g, g), ""))
    rest: list[str] = []
    dist = _find(tables, "score_distribution", sc.code)
    if dist and dist.edges:
        ticks, counts, hidden = score_groups(page, q, sc, dist.edges, dist.cells[0])
        if ticks:
            rest.append(charts.histogram(ticks, counts, _("%(score)s (score, grouped)", score=name), _("responses")))
            rest.append(para(_("Each bar counts the responses whose score is nearest that answer, with the range of "
                               "their scores below; aggregates.csv has the score in groups of at least %(k)s "
                               "responses.", k=page.k), "small"))
        if hidden:  # only with noise or a tiny sample: bins are at least k wide
            rest.append(para(_("Score groups with too few responses are not drawn (%(n)s).", n=hidden)))
    for dim in DIM_NAMES:
        by = _find(tables, "score_by", sc.code, dim)
        if by is None:
            continue

        def group_label(g: str, dim: str = dim) -> str:
            return labels.group(dim, g)

        pub = [(group_label(g), float(row[1].value)) for g, row in zip(by.rows, by.cells, strict=True)
               if row[1].status == PUBLISHED and row[1].value is not None and row[0].value]
        chart = charts.bars([p[0] for p in pub], [p[1] for p in pub], _("mean score")) if len(pub) > 1 else ""
        title = _("%(score)s by %(dimension)s", score=name, dimension=page.dim_name(dim))
        rest.append(page.keep(page.heading(4, title), chart + stats_html(page, by, group_label, page.dim_header(dim))))
    return page.keep(page.heading(3, name), "".join(first), "".join(rest))


_KINDS = {"responses": N_("responses by survey"), "frequency": N_("answers"), "crosstab": N_("breakdown"),
          "number": N_("number"), "score": N_("score"), "score_distribution": N_("score groups"),
          "score_by": N_("score by group")}


def _suppression(page: Page) -> str:
    _ = page._
    o, k = page.o, page.k
    primary = sum(t.suppressed()[PRIMARY] for t in o.tables)
    complement = sum(t.suppressed()[COMPLEMENT] for t in o.tables)
    first = [para(_("To protect respondents, no count between 1 and %(last)s is published (%(primary)s counts, “<k”). "
                       'Where one hidden count could be worked out by subtracting the others from a published total, '
                       'further counts were hidden as well (%(complement)s counts, “hidden”), and every hidden count was '
                       'checked to be not recoverable from the published totals. Means, spreads and medians of groups '
                       'whose size is hidden are hidden too. Score distributions are shown in groups of at least %(k)s '
                       'responses, merging neighbouring scores where needed, so that no group has to be hidden.',
                       last=k - 1, primary=_num(primary), complement=_num(complement), k=k))]
    rows = []
    for t in o.tables:
        sup = t.suppressed()
        if sup:
            labels = page.labels.get(t.questionnaire)
            what = (labels.question(t.variable) if labels and t.variable else _("responses"))
            by = page.dim_header(t.by) if t.by and t.by != "survey" else ""
            title = labels.title if labels else t.questionnaire
            kind = _(_KINDS.get(t.kind, t.kind))
            rows.append(f"<tr><td>{e(title)}</td><td>{e(kind)}</td><td>{e(what)}</td>"
                        f'<td>{e(by)}</td><td class="n">{sup[PRIMARY]}</td><td class="n">{sup[COMPLEMENT]}</td></tr>')
    if rows:
        head = "".join(f"<th>{e(h)}</th>" for h in (_("questionnaire"), _("table"), _("question or score"), _("by")))
        hidden = _("hidden")
        first.append(f'<div class="wrap"><table><thead><tr>{head}<th class="n">&lt;k</th>'
                     f'<th class="n">{e(hidden)}</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
    else:
        first.append(para(_("Nothing needed to be suppressed.")))
    return page.keep(page.heading(2, _("What was suppressed and why"), cls="part"), "".join(first))


def _rejections(page: Page) -> str:
    _ = page._
    o = page.o
    heading = page.heading(2, _("What was rejected and why"))
    if not o.rejected:
        return page.keep(heading, para(_("All %(n)s records decrypted and fitted the questionnaire.", n=_num(o.records))))
    out = [para(_("Rejected records are counted here and never enter any figure of this report. Each one is "
                  "listed, with its reason, in rejected.csv.")),
           "<table><thead><tr><th>" + e(_("reason")) + '</th><th class="n">' + e(_("records")) + "</th></tr></thead><tbody>"]
    for reason, n in sorted(o.rejected.items()):
        out.append(f'<tr><td>{e(reason)}</td><td class="n">{n:,}</td></tr>')
    out.append("</tbody></table>")
    rest = []
    if o.examples:
        rest.append(page.heading(3, _("The first rejected records")))
        head = "".join(f"<th>{e(h)}</th>" for h in (_("record"), _("reason"), _("detail")))
        rest.append(f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>')
        for rid, reason, detail in o.examples:
            rest.append(f'<tr><td class="mono">{e(rid)}</td><td>{e(reason)}</td><td class="mono">{e(detail[:160])}</td></tr>')
        rest.append("</tbody></table></div>")
    return page.keep(heading, "".join(out), "".join(rest))


def _inputs(page: Page) -> str:
    _ = page._
    o = page.o
    head = "".join(f"<th>{e(h)}</th>" for h in (_("file"), _("survey"), _("questionnaire"), _("key id")))
    records = _("records")
    out = [f'<div class="wrap"><table><thead><tr>{head}<th class="n">{e(records)}</th>'
           '<th>SHA-256</th></tr></thead><tbody>']
    for i in o.inputs:
        out.append(f'<tr><td>{e(i["file"])}</td><td>{e(i["survey_title"])}<br><span class="mono">{e(i["survey"])}</span></td>'
                   f'<td class="mono">{e(i["questionnaire"])}</td><td class="mono">{e(i["key_id"])}</td>'
                   f'<td class="n">{_num(i["records"])}</td><td class="mono">{e(str(i["sha256"])[:16])}…</td></tr>')
    out.append("</tbody></table></div>")
    keys = ", ".join(f'<span class="mono">{e(k)}</span>' for k in o.key_ids)
    epsilon = o.settings.epsilon if o.settings.epsilon is not None else _("off")
    out.append("<p>" + page.markup(N_("Keys used: %(keys)s. Settings: k = %(k)s, ε = %(epsilon)s, "
                                      "%(workers)s worker process(es)."),
                         keys=keys, k=o.settings.k, epsilon=e(epsilon), workers=o.settings.workers) + "</p>")
    return page.keep(page.heading(2, _("Inputs")), "".join(out))

