"""The JavaScript path in real Chromium at 360×640: one screen per section, sealing in the browser,
nothing readable on the wire or left on the phone, keyboard-only use, page weight."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from flask import Flask

from survey.core.envelope import OVERHEAD
from survey.server.respond.forms import MESSAGES
from tests.conftest import AnalystKey, LiveServer, add_survey, artifact, export_survey, run_analyst
from tests.helpers import DEMO_ROW, count_responses, js_answer_demo, plain_answer_demo, read_rows, review_text

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Request

pytestmark = pytest.mark.browser
CANARIES = (b"canary-7f3a9c", b"waiting list was months long")


def _record_requests(page: Page) -> list[Request]:
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r))
    return seen


def test_js_answers_are_sealed_on_the_phone_and_decrypt_exactly(
    app: Flask, live_server: LiveServer, phone: BrowserContext, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app)
    page = phone.new_page()
    requests = _record_requests(page)
    script_errors: list = []
    page.on("pageerror", lambda e: script_errors.append(e))
    page.goto(f"{live_server.url}/s/{token}")
    js_answer_demo(page, lambda name: page.screenshot(path=str(artifact(f"js-step-{name}.png")), full_page=True))
    assert page.inner_text("[data-review-list]") == ""  # nothing shown until "Check your answers" is opened
    review = review_text(page)
    assert "Worry about confidentiality" in review and "34" in review and "Prefer not to say" in review
    with page.expect_response("**/sealed") as sent:
        page.click("[data-submit]")
    assert sent.value.status == 201
    page.wait_for_url("**/thanks**")
    page.screenshot(path=str(artifact("js-step-5-thanks.png")), full_page=True)
    assert script_errors == []

    [post] = [r for r in requests if r.method == "POST"]
    assert post.url.endswith(f"/s/{token}/sealed")
    assert post.headers["content-type"] == "application/octet-stream"
    assert post.post_data_buffer is not None
    assert len(post.post_data_buffer) == OVERHEAD + 1024  # one padded bucket, nothing else
    for request in requests:
        body = request.post_data_buffer or b""
        assert not any(c in body or c in request.url.encode() for c in CANARIES)

    export = export_survey(app, uid, tmp_path / "e.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    [row] = read_rows(tmp_path / "o.csv")
    assert {k: row[k] for k in DEMO_ROW} == DEMO_ROW


def test_client_messages_are_the_servers_and_conditions_apply_live(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    assert page.is_hidden("#q-barriers") and page.is_hidden("#section-stigma")
    assert page.inner_text("[data-progress-text]") == "Step 1 of 4"
    page.click("[data-submit]")
    summary = page.locator("[data-client-errors]")
    assert summary.is_visible()
    assert summary.locator("a").get_attribute("href") == "#q-needed_treatment"
    assert summary.inner_text().endswith(str(MESSAGES["required"]))
    assert page.evaluate("document.activeElement.hasAttribute('data-client-errors')")
    assert page.title().startswith("Error:")
    page.screenshot(path=str(artifact("js-step-1-errors.png")), full_page=True)
    page.check("#needed_treatment-0")
    assert page.is_visible("#q-barriers")
    page.check("#barriers-1")
    page.check("#barriers-5")  # prefer not to say together with an answer
    page.click("[data-submit]")
    assert page.inner_text("#barriers-error").endswith(str(MESSAGES["pnts_alone"]))
    page.check("#needed_treatment-1")  # "No": the follow-up question goes, with its error
    assert page.is_hidden("#q-barriers")
    page.click("[data-submit]")
    page.click("[data-submit]")
    page.fill("#age", "150")
    page.click("[data-submit]")
    # The same words the server uses for this field (see test_respond_core).
    assert page.inner_text("#age-error").endswith("Enter a number from 16 to 99.")
    assert page.get_attribute("#age", "aria-describedby") == "age-hint age-range age-error"
    assert page.get_attribute("#age", "aria-invalid") == "true"
    page.fill("#age", "")
    page.click("[data-submit]")
    assert page.is_visible("#review")
    assert page.inner_text("[data-progress-text]") == "Step 4 of 4"
    assert "Waiting lists" not in page.inner_text("[data-review-list]")  # hidden answers are dropped
    page.click("[data-back]")
    assert page.is_visible("#section-about")


def test_after_sending_nothing_is_left_on_the_phone_and_back_shows_no_answers(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/s/{token}")
    js_answer_demo(page)
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1
    assert page.evaluate("""async () => [localStorage.length, sessionStorage.length,
        (await indexedDB.databases()).length, document.cookie]""") == [0, 0, 0, ""]
    assert phone.cookies() == []
    page.go_back()  # the survey was replaced in history by the thank-you page
    assert urlsplit(page.url).path == "/"
    page.go_forward()
    assert "/thanks" in page.url
    for _ in range(2):
        assert not any(c.decode() in page.content() for c in CANARIES)
        page.goto(f"{live_server.url}/s/{token}")
        page.wait_for_selector("html.enhanced")
        assert page.input_value("#comment") == "" and not page.is_checked("#needed_treatment-0")


def test_leave_quickly_replaces_the_survey_in_history(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    leave = page.get_attribute("#leave-quickly", "href") or ""
    assert leave.startswith("https://en.m.wikipedia.org/")
    page.route(leave, lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "leave-quickly"  # first in tab order
    page.check("#needed_treatment-0")
    page.focus("#leave-quickly")
    page.keyboard.press("Enter")
    page.wait_for_url(leave)
    page.go_back()
    assert urlsplit(page.url).path == "/"


def _tab_to(page: Page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_questionnaire_can_be_completed_with_the_keyboard_alone(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    _tab_to(page, "#needed_treatment-0")
    page.keyboard.press("Space")
    _tab_to(page, "#barriers-0")
    page.keyboard.press("Space")
    _tab_to(page, "[data-submit]")
    page.keyboard.press("Enter")
    _tab_to(page, "#treated_unfairly-0")
    page.keyboard.press("ArrowDown")  # moves and selects within the radio group: "Disagree"
    _tab_to(page, "[data-submit]")
    page.keyboard.press("Enter")
    _tab_to(page, "#age")
    page.keyboard.type("41")
    _tab_to(page, "#comment")
    page.keyboard.type("typed with keys")
    _tab_to(page, "[data-submit]")
    page.keyboard.press("Enter")
    review = review_text(page)
    assert "Cost" in review and "Disagree" in review and "41" in review and "typed with keys" in review
    _tab_to(page, "[data-submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1


def test_the_respondent_page_weighs_at_most_20_kb_and_loads_only_from_its_host(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    cdp = phone.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    wire: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    responses: list = []
    page.on("response", lambda r: responses.append(r))
    page.goto(f"{live_server.url}/s/{token}", wait_until="networkidle")
    page.wait_for_selector("html.enhanced")
    hosts = {urlsplit(r.url).netloc for r in responses}
    assert hosts == {urlsplit(live_server.url).netloc}
    # The page (its stylesheet and first script inline) and respond.js; seal.js only once answering starts.
    assert sorted(urlsplit(r.url).path.rsplit("/", 1)[-1] for r in responses) == [token, "respond.js"]
    assert all(r.headers.get("content-encoding") == "gzip" for r in responses)
    total = sum(wire.values())
    gzipped = {urlsplit(r.url).path: len(gzip.compress(r.body(), 6)) for r in responses}
    print(f"\nrespondent page over the wire: {total:.0f} bytes in {len(wire)} responses; gzip sizes {gzipped}")
    assert total <= 20 * 1024  # issue 14: the first load of a slow phone on prepaid data
    shift = page.evaluate("""() => new Promise(done => {
        let sum = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries()) sum += e.value; })
            .observe({type: "layout-shift", buffered: true});
        setTimeout(() => done(sum), 300);
    })""")
    print(f"layout shift on load: {shift}")
    assert shift < 0.01  # the script's changes happen before the first paint: no layout shift


def test_without_crypto_subtle_the_plain_form_posts_and_says_the_server_encrypts(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    """As on plain HTTP to a local address: JavaScript runs, but WebCrypto is not there."""
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined})")
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_load_state("load")
    assert page.evaluate("crypto.subtle === undefined && !document.documentElement.classList.contains('js')")
    page.click("details.about summary")  # "Your privacy": one tap away
    assert page.is_visible("[data-no-js-notice]") and page.is_hidden("[data-js-notice]")
    assert "encrypted on our server" in page.inner_text("[data-no-js-notice]")
    assert page.is_visible("#q-barriers") and page.is_hidden("#section-about")  # the plain form, in pages
    plain_answer_demo(page)
    with page.expect_request(f"**/s/{token}*") as posted:
        page.click("[data-submit]")
    assert posted.value.method == "POST" and "canary-7f3a9c" in (posted.value.post_data or "")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1


def test_with_webcrypto_the_notice_says_answers_are_encrypted_on_this_device(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    page.click("details.about summary")
    assert page.is_hidden("[data-no-js-notice]")
    assert "encrypted on this device before they are sent" in page.inner_text("[data-js-notice]")
    assert page.get_attribute("#questionnaire", "autocomplete") == "off"
    assert page.evaluate("[...document.querySelectorAll('#questionnaire input:not([type=hidden]), #questionnaire textarea')].every(e => e.autocomplete === 'off')")
