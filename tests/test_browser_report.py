"""report.html as its readers get it, in English, Arabic and Bosnian, rendered by Chromium.

Responses to the stigma questionnaire go through the server's no-JavaScript form on a survey that
offers en, ar and bs; the real export (whose manifest carries the questionnaire's translations)
goes through the real ``survey-analyst report --lang``. The page is then read as a reader sees it:
labels instead of codes, each score's range and meaning, first-page figures that are rows of
aggregates.csv, no table row of zeros, no request, and a PDF print in which no heading is left at
the foot of a page without the start of its content."""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.core.export_format import read_manifest
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Questionnaire, load_directory
from survey.server.database import session
from survey.server.surveys import create_link, create_survey
from tests.conftest import AnalystKey, build_app, export_survey, run_analyst
from tests.helpers import read_rows

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

LANGS = ("en", "ar", "bs")
K = 5
#: Most respondents in a few countries, some scattered over others (small, suppressed groups).
MAIN_COUNTRIES = ("ba", "rs", "hr", "mk")
RARE_COUNTRIES = ("al", "it", "de", "xk", "me")
LANGUAGE_CODES = {"en", "bs", "hr", "sr", "sq", "mk", "it", "de", "fr", "es", "ru", "uk", "ar"}


@dataclass(frozen=True)
class Reports:
    q: Questionnaire
    translations: dict[str, dict[str, str]]
    folders: dict[str, Path]


def random_form(q: Questionnaire, rng: random.Random, lean: float) -> dict[str, object]:
    """A no-JavaScript form for ``q``: every question answered (or skipped) at random, scale answers
    leaning up by ``lean`` (so that groups differ), the country mostly one of a few."""
    form: dict[str, object] = {}
    for question in q.questions():
        if question.show_if is not None and not question.show_if.holds(form):
            continue
        pick = rng.random()
        if pick < 0.06:
            continue
        if question.prefer_not_to_say and pick < 0.1:
            form[question.code if question.type != "text" else f"{question.code}__pnts"] = (
                PREFER_NOT_TO_SAY if question.type != "text" else "y")
            continue
        if question.type == "scale":
            values = [p.value for p in question.scale]
            index = min(len(values) - 1, int(rng.random() * len(values) * (0.6 + lean)))
            form[question.code] = str(values[index])
        elif question.code == "country":
            form["country"] = rng.choice(MAIN_COUNTRIES) if rng.random() < 0.9 else rng.choice(RARE_COUNTRIES)
        elif question.type == "single":
            form[question.code] = rng.choice(question.option_codes)
        elif question.type == "multiple":
            form[question.code] = rng.sample(question.option_codes, rng.randint(1, 2))
    return form


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey) -> Reports:
    base = tmp_path_factory.mktemp("report_langs")
    app: Flask = build_app(base, analyst_key, submit_limit=0)
    q = load_directory()["stigma@1"]
    with app.app_context():
        s = session()
        survey = create_survey(s, app.extensions["questionnaires"]["stigma@1"],
                               app.extensions["keyring"].ids()[0], "Stigma wave 1", list(LANGS))
        tokens = [create_link(s, survey, label).token for label in ("Street outreach", "Peer group")]
        uid = survey.uid
        s.commit()
    rng = random.Random(1606)
    client = app.test_client()
    for i in range(260):
        lang = LANGS[i % 3]
        form = random_form(q, rng, lean=0.5 if i % 2 else 0.0)
        reply = client.post(f"/s/{tokens[i % 2]}?lang={lang}", data=form)
        assert reply.status_code == 303, (form, reply.get_data(as_text=True)[:300])
    export = export_survey(app, uid, base / "export.jsonl")
    translations = read_manifest(export)["questionnaire"]["translations"]
    folders = {}
    for lang in LANGS:
        folders[lang] = base / f"report-{lang}"
        result = run_analyst("report", export, "--key", analyst_key.private, "--out", folders[lang],
                             "--k", str(K), "--workers", "1", "--lang", lang)
        assert result.returncode == 0, result.stderr
    return Reports(q, translations, folders)


def test_the_export_carries_the_questionnaire_in_every_language_the_survey_offers(reports: Reports) -> None:
    q = reports.q
    assert set(reports.translations) == {"ar", "bs"}
    for lang in ("ar", "bs"):
        texts = reports.translations[lang]
        assert texts[q.title] != q.title
        assert texts[q.question("country").options[0].label]  # country names are questionnaire texts


def open_report(browser: Browser, folder: Path) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    context.on("request", lambda req: requests.append(req.url))
    page = context.new_page()
    page.goto((folder / "report.html").resolve().as_uri())
    page.wait_for_load_state("networkidle")
    return page, requests


def shown_texts(page: Page) -> list[str]:
    """What a reader reads as names: headings, row and column headers, list items, cards and
    the text of the charts."""
    texts: list[str] = page.evaluate(
        "() => Array.from(document.querySelectorAll('h1,h2,h3,h4,th,li,.card span,svg text,p'))"
        ".map(el => el.textContent.trim())")
    return texts


