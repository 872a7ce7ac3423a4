"""axe-core (WCAG 2.1 A and AA rules) on every respondent page state, in real Chromium at phone size;
and the layout at 320 px with tap targets of at least 44 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.conftest import ROOT, LiveServer, add_survey, artifact
from tests.helpers import js_answer_demo, plain_answer_demo, plain_submit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test`, which installs it")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def audited(browser: Browser) -> Iterator[BrowserContext]:
    """A phone-sized context where the page's CSP is bypassed, only so axe can be injected."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    yield context
    context.close()


def violations(page: Page, axe_source: str) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        TAGS,
    )


def test_every_page_state_has_no_axe_violations(app: Flask, live_server: LiveServer, audited: BrowserContext, axe_source: str) -> None:
    _uid, token = add_survey(app)
    found: dict[str, list[dict]] = {}

    def audit(page: Page, name: str) -> None:
        found[name] = violations(page, axe_source)

    # Without the script (the no-JavaScript page): empty, then the server's error page.
    plain = audited.new_page()
    plain.route("**/static/respond.js*", lambda route: route.abort())
    plain.goto(f"{live_server.url}/s/{token}")
    audit(plain, "no-js empty")
    plain.click("[data-submit]")  # the required first question, unanswered
    plain.wait_for_selector("#error-summary")
    audit(plain, "no-js server errors")
    plain_answer_demo(plain, lambda name: audit(plain, f"no-js {name}"))  # the plain form's pages
    plain.click("[data-review-details] summary")
    audit(plain, "no-js check your answers")
    plain.screenshot(path=str(artifact("no-js-errors.png")), full_page=True)
    plain.goto(f"{live_server.url}/")
    audit(plain, "index")
    plain.goto(f"{live_server.url}/s/no-such-link")
    audit(plain, "error page")

    page = audited.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    page.click("[data-submit]")
    page.wait_for_selector("[data-client-errors]:not([hidden])")
    audit(page, "js errors")
    page.check("#needed_treatment-0")
    page.check("#barriers-0")
    page.check("#barriers-5")
    page.click("[data-submit]")
    audit(page, "js errors on a follow-up question")
    page.uncheck("#barriers-5")
    page.reload()
    js_answer_demo(page, lambda name: audit(page, f"js step {name}"))
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    audit(page, "thank-you")

    assert len(found) == 15
    assert {name: v for name, v in found.items() if v} == {}


def _fits(page: Page, width: int) -> list[str]:
    """Problems on the current screen: sideways scrolling, or a visible control under 44 px."""
    return page.evaluate(
        """(width) => {
            const problems = [];
            if (document.documentElement.scrollWidth > width) problems.push("scrolls sideways: " + document.documentElement.scrollWidth);
            const controls = document.querySelectorAll("a, button, input:not([type=radio]):not([type=checkbox]), textarea, .choice");
            for (const el of controls) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 && box.height === 0) continue;  // not shown
                if (box.height < 44 || box.width < 44) problems.push((el.id || el.className || el.tagName) + ": " + Math.round(box.width) + "x" + Math.round(box.height));
            }
            return problems;
        }""",
        width,
    )


def test_every_step_fits_320_px_with_tap_targets_of_44_px(app: Flask, live_server: LiveServer, browser: Browser) -> None:
    _uid, token = add_survey(app)
    context = browser.new_context(viewport={"width": 320, "height": 568})
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    found: dict[str, list[str]] = {}
    def record(name: str) -> None:
        return found.__setitem__(name, _fits(page, 320))
    js_answer_demo(page, record)
    page.screenshot(path=str(artifact("js-320-review.png")), full_page=True)
    context.close()
    assert found and {k: v for k, v in found.items() if v} == {}


def strict_violations(page: Page, axe_source: str) -> list[dict]:
    """WCAG 2.1 A and AA, and "region": everything on the page inside a landmark."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, rules: {region: {enabled: true}}, resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        [*TAGS, "best-practice"],
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_journey_state_has_no_axe_violations_including_region(
    app: Flask, live_server: LiveServer, audited: BrowserContext, axe_source: str, lang: str
) -> None:
    from playwright.sync_api import Route

    _uid, token = add_survey(app)
    url = f"{live_server.url}/s/{token}?lang={lang}"
    found: dict[str, list[dict]] = {}

    def audit(page: Page, name: str) -> None:
        found[name] = strict_violations(page, axe_source)

    plain = audited.new_page()
    plain.route("**/static/respond.js*", lambda route: route.abort())
    plain.goto(url)
    audit(plain, "no-js empty")
    plain.click("details.about summary")
    plain.click("nav.languages summary")
    audit(plain, "no-js privacy and languages open")
    plain.click("[data-submit]")  # the required first question, unanswered
    plain.wait_for_selector("#error-summary")
    audit(plain, "no-js server errors")
    plain.check("#needed_treatment-0")
    plain_submit(plain)
    plain.click("nav.languages summary")  # a later page: the languages are buttons inside the form
    audit(plain, "no-js page 2, languages open")
    plain_submit(plain)
    plain_submit(plain)
    plain.click("[data-review-details] summary")
    audit(plain, "no-js check your answers")
    plain.goto(f"{live_server.url}/s/{token}")
    plain.set_extra_http_headers({"Accept-Language": "tlh"})
    plain.goto(f"{live_server.url}/s/{token}")
    plain.wait_for_selector(".language-list")
    audit(plain, "language first")

    page = audited.new_page()
    page.goto(url)
    page.wait_for_selector("html.enhanced")
    audit(page, "js step 1")
    page.click("details.about summary")
    page.click("nav.languages summary")
    audit(page, "js privacy and languages open")
    page.click("nav.languages summary")
    page.click("[data-submit]")
    page.wait_for_selector("[data-client-errors]:not([hidden])")
    audit(page, "js errors")
    page.check("#needed_treatment-0")
    page.click("[data-submit]")
    audit(page, "js step 2")
    page.click("[data-submit]")
    page.fill("#comment", "x")
    audit(page, "js step 3")
    page.click("[data-submit]")
    page.wait_for_selector("#review:not([hidden])")
    audit(page, "js send step")
    page.click("[data-review-details] summary")
    page.wait_for_selector("[data-review-list] .review-row")
    audit(page, "js check your answers")

    def down(route: Route) -> None:
        route.fulfill(status=503, content_type="application/json", body="{}")

    page.route("**/sealed", down)
    page.click("[data-submit]")
    page.wait_for_selector("[data-send-retrying]:not([hidden])")
    audit(page, "js retrying")
    page.unroute("**/sealed")
    page.click("[data-retry-now]")
    page.wait_for_url("**/thanks**")
    audit(page, "thank-you")
    assert len(found) == 15
    assert {name: v for name, v in found.items() if v} == {}
