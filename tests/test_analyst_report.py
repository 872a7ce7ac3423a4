"""survey-analyst report: every published figure checked against a computation done here.

Responses go through the real server path (the no-JavaScript form of the demo questionnaire,
two waves, three channels, two languages), come out through the real export command, and the
real `survey-analyst report` runs on them in its own process, on two worker processes."""

from __future__ import annotations

import json
import math
import random
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.server.database import session
from survey.server.models import Survey
from survey.server.surveys import create_link
from tests.conftest import AnalystKey, add_survey, build_app, export_survey, run_analyst
from tests.helpers import read_rows

if TYPE_CHECKING:
    from playwright.sync_api import Browser

K = 5
SCALE = ["1", "2", "3", "4", "5"]
BARRIERS = ["cost", "waiting_list", "distance", "staff_attitudes", "confidentiality"]
#: A channel label and a comment that a spreadsheet would run as formulas.
CLINIC = "=HYPERLINK(1)"
FORMULA_COMMENT = "=1+1 no formula here"


@dataclass(frozen=True)
class Sent:
    """One response as the test sent it, and the canonical answers it must decrypt to."""

    survey: str
    channel: str
    lang: str
    answers: dict[str, object]


def random_form(rng: random.Random) -> tuple[dict[str, object], dict[str, object]]:
    """A no-JS form submission of the demo questionnaire and the answers it stands for."""
    form: dict[str, object] = {}
    answers: dict[str, object] = {}
    needed = rng.choice(["yes", "yes", "no", "prefer_not_to_say"])
    form["needed_treatment"] = answers["needed_treatment"] = needed
    if needed == "yes":
        pick = rng.random()
        if pick < 0.15:
            form["barriers"] = ["prefer_not_to_say"]
            answers["barriers"] = "prefer_not_to_say"
        elif pick < 0.9:
            chosen = sorted(rng.sample(BARRIERS, rng.randint(1, 3)), key=BARRIERS.index)
            form["barriers"] = chosen
            answers["barriers"] = chosen
    for code in ("treated_unfairly", "hide_recovery"):
        pick = rng.random()
        if pick < 0.1:
            form[code] = "prefer_not_to_say"
            answers[code] = "prefer_not_to_say"
        elif pick < 0.9:
            value = rng.choice(SCALE[:3] if code == "hide_recovery" else SCALE)
            form[code] = value
            answers[code] = int(value)
    pick = rng.random()
    if pick < 0.1:
        form["age__pnts"] = "y"
        answers["age"] = "prefer_not_to_say"
    elif pick < 0.9:
        age = rng.randint(18, 70)
        form["age"] = str(age)
        answers["age"] = age
    if rng.random() < 0.3:
        text = rng.choice(["waiting list was months long", "staff were kind", FORMULA_COMMENT])
        form["comment"] = answers["comment"] = text
    return form, answers


@dataclass(frozen=True)
class Run:
    sent: list[Sent]
    exports: list[Path]
    out: Path
    result: object


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey) -> Run:
    base = tmp_path_factory.mktemp("known")
    app: Flask = build_app(base, analyst_key, submit_limit=0)
    uid_a, token_a = add_survey(app, label="Street outreach")
    with app.app_context():
        s = session()
        survey_a = s.query(Survey).filter_by(uid=uid_a).one()
        token_clinic = create_link(s, survey_a, CLINIC).token
        s.commit()
    uid_b, token_b = add_survey(app, label="Online")
    links = [(uid_a, "Street outreach", token_a), (uid_a, CLINIC, token_clinic),
             (uid_b, "Online", token_b)]
    rng = random.Random(20240606)
    client = app.test_client()
    sent = []
    for i in range(90):
        uid, channel, token = links[0] if i < 40 else links[1] if i < 62 else links[2]
        lang = "es" if rng.random() < 0.35 else "en"
        form, answers = random_form(rng)
        reply = client.post(f"/s/{token}?lang={lang}", data=form)
        assert reply.status_code == 303, (form, reply.get_data(as_text=True)[:500])
        sent.append(Sent(uid, channel, lang, answers))
    exports = [export_survey(app, uid_a, base / "wave1.jsonl"), export_survey(app, uid_b, base / "wave2.jsonl")]
    out = base / "report"
    result = run_analyst("report", *exports, "--key", analyst_key.private, "--out", out,
                         "--k", str(K), "--workers", "2")
    assert result.returncode == 0, result.stderr
    return Run(sent, exports, out, result)


# -- the independent computation -------------------------------------------------------------


def expected_score(answers: dict[str, object]) -> float | None:
    items = [answers.get(c) for c in ("treated_unfairly", "hide_recovery")]
    values = [v for v in items if isinstance(v, int)]
    return sum(values) / len(values) if values else None


