"""Reading less on a 360×640 phone, in every language: the first answer is on the first screen, no
step is longer than three screens, "Leave quickly" stays on screen, the check of the answers shows
nothing until it is opened, and lists such as countries follow the respondent's alphabet."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.core.languages import LANGUAGES, sort_key
from tests.conftest import LiveServer, add_survey, artifact

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
SCREEN = 640
INSTRUMENTS = ("stigma@1", "service_access@1")


def _first_control_top(page: Page) -> float:
    return float(page.evaluate(
        """() => {
            const input = [...document.querySelectorAll('#questionnaire .question input')]
                .find(el => el.getBoundingClientRect().height > 0);
            return input.getBoundingClientRect().top + window.scrollY;
        }"""
    ))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_first_answer_is_on_the_first_screen_in_every_language(
    app: Flask, live_server: LiveServer, request: pytest.FixtureRequest, javascript: bool
) -> None:
    tokens = {key: add_survey(app, key)[1] for key in INSTRUMENTS}
    context: BrowserContext = request.getfixturevalue("phone" if javascript else "phone_no_js")
    page = context.new_page()
    below: dict[str, float] = {}
    for key, token in tokens.items():
        for lang in LANGUAGES:
            page.goto(f"{live_server.url}/s/{token}?lang={lang}")
            if javascript:
                page.wait_for_selector("html.enhanced")
            top = _first_control_top(page)
            if top + 28 > SCREEN:  # the whole control, 28 px tall, is on the first screen
                below[f"{key} {lang}"] = top
                page.screenshot(path=str(artifact(f"first-screen-{key}-{lang}.png")))
    assert below == {}


def _step_heights(page: Page) -> list[float]:
    """Each step's page height, walking through the questionnaire with Continue."""
    heights = []
    while page.is_hidden("#review"):
        heights.append(float(page.evaluate("document.documentElement.scrollHeight")))
        page.click("[data-submit]")
    return heights


def test_no_step_is_longer_than_three_screens_in_any_language(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    tokens = {key: add_survey(app, key)[1] for key in INSTRUMENTS}
    page = phone.new_page()
    longest: dict[str, float] = {}
    for key, token in tokens.items():
        for lang in LANGUAGES:
            page.goto(f"{live_server.url}/s/{token}?lang={lang}")
            page.wait_for_selector("html.enhanced")
            longest[f"{key} {lang}"] = max(_step_heights(page))
    print("\nlongest step (px):", longest)
    assert {k: v for k, v in longest.items() if v > 3 * SCREEN} == {}


def test_leave_quickly_is_on_screen_at_the_bottom_of_the_longest_step(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    _uid, token = add_survey(app, "service_access@1")
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}?lang=bs")
    page.wait_for_selector("html.enhanced")
    steps: list[float] = []
    while page.is_hidden("#review"):
        steps.append(float(page.evaluate("document.documentElement.scrollHeight")))
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        box = page.locator("#leave-quickly").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN, (len(steps), box)
        page.click("[data-submit]")
    assert max(steps) > SCREEN  # there was something to scroll
    # In a landmark, so a screen reader lists it with the page's regions.
    assert page.evaluate("!!document.getElementById('leave-quickly').closest('header, nav, main, [role]')")


def test_without_javascript_leave_quickly_stays_on_screen_too(
    app: Flask, live_server: LiveServer, phone_no_js: BrowserContext
) -> None:
    _uid, token = add_survey(app, "service_access@1")
    page = phone_no_js.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.mouse.wheel(0, 20_000)
    page.wait_for_timeout(200)
    box = page.locator("#leave-quickly").bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= SCREEN


def test_check_your_answers_shows_nothing_until_it_is_opened(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    page.check("#needed_treatment-0")
    page.click("[data-submit]")
    page.click("[data-submit]")
    page.fill("#comment", "canary-7f3a9c")
    page.click("[data-submit]")
    page.wait_for_selector("#review:not([hidden])")
    assert "canary-7f3a9c" not in page.inner_html("#review")
    assert float(page.evaluate("document.documentElement.scrollHeight")) <= SCREEN
    page.click("[data-review-details] summary")
    page.wait_for_selector("[data-review-list] .review-row")
    assert "canary-7f3a9c" in page.inner_text("[data-review-list]")
    page.click("[data-review-details] summary")  # closed again: emptied again
    page.wait_for_selector("[data-review-list] .review-row", state="detached")
    assert "canary-7f3a9c" not in page.inner_html("#review")


def test_countries_are_in_the_alphabetical_order_of_the_page_language_with_another_country_last(
    app: Flask, live_server: LiveServer, phone_no_js: BrowserContext
) -> None:
    _uid, token = add_survey(app, "stigma@1")
    page = phone_no_js.new_page()
    for lang in ("en", "de", "hr", "sr", "ru", "ar"):
        page.goto(f"{live_server.url}/s/{token}?lang={lang}")
        names = page.eval_on_selector_all("#q-country label", "els => els.map(e => e.textContent.trim())")
        countries, other, pnts = names[:-2], names[-2], names[-1]
        assert countries == sorted(countries, key=lambda n: sort_key(n, lang)), lang
        assert len(countries) == 23 and other and pnts
    page.goto(f"{live_server.url}/s/{token}?lang=de")
    names = page.eval_on_selector_all("#q-country label", "els => els.map(e => e.textContent.trim())")
    assert names.index("Österreich") < names.index("Polen") and names[-2] == "Ein anderes Land"