@pytest.mark.parametrize("lang", LANGS)
def test_labels_stand_where_codes_were_and_nothing_is_requested(reports: Reports, browser: Browser, lang: str) -> None:
    from tests.conftest import artifact

    q = reports.q
    page, requests = open_report(browser, reports.folders[lang])
    assert requests == [(reports.folders[lang] / "report.html").resolve().as_uri()]
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    html = (reports.folders[lang] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html), "an external address in the report"
    codes = {question.code for question in q.questions()} | {sc.code for sc in q.scores}
    codes |= {c for question in q.questions() if question.type in ("single", "multiple") for c in question.option_codes}
    codes |= LANGUAGE_CODES | {PREFER_NOT_TO_SAY, "(no answer)", "(all)", "(total)", "(answered)"}
    texts = shown_texts(page)
    assert len(texts) > 100
    found = {t for t in texts if t in codes}
    assert not found, f"codes shown where a label exists: {sorted(found)}"
    words = {w for t in texts for w in re.findall(r"[a-z0-9_()]+", t) if "_" in w or w.startswith("(")}
    assert not words & codes, f"codes inside the text: {sorted(words & codes)}"
    # the labels are the export's translations
    texts_in = reports.translations.get(lang, {})
    title = texts_in.get(q.title, q.title)
    assert page.locator("header.top p.lead").first.text_content() == title
    country = texts_in.get("Bosnia and Herzegovina", "Bosnia and Herzegovina")
    assert country in texts or any(country in t for t in texts)
    page.screenshot(path=str(artifact(f"report-{lang}.png")), full_page=False)
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_every_score_states_its_range_and_what_high_means(reports: Reports, browser: Browser, lang: str) -> None:
    q = reports.q
    texts_in = reports.translations.get(lang, {})
    page, _requests = open_report(browser, reports.folders[lang])
    for sc in q.scores:
        name = texts_in.get(sc.label, sc.label)
        section = page.locator("div.keep", has=page.get_by_role("heading", name=name, exact=True, level=3))
        assert section.count() == 1, name
        assert section.locator("p.range").count() == 1, f"{name}: no sentence with its range"
        about = section.locator("p.range").text_content() or ""
        points = q.question(sc.items[0]).scale
        lo, hi = points[0].value, points[-1].value
        assert re.search(rf"\b{lo}\b", about) and re.search(rf"\b{hi}\b", about), about
        assert texts_in.get(points[-1].label, points[-1].label) in about, (about, points[-1].label)
        # the score's bins are labelled in rounded numbers and the scale's own words
        ticks = page.evaluate("""name => {
            const h = Array.from(document.querySelectorAll('h3')).find(h => h.textContent === name);
            const svg = h.parentElement.parentElement.querySelector('svg.chart');
            return svg ? Array.from(svg.querySelectorAll('text')).map(t => t.textContent) : [];
        }""", name)
        assert not any(re.search(r"\d\.\d{3}", t) for t in ticks), ticks
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_key_findings_are_rows_of_aggregates_csv(reports: Reports, browser: Browser, lang: str) -> None:
    rows = read_rows(reports.folders[lang] / "aggregates.csv")
    index = {(r["table"], r["questionnaire"], r["variable"], r["by"], r["group"], r["category"], r["statistic"]): r
             for r in rows}
    page, _requests = open_report(browser, reports.folders[lang])
    figures = page.evaluate("""() => Array.from(document.querySelectorAll('.fig')).map(el => ({
        text: el.textContent, ...el.dataset}))""")
    statistics = {f["statistic"] for f in figures}
    assert {"count", "mean", "ci95_low", "ci95_high", "n"} <= statistics, statistics
    assert any(f["table"] == "score_by" for f in figures), "no difference between groups on the first page"
    for f in figures:
        row = index[f["table"], f["questionnaire"], f["variable"], f["by"], f["group"], f["category"], f["statistic"]]
        assert row["status"] == "", row
        shown = float(f["text"].replace(",", ""))
        assert abs(shown - float(row["value"])) <= 0.005, (f, row)
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_no_table_has_a_row_of_zeros(reports: Reports, browser: Browser, lang: str) -> None:
    page, _requests = open_report(browser, reports.folders[lang])
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('tbody tr')).map(tr =>
        Array.from(tr.querySelectorAll('td.n')).map(td => td.textContent.trim()))""")
    assert len(rows) > 50
    zero = [r for r in rows if r and all(re.fullmatch(r"0%?|0\.0+|–?", v) for v in r)]
    assert not zero, zero[:3]
    page.context.close()


def pdf_pages(page: Page) -> list[str]:
    from pypdf import PdfReader

    pdf = page.pdf(format="A4", print_background=True)
    # NFKC: the PDF's text has the font's ligatures ("ﬁ") where the page has two letters
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ("en", "bs"))
def test_the_print_keeps_every_heading_with_the_start_of_its_content(reports: Reports, browser: Browser, lang: str) -> None:
    """The PDF's text, page by page (pypdf): every heading is followed, on its own page, by more
    text. (Arabic is left out here: a PDF's text layer gives Arabic letters in visual order and
    presentation forms, so its headings cannot be matched as text; the print rules are the same.)"""
    page, _requests = open_report(browser, reports.folders[lang])
    headings: list[str] = page.evaluate(
        "() => Array.from(document.querySelectorAll('main h2, main h3, main h4')).map(h => h.textContent.trim())")
    pages = pdf_pages(page)
    assert len(pages) > 3
    stranded = []
    for heading in headings:
        flat = " ".join(unicodedata.normalize("NFKC", heading).split())
        where = [i for i, text in enumerate(pages) if flat in text]
        assert where, f"heading not found in the PDF: {flat}"
        text = pages[where[0]]
        after = text[text.index(flat) + len(flat):].strip()
        if not after:
            stranded.append(flat)
    assert not stranded, f"headings left at the foot of a page: {stranded}"
    page.context.close()


def test_run_json_records_the_language(reports: Reports) -> None:
    run = json.loads((reports.folders["ar"] / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["lang"] == "ar"
