"""Nothing irreversible in one tap, and errors people see (issue 17), in real Chromium: revoking a
link and closing a survey go through their confirmation page, Cancel changes nothing, and a form
error puts a summary at the top of the page with the focus on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.server.database import session
from survey.server.models import Link, Survey
from tests.conftest import LiveServer, add_survey, artifact
from tests.test_console_support import PASSWORD, assign, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.browser
SIZES: dict[str, ViewportSize] = {"phone": {"width": 360, "height": 640}, "desk": {"width": 1280, "height": 800}}


def _login(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def _link_and_survey(app: Flask) -> tuple[bool, bool]:
    with app.app_context():
        s = session()
        link, survey = s.query(Link).one(), s.query(Survey).one()
        return link.revoked, survey.is_open


@pytest.mark.parametrize("size", list(SIZES))
def test_revoking_a_link_and_closing_a_survey_need_their_confirmation_page(
    app: Flask, live_server: LiveServer, browser: Browser, size: str
) -> None:
    uid, _token = add_survey(app, label="Outreach van")
    survey_id = assign(app, make_user(app, "coord"), uid)
    base = live_server.url
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    _login(page, base, "coord")
    survey_url = f"{base}/console/surveys/{survey_id}"
    page.goto(survey_url)
    page.screenshot(path=str(artifact(f"console-survey-{size}.png")), full_page=True)
    assert page.locator("main .button.warning").count() == 0  # no red button on the survey's page

    # A POST straight to the actions, with this session's CSRF token but without the confirmation
    # page's confirm=yes (as the old one-button forms sent), changes nothing.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    with app.app_context():
        link_id = session().query(Link).one().id
    for path in (f"/console/links/{link_id}/revoke", f"/console/surveys/{survey_id}/close"):
        direct = page.request.post(f"{base}{path}", form={"csrf_token": token}, max_redirects=0)
        assert direct.status == 200 and 'name="confirm" type="hidden" value="yes"' in direct.text(), path
    assert _link_and_survey(app) == (False, True)

    # Revoke: the button leads to a page that says what stops working; Cancel goes back unchanged.
    page.click("text=Revoke link “Outreach van”")
    page.wait_for_url("**/revoke")
    assert page.locator("h1").inner_text() == "Revoke the link “Outreach van”?"
    assert "Every flyer, poster and QR code printed for this link stops working" in page.locator("[data-happens]").inner_text()
    assert "This cannot be undone." in page.locator("[data-undo]").inner_text()
    page.screenshot(path=str(artifact(f"console-confirm-revoke-{size}.png")), full_page=True)
    assert page.locator("[data-confirm]").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(212, 53, 28)"
    page.click("text=Cancel")
    page.wait_for_url(f"{survey_url}#link-*")
    assert _link_and_survey(app) == (False, True)
    page.click("text=Revoke link “Outreach van”")
    page.click("[data-confirm]")
    page.wait_for_url(survey_url)
    assert _link_and_survey(app) == (True, True)
    assert "Revoked" in page.locator(".card").inner_text()
    assert page.locator("text=Revoke link “Outreach van”").count() == 0

    # Close: the same, and the survey's page then offers the undo.
    page.click("main >> text=Close survey")
    page.wait_for_url("**/close")
    assert "You can undo this" in page.locator("[data-undo]").inner_text()
    page.screenshot(path=str(artifact(f"console-confirm-close-{size}.png")), full_page=True)
    page.click("[data-confirm]")
    page.wait_for_url(survey_url)
    assert _link_and_survey(app) == (True, False)
    assert "To undo this, use “Reopen survey” below." in page.locator(".flash").inner_text()
    page.click("button:has-text('Reopen survey')")
    page.wait_for_url(survey_url)
    assert _link_and_survey(app) == (True, True)
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_form_error_shows_a_summary_at_the_top_and_moves_the_focus_to_it(
    app: Flask, live_server: LiveServer, browser: Browser, size: str
) -> None:
    uid, _token = add_survey(app)
    survey_id = assign(app, make_user(app, "coord"), uid)
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    _login(page, live_server.url, "coord")
    page.goto(f"{live_server.url}/console/surveys/{survey_id}")
    page.fill("#label", "")
    page.click("button:has-text('Create link')")
    page.wait_for_selector("[data-error-summary]")
    summary = page.locator("[data-error-summary]")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.evaluate("window.scrollY") == 0
    box = summary.bounding_box()
    assert box is not None and box["y"] < SIZES[size]["height"] / 2  # at the top of the first screen
    assert page.title().startswith("Error: ")
    assert summary.locator("a").all_inner_texts() == ["Enter a label, such as the place or group the link is for."]
    page.screenshot(path=str(artifact(f"console-error-summary-{size}.png")))
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == "label"  # the link leads to the field
    context.close()
