"""report.html: one self-contained, printable page for a policy audience.

Every piece of text that comes from an export, a definition or a response goes through
``html.escape``; charts are inline SVG from :mod:`.charts`; the only CSS is in a <style> element;
nothing is loaded from anywhere. Free-text answers are never shown here (they may identify
someone); they are in responses.csv for the analyst."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from survey.analyst import charts
from survey.analyst.aggregate import ALL, NO_ANSWER, NO_SCORE, TOTAL, Cell, Table
from survey.analyst.suppress import COMPLEMENT, PRIMARY, PUBLISHED
from survey.core.questionnaire import CHOICE_TYPES, PREFER_NOT_TO_SAY, Questionnaire
from survey.core.visible_text import visible

if TYPE_CHECKING:
    from survey.analyst.outcome import Outcome

MAX_CROSSTABS = 12
DIM_NAMES = {"country": "country", "lang": "language", "channel": "channel", "gender": "gender",
             "age_band": "age band"}

CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --accent: #1f5f8b; --line: #d8dee4; --soft: #f3f6f9; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       line-height: 1.5; margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header.top { border-bottom: 4px solid var(--accent); padding-bottom: 1rem; margin-bottom: 1.5rem; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 .8rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.8rem 0 .5rem; }
p.lead { color: var(--muted); margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .8rem; margin: 1rem 0; }
.card { background: var(--soft); border-left: 4px solid var(--accent); padding: .7rem 1rem; }
.card b { display: block; font-size: 1.7rem; }
.card span { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; width: auto; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .7rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: var(--soft); }
tr.total th, tr.total td { border-top: 2px solid var(--ink); font-weight: bold; }
td.s { color: var(--muted); font-style: italic; text-align: right; }
.note { background: #fff8e1; border-left: 4px solid #c99a06; padding: .6rem 1rem; margin: 1rem 0; }
.warn { background: #fdecea; border-left: 4px solid #b3261e; padding: .6rem 1rem; margin: 1rem 0; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
.pair > :only-child { grid-column: 1 / -1; }
@media (max-width: 50rem) { .pair { grid-template-columns: 1fr; } }
svg.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; word-break: break-all; }
.wrap { overflow-x: auto; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-before: page; }
  h2.first { break-before: avoid; }
  table, svg.chart, .card, .pair { break-inside: avoid; }
  .wrap { overflow: visible; }
  body { font-size: 10pt; }
}
"""


def e(value: object) -> str:
    """The one way text reaches the page: control characters shown as ``\\uXXXX``, then escaped."""
    return escape(visible(str(value)), quote=True)


def _num(v: object) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return e(v)


def _cell(c: Cell) -> str:
    status = c.status
    if status == PRIMARY:
        return '<td class="s" title="fewer than k responses">&lt;k</td>'
    if status == COMPLEMENT:
        return '<td class="s" title="hidden so that a small cell cannot be worked out">hidden</td>'
    value = c.value
    return f'<td class="n">{"–" if value is None else _num(value)}</td>'


def _labels(q: Questionnaire, code: str) -> dict[str, str]:
    try:
        question = q.question(code)
    except KeyError:
        return {}
    out = dict(question.choices()) if question.type in CHOICE_TYPES else {}
    out[PREFER_NOT_TO_SAY] = "Prefer not to say"
    return out


