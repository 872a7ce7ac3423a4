"""Without JavaScript, the questionnaire in pages (survey/server/respond/paging.py), in real
Chromium at 360×640: no page is longer than three screens in English or in the language whose
pages are longest, for both instruments; every answer travels with the pages (Back, a language
switch, "Change" on the review) and arrives whole; the review shows nothing until opened."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.core.languages import LANGUAGES
from tests.conftest import AnalystKey, LiveServer, add_survey, artifact, export_survey, run_analyst
from tests.helpers import DEMO_ROW, count_responses, plain_submit, read_rows

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
SCREEN = 640
INSTRUMENTS = ("service_access@1", "stigma@1")


def _height(page: Page) -> float:
    return float(page.evaluate("document.documentElement.scrollHeight"))


def _page_heights(page: Page, url: str) -> list[float]:
    """Each page's height, walking the plain form with Continue up to "Send your answers"."""
    page.goto(url)
    heights = []
    while True:
        heights.append(_height(page))
        if page.is_visible("#review"):
            return heights
        plain_submit(page)
        assert len(heights) < 60


def _longest_language(page: Page, url: str) -> str:
    """The language in which the whole form, every page shown at once, is tallest on this phone."""
    heights = {}
    for lang in LANGUAGES:
        page.goto(f"{url}?lang={lang}")
        heights[lang] = float(page.evaluate("""() => {
            document.querySelectorAll(".off-page").forEach(el => el.classList.remove("off-page"));
            return document.documentElement.scrollHeight;
        }"""))
    return max(heights, key=lambda lang: heights[lang])


@pytest.mark.parametrize("key", INSTRUMENTS)
def test_no_page_of_the_plain_form_is_longer_than_three_screens(
    app: Flask, live_server: LiveServer, phone_no_js: BrowserContext, key: str
) -> None:
    _uid, token = add_survey(app, key)
    page = phone_no_js.new_page()
    longest = _longest_language(page, f"{live_server.url}/s/{token}")
    too_long = {}
    for lang in ("en", longest):
        heights = _page_heights(page, f"{live_server.url}/s/{token}?lang={lang}")
        print(key, lang, len(heights), "pages:", [round(h / SCREEN, 2) for h in heights])
        assert len(heights) > 3  # the form is in pages, and "Send your answers" is one of them
        for number, height in enumerate(heights, 1):
            if height > 3 * SCREEN:
                too_long[f"{lang} page {number}"] = height
    assert too_long == {}, too_long


def test_without_javascript_every_answer_travels_with_the_pages_and_arrives_whole(
    app: Flask, live_server: LiveServer, phone_no_js: BrowserContext, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app)
    page = phone_no_js.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    assert page.is_visible("#q-needed_treatment") and page.is_hidden("#q-age") and page.is_hidden("#review")
    plain_submit(page, "[data-submit]")  # the required question, unanswered: this page again, with its problem only
    assert page.locator("#error-summary li").count() == 1 and page.is_visible("#q-needed_treatment .error-message")
    page.check("#needed_treatment-0")
    page.check("#barriers-0")
    page.check("#barriers-4")
    plain_submit(page, "[data-submit]")
    assert page.is_visible("#q-treated_unfairly") and page.is_hidden("#q-needed_treatment")
    assert "barriers=cost" not in page.url and "?" in page.url and "cost" not in page.url  # never in the address
    page.check("#treated_unfairly-3")
    page.check("#hide_recovery-5")
    plain_submit(page, "button[name=go][value=back]")
    assert page.is_visible("#q-needed_treatment") and page.is_checked("#needed_treatment-0") and page.is_checked("#barriers-4")
    plain_submit(page, "[data-submit]")
    assert page.is_checked("#treated_unfairly-3") and page.is_checked("#hide_recovery-5")
    page.click("nav.languages summary")  # another language: the same page, every answer kept
    plain_submit(page, "nav.languages button[lang=de]")
    assert page.get_attribute("html", "lang") == "de" and page.is_visible("#q-treated_unfairly")
    assert page.is_checked("#treated_unfairly-3") and page.is_checked("#hide_recovery-5")
    plain_submit(page, "[data-submit]")
    page.fill("#age", "35")
    page.fill("#comment", str(DEMO_ROW["comment"]))
    plain_submit(page, "[data-submit]")
    assert page.is_visible("#review") and page.is_hidden("#q-age")
    assert "canary-7f3a9c" not in page.inner_text("body")  # "Check your answers" shows nothing until opened
    page.screenshot(path=str(artifact("plain-form-review-closed.png")))
    page.click("[data-review-details] summary")
    review = page.inner_text("[data-review-list]")
    assert "canary-7f3a9c" in review and "35" in review and "Kosten" in review
    plain_submit(page, "[data-review-list] .review-row:has-text('35') button")  # "Change"
    assert page.is_visible("#q-age") and page.input_value("#age") == "35"
    page.fill("#age", "34")
    plain_submit(page, "[data-submit]")
    assert count_responses(app) == 0  # nothing is stored before Send
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1
    export = export_survey(app, uid, tmp_path / "export.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    [row] = read_rows(tmp_path / "o.csv")
    assert {k: row[k] for k in DEMO_ROW} == DEMO_ROW