def categories(code: str, value: object) -> list[str]:
    if value is None:
        return ["(no answer)"]
    if isinstance(value, list):
        return list(value)
    if code in ("age", "comment") and value != "prefer_not_to_say":
        return ["(answered)"]
    return [str(value)]


def stats(values: list[float]) -> dict[str, float]:
    """n, mean, sd, median, and the mean's 95% interval by Student's t (scipy's quantile)."""
    from scipy.stats import t as student_t

    out = {"n": len(values), "mean": statistics.fmean(values), "median": statistics.median(values)}
    if len(values) > 1:
        out["sd"] = statistics.stdev(values)
        half = float(student_t.ppf(0.975, len(values) - 1)) * out["sd"] / math.sqrt(len(values))
        out["ci95_low"], out["ci95_high"] = out["mean"] - half, out["mean"] + half
    return out


def wilson(count: int, n: int) -> tuple[float, float]:
    """Wilson's score interval by its formula, with the normal quantile from scipy."""
    from scipy.stats import norm

    z = float(norm.ppf(0.975))
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def add_shares(fig: dict[tuple[str, ...], float], suppressed_below: int = K) -> None:
    """Each one-way frequency count's share of its total, with Wilson's interval: published
    where the count and the total are (0 or at least k; the analyst's suppression may hide a
    few more, which the test allows)."""
    for key, count in list(fig.items()):
        table, variable, by, group, category, statistic = key
        if table != "frequency" or statistic != "count" or category == "(total)":
            continue
        total = int(fig[table, variable, by, group, "(total)", "count"])
        if 0 < count < suppressed_below or total < suppressed_below:
            continue
        low, high = wilson(int(count), total)
        fig[table, variable, by, group, category, "proportion"] = count / total
        fig[table, variable, by, group, category, "ci95_low"] = low
        fig[table, variable, by, group, category, "ci95_high"] = high


ALL_CATEGORIES = {
    "needed_treatment": ["yes", "no", "prefer_not_to_say", "(no answer)"],
    "barriers": [*BARRIERS, "prefer_not_to_say", "(no answer)"],
    "treated_unfairly": [*SCALE, "prefer_not_to_say", "(no answer)"],
    "hide_recovery": [*SCALE, "prefer_not_to_say", "(no answer)"],
    "age": ["(answered)", "prefer_not_to_say", "(no answer)"],
    "comment": ["(answered)", "(no answer)"],
}
CHOICE = ("needed_treatment", "barriers", "treated_unfairly", "hide_recovery")