def table_html(t: Table, labels: dict[str, str] | None = None, row_labels: dict[str, str] | None = None,
               first: str = "") -> str:
    labels = labels or {}
    row_labels = row_labels or {}
    head = "".join(f'<th class="n" scope="col">{e(labels.get(c, c))}</th>' for c in t.columns)
    body = []
    for g, row in zip(t.rows, t.cells, strict=True):
        if t.statistic == "" and row[0].status == PUBLISHED and row[0].value == 0 and len(t.rows) > 1:
            continue  # a group nobody is in: no statistics to show
        name = "all responses" if g == ALL else row_labels.get(g, g)
        body.append(f'<tr><th scope="row">{e(name)}</th>{"".join(_cell(c) for c in row)}</tr>')
    return (f'<div class="wrap"><table><thead><tr><th scope="col">{e(first)}</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def one_way_html(t: Table, labels: dict[str, str] | None = None, first: str = "answer") -> str:
    """A one-way table standing up: one row per category, with the share of the published total."""
    labels = labels or {}
    cells = dict(zip(t.columns, t.cells[0], strict=True))
    total = cells.get(TOTAL)
    base = total.value if total is not None and total.status == PUBLISHED else None
    body = []
    for col, c in cells.items():
        if col == TOTAL:
            continue
        share = ""
        if c.status == PUBLISHED and base and c.value is not None:
            share = f"{100 * float(c.value) / float(base):.0f}%"
        body.append(f'<tr><th scope="row">{e(labels.get(col, col))}</th>{_cell(c)}<td class="n">{share}</td></tr>')
    if total is not None:
        body.append(f'<tr class="total"><th scope="row">{e(labels.get(TOTAL, "Total"))}</th>{_cell(total)}<td></td></tr>')
    return (f'<div class="wrap"><table><thead><tr><th scope="col">{e(first)}</th><th class="n" scope="col">responses</th>'
            f'<th class="n" scope="col">share</th></tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def write_report(path: Path, outcome: Outcome) -> None:
    path.write_text(render(outcome), encoding="utf-8")


def render(o: Outcome) -> str:
    s = o.settings
    parts: list[str] = []
    titles = ", ".join(q.title for q in o.questionnaires)
    rejected = sum(o.rejected.values())
    parts.append(
        f'<header class="top"><h1>Survey report</h1><p class="lead">{e(titles)}</p>'
        f'<p class="lead">Made on {e(dt.date.today().isoformat())} with survey-analyst, offline, '
        f'from {len(o.inputs)} export file(s).</p></header>'
    )
    parts.append(
        '<section aria-label="Summary"><div class="cards">'
        f'<div class="card"><b>{o.valid:,}</b><span>valid responses</span></div>'
        f'<div class="card"><b>{rejected:,}</b><span>records rejected</span></div>'
        f'<div class="card"><b>{len(o.inputs)}</b><span>export file(s)</span></div>'
        f'<div class="card"><b>{s.k}</b><span>smallest published count (k)</span></div>'
        '</div>'
    )
    parts.append(
        f'<p>Counts from 1 to {s.k - 1} are not published (shown as “&lt;k”), and some further counts '
        'are hidden (“hidden”) so that a small count cannot be worked out from totals. '
        'Free-text answers are not shown in this report.</p>'
    )
    if s.epsilon is not None:
        parts.append(
            f'<p class="note">Differential privacy: every published count has random noise added '
            f'(two-sided geometric, ε = {e(s.epsilon)} per count). Counts may therefore differ '
            'slightly from the true counts and need not add up; means and spreads are not noised.</p>'
        )
    for p in o.problems:
        parts.append(f'<p class="warn">Warning: {e(p)}</p>')
    parts.append("</section>")
    first = True
    for q in o.questionnaires:
        tables = [t for t in o.tables if t.questionnaire == q.key]
        if not tables:
            continue
        survey_titles = {str(i["survey"]): f'{i["survey_title"]} ({i["survey"]})' for i in o.inputs}
        parts.append(_questionnaire(q, tables, first, survey_titles))
        first = False
    parts.append(_suppression(o))
    parts.append(_rejections(o))
    parts.append(_inputs(o))
    parts.append(
        '<footer><p>Aggregates safe to publish are in aggregates.csv; run.json records the digests '
        'of the exports and of every output, so each published figure can be traced to its inputs.'
        '</p></footer>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Survey report: {e(titles)}</title><style>{CSS}</style></head>'
        f'<body><main>{"".join(parts)}</main></body></html>\n'
    )


def _find(tables: list[Table], kind: str, variable: str = "", by: str = "") -> Table | None:
    for t in tables:
        if t.kind == kind and t.variable == variable and t.by == by:
            return t
    return None


def _published_bars(
    t: Table, labels: dict[str, str], skip: tuple[str, ...] = (TOTAL,)
) -> tuple[list[str], list[float], list[str]]:
    """Bars for a one-way table: hidden counts get an empty bar and a note instead of a number."""
    names, values, notes = [], [], []
    for col, c in zip(t.columns, t.cells[0], strict=True):
        if col in skip:
            continue
        names.append(labels.get(col, col))
        values.append(float(c.value or 0) if c.status == PUBLISHED else 0.0)
        notes.append("" if c.status == PUBLISHED else "<k" if c.status == PRIMARY else "hidden")
    return names, values, notes


def _questionnaire(q: Questionnaire, tables: list[Table], first: bool, titles: dict[str, str]) -> str:
    cls = ' class="first"' if first else ""
    out = [f'<h2{cls}>{e(q.title)} <small class="mono">({e(q.key)})</small></h2>']
    resp = _find(tables, "responses", "", "survey")
    if resp:
        out.append("<h3>Responses by survey</h3>")
        out.append(one_way_html(resp, labels=titles, first="survey"))
    for sc in q.scores:
        out.append(f"<h3>{e(sc.label)}</h3>")
        method = "mean" if sc.method == "mean" else "sum"
        out.append(
            f'<p>The {method} of {len(sc.items)} item(s)'
            + (f", {len(sc.reverse)} reverse-scored" if sc.reverse else "")
            + f"; a response needs at least {sc.min_items} answered item(s) to get a score.</p>"
        )
        stats = _find(tables, "score", sc.code)
        if stats:
            out.append(table_html(stats, first=""))
        dist = _find(tables, "score_distribution", sc.code)
        if dist:
            names, values, notes = _published_bars(dist, {}, skip=(TOTAL, NO_SCORE))
            shown = [(n, int(v)) for n, v, note in zip(names, values, notes, strict=True) if not note]
            if shown:
                out.append(charts.histogram([n for n, _v in shown], [v for _n, v in shown], f"{sc.label} (score value)"))
            hidden = len(names) - len(shown)
            if hidden:  # only with noise or a tiny sample: bins are at least k wide
                out.append(f"<p>{hidden} score bin(s) with too few responses are not drawn.</p>")
        for dim in DIM_NAMES:
            by = _find(tables, "score_by", sc.code, dim)
            if by is None:
                continue
            labels = {**_labels(q, dim), NO_ANSWER: "No answer"}
            out.append(f"<h3>{e(sc.label)} by {e(DIM_NAMES[dim])}</h3>")
            pub = [(labels.get(g, g), row[1].value) for g, row in zip(by.rows, by.cells, strict=True)
                   if row[1].status == PUBLISHED and row[1].value is not None]
            pair = []
            if len(pub) > 1:
                pair.append(charts.bars([p[0] for p in pub], [float(p[1]) for p in pub], f"mean {sc.label}"))
            pair.append(table_html(by, row_labels=labels, first=DIM_NAMES[dim]))
            out.append(f'<div class="pair">{"".join(pair)}</div>')
    out.append("<h3>Answers</h3>")
    for question in q.questions():
        freq = _find(tables, "frequency", question.code)
        if freq is None:
            continue
        labels = _labels(q, question.code)
        labels[NO_ANSWER] = "No answer"
        out.append(f'<h4>{e(question.text)} <small class="mono">{e(question.code)}</small></h4>')
        if question.type == "multiple":
            out.append("<p>Several answers could be chosen, so the counts add up to more than the responses.</p>")
        pair = []
        if question.type in CHOICE_TYPES:
            names, values, notes = _published_bars(freq, labels, skip=(TOTAL, NO_ANSWER))
            if any(values):
                pair.append(charts.bars(names, values, "responses", notes=notes))
        if question.type == "multiple":
            labels[TOTAL] = "Responses (each may choose several)"
        pair.append(one_way_html(freq, labels=labels))
        out.append(f'<div class="pair">{"".join(pair)}</div>')
        stats = _find(tables, "number", question.code)
        if stats:
            out.append(table_html(stats, first=""))
    crosstabs = [t for t in tables if t.kind == "crosstab"
                 and q.question(t.variable).type in ("single", "multiple")]
    if crosstabs:
        out.append("<h3>Main breakdowns</h3>")
        for t in crosstabs[:MAX_CROSSTABS]:
            labels = _labels(q, t.variable)
            labels[NO_ANSWER] = "No answer"
            out.append(f"<h4>{e(t.title)} by {e(DIM_NAMES.get(t.by, t.by))}</h4>")
            out.append(table_html(t, labels=labels, row_labels=_labels(q, t.by), first=DIM_NAMES.get(t.by, t.by)))
        if len(crosstabs) > MAX_CROSSTABS:
            out.append(f"<p>{len(crosstabs) - MAX_CROSSTABS} more cross-tables are in aggregates.csv.</p>")
    return "".join(out)


def _suppression(o: Outcome) -> str:
    k = o.settings.k
    primary = sum(t.suppressed()[PRIMARY] for t in o.tables)
    complement = sum(t.suppressed()[COMPLEMENT] for t in o.tables)
    out = [
        "<h2>What was suppressed and why</h2>",
        f"<p>To protect respondents, no count between 1 and {k - 1} is published "
        f"({primary:,} count(s), “&lt;k”). Where one hidden count could be worked out by subtracting "
        f"the others from a published total, further counts were hidden as well ({complement:,} "
        "count(s), “hidden”), and every hidden count was checked to be not recoverable from the "
        "published totals. Means, spreads and medians of groups whose size is hidden are hidden too. "
        f"Score distributions are shown in bins of at least {k} responses, merging neighbouring "
        "score values where needed, so that no bin has to be hidden.</p>",
    ]
    rows = []
    for t in o.tables:
        sup = t.suppressed()
        if sup:
            what = t.variable or "responses"
            by = DIM_NAMES.get(t.by, t.by) if t.by else ""
            rows.append(f"<tr><td>{e(t.questionnaire)}</td><td>{e(t.kind)}</td><td>{e(what)}</td>"
                        f'<td>{e(by)}</td><td class="n">{sup[PRIMARY]}</td><td class="n">{sup[COMPLEMENT]}</td></tr>')
    if rows:
        out.append('<div class="wrap"><table><thead><tr><th>questionnaire</th><th>table</th><th>question or score</th>'
                   '<th>by</th><th class="n">&lt;k</th><th class="n">hidden</th></tr></thead><tbody>'
                   + "".join(rows) + "</tbody></table></div>")
    else:
        out.append("<p>Nothing needed to be suppressed.</p>")
    return "".join(out)


def _rejections(o: Outcome) -> str:
    out = ["<h2>What was rejected and why</h2>"]
    if not o.rejected:
        out.append(f"<p>All {o.records:,} records decrypted and fitted the questionnaire.</p>")
        return "".join(out)
    out.append("<p>Rejected records are counted here and never enter any figure of this report. "
               "Each one is listed, with its reason, in rejected.csv.</p>")
    out.append('<table><thead><tr><th>reason</th><th class="n">records</th></tr></thead><tbody>')
    for reason, n in sorted(o.rejected.items()):
        out.append(f'<tr><td>{e(reason)}</td><td class="n">{n:,}</td></tr>')
    out.append("</tbody></table>")
    if o.examples:
        out.append(f"<h3>First {len(o.examples)} rejected record(s)</h3>")
        out.append('<div class="wrap"><table><thead><tr><th>record</th><th>reason</th><th>detail</th></tr></thead><tbody>')
        for rid, reason, detail in o.examples:
            out.append(f'<tr><td class="mono">{e(rid)}</td><td>{e(reason)}</td><td class="mono">{e(detail[:160])}</td></tr>')
        out.append("</tbody></table></div>")
    return "".join(out)


def _inputs(o: Outcome) -> str:
    out = ["<h2>Inputs</h2>",
           '<div class="wrap"><table><thead><tr><th>file</th><th>survey</th><th>questionnaire</th><th>key id</th>'
           '<th class="n">records</th><th>SHA-256</th></tr></thead><tbody>']
    for i in o.inputs:
        out.append(f'<tr><td>{e(i["file"])}</td><td>{e(i["survey_title"])}<br><span class="mono">{e(i["survey"])}</span></td>'
                   f'<td class="mono">{e(i["questionnaire"])}</td><td class="mono">{e(i["key_id"])}</td>'
                   f'<td class="n">{_num(i["records"])}</td><td class="mono">{e(str(i["sha256"])[:16])}…</td></tr>')
    out.append("</tbody></table></div>")
    keys = ", ".join(f'<span class="mono">{e(k)}</span>' for k in o.key_ids)
    out.append(f"<p>Keys used: {keys}. "
               f"Settings: k = {o.settings.k}, ε = {e(o.settings.epsilon if o.settings.epsilon is not None else 'off')}, "
               f"{o.settings.workers} worker process(es).</p>")
    return "".join(out)
