"""The respondent's journey in real Chromium at 360×640: answers survive Back, Forward and a
language switch with JavaScript; after a send, no Back, Forward or Reload shows an answer on
either path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.conftest import AnalystKey, LiveServer, add_survey, export_survey, run_analyst
from tests.helpers import DEMO_ROW, count_responses, js_answer_demo, plain_submit, read_rows

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
CANARY = "canary-7f3a9c"


def _content(page: Page) -> str:
    """The page's HTML once a navigation (which may be a POST answered by a redirect) settles."""
    from playwright.sync_api import Error

    for _ in range(50):
        try:
            page.wait_for_load_state()
            return page.content()
        except Error as exc:
            if "navigating" not in str(exc):
                raise
            page.wait_for_timeout(100)
    raise AssertionError("the page never settled")


def _no_answer_shown(page: Page) -> bool:
    content = _content(page)
    return CANARY not in content and 'value="150"' not in content


def _navigate(page: Page, go: Callable[[], object]) -> None:
    """Back, Forward or Reload as a person does it: an entry that was a POST answer cannot come
    from any cache (no-store), so Chromium shows its "Confirm form resubmission" page
    (ERR_CACHE_MISS); a Reload there sends the form again."""
    from playwright.sync_api import Error

    try:
        go()
    except Error as exc:
        if "ERR_CACHE_MISS" not in str(exc):
            raise
    page.wait_for_load_state()


def test_without_javascript_back_forward_and_reload_after_a_send_show_no_answers(
    app: Flask, live_server: LiveServer, phone_no_js: BrowserContext
) -> None:
    _uid, token = add_survey(app)
    page = phone_no_js.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.check("#needed_treatment-1")
    plain_submit(page)  # the plain form is in pages (respond/paging.py): on to page 2
    plain_submit(page)
    page.fill("#age", "150")
    page.fill("#comment", f"{CANARY} my own words")
    plain_submit(page)
    assert page.is_visible("#error-summary") and page.input_value("#comment").startswith(CANARY)
    page.fill("#age", "34")
    plain_submit(page)
    assert page.is_visible("#review")
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1
    for go in (page.go_back, page.reload, page.go_forward, page.reload, page.go_back, page.go_back, page.reload):
        _navigate(page, go)
        print(go.__name__, page.url)
        assert _no_answer_shown(page), go.__name__
    assert count_responses(app) == 1


def _state(page: Page) -> dict[str, object]:
    """What a person sees of the demo's answers, whichever step shows them."""
    return page.evaluate("""() => ({
        yes: document.querySelector('#needed_treatment-0').checked,
        cost: document.querySelector('#barriers-0').checked,
        agree: document.querySelector('#treated_unfairly-3').checked,
        age: document.querySelector('#age').value,
        comment: document.querySelector('#comment').value,
    })""")


def _answer_three_steps(page: Page) -> None:
    page.wait_for_selector("html.enhanced")
    page.check("#needed_treatment-0")
    page.check("#barriers-0")
    page.click("[data-submit]")
    page.wait_for_selector("#section-stigma:not([hidden])")
    page.check("#treated_unfairly-3")
    page.click("[data-submit]")
    page.wait_for_selector("#section-about:not([hidden])")
    page.fill("#age", "34")
    page.fill("#comment", f"{CANARY} in my own words")