def fmt(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def independent_figures(sent: list[Sent]) -> dict[tuple[str, ...], float]:
    """(table, variable, by, group, category, statistic) → the true figure."""
    fig: dict[tuple[str, ...], float] = {}
    n = len(sent)
    by_survey = Counter(s.survey for s in sent)
    for uid, count in by_survey.items():
        fig["responses", "", "survey", "(all)", uid, "count"] = count
    fig["responses", "", "survey", "(all)", "(total)", "count"] = n
    dims = {"lang": lambda s: s.lang, "channel": lambda s: s.channel}
    for dim, get in dims.items():
        for group, count in Counter(get(s) for s in sent).items():
            fig["frequency", dim, "", "(all)", group, "count"] = count
        fig["frequency", dim, "", "(all)", "(total)", "count"] = n
    for code, cats in ALL_CATEGORIES.items():
        counts = Counter(c for s in sent for c in categories(code, s.answers.get(code)))
        for cat in cats:
            fig["frequency", code, "", "(all)", cat, "count"] = counts[cat]
        fig["frequency", code, "", "(all)", "(total)", "count"] = n
        if code in CHOICE:
            for dim, get in dims.items():
                for group in {get(s) for s in sent}:
                    cell = Counter(c for s in sent if get(s) == group for c in categories(code, s.answers.get(code)))
                    for cat in cats:
                        fig["crosstab", code, dim, group, cat, "count"] = cell[cat]
    ages = [float(age) for s in sent if isinstance(age := s.answers.get("age"), int)]
    for name, v in stats(ages).items():
        fig["number", "age", "", "(all)", "", name] = v
    scores = [expected_score(s.answers) for s in sent]
    for name, v in stats([x for x in scores if x is not None]).items():
        fig["score", "stigma_score", "", "(all)", "", name] = v
    # The distribution is published in bins of at least K responses (adjacent values merged from
    # the lowest; a short last bin joins the one before), so it needs no suppression.
    dist = sorted(Counter(x for x in scores if x is not None).items())
    bins: list[list[tuple[float, int]]] = [[]]
    for value, count in dist:
        if sum(c for _v, c in bins[-1]) >= K:
            bins.append([])
        bins[-1].append((value, count))
    if len(bins) > 1 and sum(c for _v, c in bins[-1]) < K:
        bins[-2].extend(bins.pop())
    for b in bins:
        label = fmt(b[0][0]) if len(b) == 1 else f"{fmt(b[0][0])} to {fmt(b[-1][0])}"
        fig["score_distribution", "stigma_score", "", "(all)", label, "count"] = sum(c for _v, c in b)
        assert sum(c for _v, c in b) >= K
    fig["score_distribution", "stigma_score", "", "(all)", "(total)", "count"] = sum(c for _v, c in dist)
    for dim, get in dims.items():
        for group in {get(s) for s in sent}:
            vals = [x for s, x in zip(sent, scores, strict=True) if get(s) == group and x is not None]
            for name, v in stats(vals).items():
                fig["score_by", "stigma_score", dim, group, "", name] = v
    add_shares(fig)
    return fig


def unquote(text: str) -> str:
    """Undo the CSV formula guard (a leading ') to compare with what was sent."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def published(out: Path) -> list[dict[str, str]]:
    return read_rows(out / "aggregates.csv")


# -- tests -------------------------------------------------------------------------------------


def test_every_published_figure_matches_an_independent_computation(known: Run) -> None:
    truth = independent_figures(known.sent)
    rows = published(known.out)
    seen = set()
    for row in rows:
        key = (row["table"], row["variable"], row["by"], unquote(row["group"]), unquote(row["category"]), row["statistic"])
        assert row["questionnaire"] == "demo@1"
        assert key in truth or row["status"], f"figure with no counterpart: {row}"
        seen.add(key)
        true = truth.get(key, 0)
        if row["status"] == "":
            assert row["value"] != "", row
            assert math.isclose(float(row["value"]), true, abs_tol=0.0005), (row, true)
        else:
            assert row["value"] == ""
            if row["status"] == "suppressed: fewer than k" and row["statistic"] == "count":
                assert 0 < true < K, (row, true)
    hidden = {key[:-1] for row in rows if row["status"] and row["statistic"] == "count"
              for key in [(row["table"], row["variable"], row["by"], unquote(row["group"]), unquote(row["category"]), "")]}
    missing = {k for k, v in truth.items() if k not in seen and not (k[-1] == "count" and v == 0)
               and not (k[-1] in ("proportion", "ci95_low", "ci95_high") and k[:-1] in hidden)}
    assert not missing, f"figures not published at all: {sorted(missing)[:5]}"
    # Some small cells exist in this data, so suppression was exercised here too.
    assert any(r["status"] == "suppressed: fewer than k" for r in rows)


def test_scores_csv_matches_an_independent_scoring_of_what_was_sent(known: Run) -> None:
    responses = {r["response"]: r for r in read_rows(known.out / "responses.csv")}
    scores = read_rows(known.out / "scores.csv")
    assert len(responses) == len(scores) == len(known.sent)
    got: Counter[tuple[str, ...]] = Counter()
    for row in scores:
        resp = responses[row["response"]]
        assert (row["survey"], row["questionnaire"]) == (resp["survey"], resp["questionnaire"])
        got[(resp["survey"], unquote(resp["channel"]), resp["lang"], resp["treated_unfairly"],
             resp["hide_recovery"], row["stigma_score"])] += 1
    want: Counter[tuple[str, ...]] = Counter()
    for s in known.sent:
        score = expected_score(s.answers)
        cells = ["" if s.answers.get(c) is None else str(s.answers[c]) for c in ("treated_unfairly", "hide_recovery")]
        want[(s.survey, s.channel, s.lang, *cells, "" if score is None else fmt(score))] += 1
    assert got == want


def test_responses_csv_holds_every_answer_sent_with_language_and_channel(known: Run) -> None:
    rows = read_rows(known.out / "responses.csv")

    def as_cell(v: object) -> str:
        return "" if v is None else ";".join(v) if isinstance(v, list) else str(v)

    codes = list(ALL_CATEGORIES)
    got = Counter((r["survey"], unquote(r["channel"]), r["lang"], *(unquote(r[c]) for c in codes)) for r in rows)
    want = Counter((s.survey, s.channel, s.lang, *(as_cell(s.answers.get(c)) for c in codes)) for s in known.sent)
    assert got == want
    assert all(r["questionnaire"] == "demo@1" for r in rows)
    # The channel that looks like a formula is neutralised, and only it; so is the comment that does.
    assert {r["channel"] for r in rows} == {"Street outreach", "'" + CLINIC, "Online"}
    comments = Counter(r["comment"] for r in rows)
    sent_formulas = sum(s.answers.get("comment") == FORMULA_COMMENT for s in known.sent)
    assert sent_formulas > 0 and comments["'" + FORMULA_COMMENT] == sent_formulas
    assert all(not r["comment"].startswith("=") for r in rows)


def test_run_json_traces_the_tables_to_their_exports(known: Run) -> None:
    from survey.core.export_format import digest_file

    run = json.loads((known.out / "run.json").read_text())
    assert [i["sha256"] for i in run["inputs"]] == [digest_file(p) for p in known.exports]
    assert run["counts"] == {"records": 90, "valid": 90, "rejected": {}}
    assert run["settings"]["k"] == K and run["settings"]["epsilon"] is None
    assert len(run["key_ids"]) == 1 and run["inputs"][0]["key_id"] == run["key_ids"][0]
    assert run["outputs_sha256"]["aggregates.csv"] == digest_file(known.out / "aggregates.csv")
    assert run["version"]


def test_the_codebook_comes_with_the_report(known: Run) -> None:
    rows = read_rows(known.out / "codebook.csv")
    assert [r["code"] for r in rows] == list(ALL_CATEGORIES)
    assert rows[2]["scoring"] == "stigma_score"


def test_epsilon_adds_noise_to_counts_and_the_report_says_so(known: Run, analyst_key: AnalystKey, tmp_path: Path) -> None:
    result = run_analyst("report", *known.exports, "--key", analyst_key.private, "--out", tmp_path,
                         "--k", str(K), "--epsilon", "0.5", "--workers", "1")
    assert result.returncode == 0, result.stderr
    truth = independent_figures(known.sent)
    counts = [(r, truth.get((r["table"], r["variable"], r["by"], unquote(r["group"]), unquote(r["category"]),
                             r["statistic"]), 0))
              for r in published(tmp_path) if r["statistic"] == "count" and r["value"] != ""]
    assert all(int(r["value"]) >= 0 for r, _ in counts)
    assert sum(int(r["value"]) != true for r, true in counts) > len(counts) // 3
    html = (tmp_path / "report.html").read_text()
    assert "Differential privacy" in html and "ε = 0.5" in html
    assert json.loads((tmp_path / "run.json").read_text())["settings"]["epsilon"] == 0.5


def test_no_hidden_count_in_the_published_tables_can_be_worked_out(known: Run) -> None:
    """From aggregates.csv alone, as a reader would: each additive cross-table with the one-way
    tables that are its margins. Every hidden count must keep more than one possible value."""
    from tests.test_analyst_report_suppression import feasible_range

    rows = published(known.out)

    def value(r: dict[str, str]) -> int | None:
        return None if r["status"] else int(r["value"])

    one_way = {(r["variable"], unquote(r["category"])): value(r) for r in rows
               if r["table"] == "frequency" and r["statistic"] == "count"}
    n = len(known.sent)
    checked = hidden = 0
    for code in ("needed_treatment", "treated_unfairly", "hide_recovery"):  # answers that add up
        cats = ALL_CATEGORIES[code]
        for dim in ("lang", "channel"):
            cells = [r for r in rows if r["table"] == "crosstab" and r["variable"] == code and r["by"] == dim]
            groups = sorted({unquote(r["group"]) for r in cells})
            matrix = [[next(value(r) for r in cells if unquote(r["group"]) == g and r["category"] == c) for c in cats]
                      for g in groups]
            row_totals = [one_way[dim, g] for g in groups]
            col_totals = [one_way[code, c] for c in cats]
            ranges = feasible_range(matrix, row_totals, col_totals, n)
            for where, (low, high) in ranges.items():
                assert low < high, (code, dim, where)
            checked += 1
            hidden += sum(v is None for row in matrix for v in row)
    assert checked == 6 and hidden > 0
    # One-way tables: a hidden count is never alone against a published total.
    for (table, variable) in {(r["table"], r["variable"]) for r in rows if r["table"] in ("frequency", "responses")}:
        part = [r for r in rows if (r["table"], r["variable"]) == (table, variable) and r["category"] != "(total)"]
        assert sum(1 for r in part if r["status"]) != 1, (table, variable)


@pytest.mark.browser
def test_the_report_opens_in_chromium_without_any_network_request(known: Run, browser: Browser) -> None:
    from tests.conftest import artifact

    report = (known.out / "report.html").resolve()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(report.as_uri())
    page.wait_for_load_state("networkidle")
    assert requests == [report.as_uri()]
    assert errors == []
    assert page.locator("svg.chart").count() >= 4
    assert page.get_by_role("heading", name="What was suppressed and why").is_visible()
    page.screenshot(path=str(artifact("report.png")), full_page=True)
    page.emulate_media(media="print")  # the print stylesheet applies
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "none"
    context.close()
