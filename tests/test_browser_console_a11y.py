"""Every console page, in every state a coordinator or admin meets, in real Chromium at a desk
(1280×800) and on a phone (360×640), in English and Arabic (right to left): axe-core finds no
violation of WCAG 2.0/2.1/2.2 A and AA (with the 2.2 target-size rule on: tap targets of at least
24 px) nor of its best practices, and no page scrolls sideways on the phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.server.database import session
from survey.server.models import Survey
from survey.server.surveys import create_link, create_survey
from tests.conftest import AnalystKey, LiveServer, artifact, build_app, start_server
from tests.helpers import DEMO_FORM
from tests.test_browser_a11y import AXE
from tests.test_console_support import PASSWORD, age_responses, assign, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
K = 2
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
SIZES = {"desk": (1280, 800), "phone": (360, 640)}


@dataclass
class Console:
    server: LiveServer
    survey_id: int
    empty_survey_id: int
    link_id: int
    coordinator_id: int


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey) -> Iterator[Console]:
    """A survey whose export is open (two links with K responses each, one needing codes), a
    survey with no responses, an admin and a coordinator, on a real server process."""
    tmp_path: Path = tmp_path_factory.mktemp("console-a11y")
    app: Flask = build_app(tmp_path, analyst_key, count_threshold=K)
    make_user(app, "admin", admin=True)
    coordinator = make_user(app, "coord")
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["demo@1"]
        key = app.extensions["keyring"].ids()[0]
        survey = create_survey(s, q, key, "Outreach spring 2027", ["en", "bs", "ar"])
        first = create_link(s, survey, "Outreach van")
        second = create_link(s, survey, "Night shelter on the river side")
        empty = create_survey(s, q, key, "Families' evening", ["en", "ar"])
        create_link(s, empty, "Parents' group")
        s.commit()
        ids = (survey.id, empty.id, first.id)
        tokens = (first.token, second.token)
        uid = survey.uid
    assign(app, coordinator, uid)
    respondent = app.test_client()
    for token in tokens:
        for _ in range(K):
            assert respondent.post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    age_responses(app)
    with app.app_context():
        s = session()
        survey_row = s.get(Survey, ids[0])
        assert survey_row is not None
        for link in survey_row.links:
            link.requires_code = link.id != ids[2]
        s.commit()
    settings = app.config["SETTINGS"]
    env = {"DATABASE_URL": settings.database_url, "SURVEY_KEYS_DIR": str(analyst_key.keys_dir),
           "SECRET_KEY": settings.secret_key, "FLASK_DEBUG": "0", "SURVEY_COUNT_THRESHOLD": str(K)}
    server = start_server(env, tmp_path / "server.log", tmp_path / "server-tmp")
    yield Console(server, ids[0], ids[1], ids[2], coordinator)
    server.stop()


def violations(page: Page, axe_source: str) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                rules: {"target-size": {enabled: true}, region: {enabled: true}}, resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        TAGS,
    )


def walk(page: Page, base: str, c: Console, at: Callable[[str], None]) -> None:
    """Every console page and state, calling ``at(name)`` on each. Nothing here is destructive
    but the last steps, which close the survey without responses and reopen it."""
    console = f"{base}/console"
    page.goto(f"{console}/login")
    at("login")
    page.fill("#username", "admin")
    page.fill("#password", "wrong password")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    at("login error")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{console}/")
    at("surveys")
    survey = f"{console}/surveys/{c.survey_id}"
    page.goto(survey)
    at("survey")
    page.click("form[action$='/links'] button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    at("survey: new link errors")
    page.goto(f"{console}/surveys/new")
    at("new survey")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    at("new survey errors")
    page.goto(f"{console}/links/{c.link_id}/revoke")
    at("revoke: confirmation")
    page.goto(f"{survey}/close")
    at("close: confirmation")
    page.goto(f"{survey}/purge")
    at("purge: confirmation")
    page.click("[data-confirm]")
    page.wait_for_selector("[data-error-summary]")
    at("purge: errors")
    page.goto(f"{survey}/export")
    at("export")
    page.goto(f"{console}/surveys/{c.empty_survey_id}/export")
    at("export not yet")
    page.goto(f"{console}/links/{c.link_id}/flyer")
    at("flyer")
    page.goto(f"{console}/links/{c.link_id}/codes")
    at("codes")
    page.fill("#count", "0")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    at("codes errors")
    page.fill("#count", "4")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-code]")
    at("codes sheet")
    page.goto(f"{console}/users")
    at("accounts")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    at("accounts errors")
    page.goto(f"{console}/users/{c.coordinator_id}/disable")
    at("disable: confirmation")
    page.goto(f"{console}/audit")
    at("audit log")
    page.goto(f"{console}/questionnaires")
    at("questionnaires")
    page.goto(f"{console}/password")
    at("password")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    at("password errors")
    page.goto(f"{console}/surveys/999999")
    at("not found")
    page.goto(f"{console}/surveys/{c.empty_survey_id}/close")
    page.click("[data-confirm]")
    page.wait_for_url(f"{console}/surveys/{c.empty_survey_id}")
    at("closed survey")
    page.goto(f"{console}/surveys/{c.empty_survey_id}/close")
    page.wait_for_url(f"{console}/surveys/{c.empty_survey_id}")  # closed already: back to its page
    at("close when closed")
    page.click(f"form[action$='/surveys/{c.empty_survey_id}/open'] button")  # as it was, for the next walk
    page.wait_for_selector("a[href$='/close']")


PAGES = 27


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_console_page_has_no_axe_violation_and_fits_the_phone(console: Console, browser: Browser, lang: str, size: str) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test`, which installs it")
    axe_source = AXE.read_text(encoding="utf-8")
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True,
                                  extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    sideways: dict[str, int] = {}

    def at(name: str) -> None:
        assert page.evaluate("document.documentElement.lang") == lang, name
        found[name] = violations(page, axe_source)
        if size == "phone":
            slug = "".join(ch if ch.isalnum() else "-" for ch in name)
            page.screenshot(path=str(artifact(f"console-{lang}-360-{slug}.png")), full_page=True)
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll > width:
            sideways[name] = scroll

    walk(page, console.server.url, console, at)
    context.close()
    assert len(found) == PAGES
    assert {name: v for name, v in found.items() if v} == {}
    assert sideways == {}