def test_back_and_forward_move_between_steps_and_keep_every_answer(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/s/{token}")
    _answer_three_steps(page)
    answered = {"yes": True, "cost": True, "agree": True, "age": "34", "comment": f"{CANARY} in my own words"}
    page.go_back()  # the phone's Back: the previous step, not the previous website
    page.wait_for_selector("#section-stigma:not([hidden])")
    assert page.is_hidden("#section-about") and _state(page) == answered
    page.go_back()
    page.wait_for_selector("#section-services:not([hidden])")
    assert _state(page) == answered
    page.go_forward()
    page.wait_for_selector("#section-stigma:not([hidden])")
    page.go_forward()
    page.wait_for_selector("#section-about:not([hidden])")
    assert _state(page) == answered
    # History holds a step number, never an answer; the address holds none either.
    held = page.evaluate("JSON.stringify(history.state) + location.href")
    assert "34" not in held.replace(live_server.url, "") and CANARY not in held and "cost" not in held
    page.click("[data-back]")  # the page's own Back is the same history step
    page.wait_for_selector("#section-stigma:not([hidden])")
    page.go_forward()
    page.wait_for_selector("#section-about:not([hidden])")
    assert _state(page) == answered


def test_a_language_switch_at_step_3_keeps_every_answer_and_the_step(
    app: Flask, live_server: LiveServer, phone: BrowserContext, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    _answer_three_steps(page)
    answered = _state(page)
    page.click("nav.languages summary")
    page.click("nav.languages a[hreflang=de]")
    page.wait_for_selector("html[lang=de]")
    page.wait_for_selector("html.enhanced #section-about:not([hidden])")
    assert page.is_hidden("#section-services") and _state(page) == answered
    assert page.inner_text("[data-submit]") == "Weiter" and "lang=de" in page.url
    page.go_back()  # earlier steps, now in German, still answered
    page.wait_for_selector("#section-stigma:not([hidden])")
    assert _state(page) == answered
    page.go_forward()
    page.wait_for_selector("#section-about:not([hidden])")
    page.click("[data-submit]")
    page.wait_for_selector("#review:not([hidden])")
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    export = export_survey(app, uid, tmp_path / "e.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    [row] = read_rows(tmp_path / "o.csv")
    assert (row["lang"], row["needed_treatment"], row["barriers"], row["treated_unfairly"], row["age"]) == ("de", "yes", "cost", "4", "34")
    assert row["comment"] == f"{CANARY} in my own words"


def test_with_javascript_back_forward_and_reload_after_a_send_show_no_answers(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/s/{token}")
    _answer_three_steps(page)
    page.click("[data-submit]")
    page.wait_for_selector("#review:not([hidden])")
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    for go in (page.go_back, page.go_forward, page.reload, page.go_back, page.go_forward, page.go_forward, page.reload):
        _navigate(page, go)
        assert _no_answer_shown(page), go.__name__
        if "/s/" in page.url:
            page.wait_for_selector("html.enhanced")
            assert _state(page) == {"yes": False, "cost": False, "agree": False, "age": "", "comment": ""}
    assert count_responses(app) == 1


def test_a_send_whose_reply_is_lost_retries_by_itself_and_is_stored_once(
    app: Flask, live_server: LiveServer, phone: BrowserContext, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    from playwright.sync_api import Route

    uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    js_answer_demo(page)
    sent: list[bytes] = []

    def drop_the_first_reply(route: Route) -> None:
        sent.append(route.request.post_data_buffer or b"")
        if len(sent) == 1:
            route.fetch()  # the server gets the envelope and stores it...
            route.abort("connectionreset")  # ...and its reply never reaches the phone
        else:
            route.continue_()

    page.route("**/sealed", drop_the_first_reply)
    page.click("[data-submit]")
    retrying = page.wait_for_selector("[data-send-retrying]:not([hidden])")
    assert retrying is not None and "Trying again in 2 seconds." in retrying.inner_text()
    assert "/thanks" not in page.url and count_responses(app) == 1
    page.wait_for_url("**/thanks**", timeout=15_000)  # only after the server acknowledged
    assert len(sent) == 2 and sent[0] == sent[1]  # the same envelope, byte for byte
    assert count_responses(app) == 1
    export = export_survey(app, uid, tmp_path / "e.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    [row] = read_rows(tmp_path / "o.csv")
    assert {k: row[k] for k in DEMO_ROW} == DEMO_ROW


def test_a_send_the_server_cannot_take_says_so_and_a_manual_retry_sends_it(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    from playwright.sync_api import Route

    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    js_answer_demo(page)
    down = [True]

    def storage_down(route: Route) -> None:
        if down[0]:
            route.fulfill(status=503, content_type="application/json", body='{"error": "storage unavailable"}')
        else:
            route.continue_()

    page.route("**/sealed", storage_down)
    page.click("[data-submit]")
    page.wait_for_selector("[data-send-retrying]:not([hidden])")
    assert page.is_disabled("[data-submit]") and count_responses(app) == 0
    down[0] = False
    page.click("[data-retry-now]")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1


def test_shift_pressed_three_times_leaves_quickly_but_typing_capitals_does_not(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/s/{token}")
    _answer_three_steps(page)
    leave = page.get_attribute("#leave-quickly", "href") or ""
    page.route(leave, lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>"))
    page.focus("#comment")
    page.keyboard.type(" I Am OK And We Go")  # Shift before each capital, letters between
    assert f"/s/{token}" in page.url
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(leave)
    page.go_back()  # the survey's steps gave way: Back goes to the page before the survey
    assert page.url == f"{live_server.url}/"


def test_a_language_switch_on_a_link_with_a_one_time_code_keeps_answers_and_the_code(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    from tests.test_access_codes import make_codes

    _uid, token = add_survey(app, requires_code=True)
    code = make_codes(app, token, 1)[0]
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.fill("input[name=access_code]", code)
    page.click("button[type=submit]")
    _answer_three_steps(page)
    answered = _state(page)
    page.click("nav.languages summary")
    page.click("nav.languages a[hreflang=uk]")
    page.wait_for_selector("html[lang=uk]")
    page.wait_for_selector("html.enhanced #section-about:not([hidden])")
    assert _state(page) == answered
    page.click("[data-submit]")
    page.wait_for_selector("#review:not([hidden])")
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1
