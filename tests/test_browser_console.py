"""The console in real Chromium at phone size: admin, coordinator, respondent with a code, export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import pytest
from flask import Flask

from tests.conftest import AnalystKey, LiveServer, artifact, build_app, run_analyst, start_server
from tests.helpers import read_rows
from tests.test_console_support import PASSWORD, age_responses, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.browser
K = 2


class PhoneSize(TypedDict):
    viewport: ViewportSize
    device_scale_factor: float


@pytest.fixture
def k2_server(tmp_path: Path, analyst_key: AnalystKey) -> Iterator[tuple[Flask, LiveServer]]:
    app = build_app(tmp_path, analyst_key, count_threshold=K)
    settings = app.config["SETTINGS"]
    env = {"DATABASE_URL": settings.database_url, "SURVEY_KEYS_DIR": str(analyst_key.keys_dir),
           "SECRET_KEY": settings.secret_key, "FLASK_DEBUG": "0", "SURVEY_COUNT_THRESHOLD": str(K)}
    server = start_server(env, tmp_path / "server.log", tmp_path / "server-tmp")
    yield app, server
    server.stop()


def _login(page: Page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def _no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_admin_coordinator_respondent_and_analyst_through_the_console(
    k2_server: tuple[Flask, LiveServer], browser: Browser, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    app, server = k2_server
    base = server.url
    make_user(app, "admin", admin=True)
    phone: PhoneSize = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 1}

    # The admin makes a coordinator and a survey, and assigns the one to the other.
    admin_ctx = browser.new_context(**phone)
    page = admin_ctx.new_page()
    _login(page, base, "admin", PASSWORD)
    page.click("text=Accounts")
    page.fill("#username", "coord")
    page.fill("#new", "coordinator password")
    page.click("button:has-text('Create account')")
    page.wait_for_selector(".flash")
    assert "Account coord created." in page.content(), page.locator("main").inner_text()
    page.click("nav >> text=Surveys")
    page.click("text=New survey")
    page.fill("#title", "Browser survey")
    page.select_option("#questionnaire", "demo@1")
    page.click("button:has-text('Create survey')")
    assert page.locator("[data-key-id]").inner_text().replace(" ", "") == analyst_key.key_id
    page.select_option("#user_id", label="coord")
    page.click("button:has-text('Assign')")
    page.wait_for_selector("text=Remove coord")
    _no_horizontal_scroll(page)
    page.screenshot(path=str(artifact("console-admin-survey.png")), full_page=True)
    admin_ctx.close()

    # The coordinator makes a link that needs codes, opens its flyer and generates codes.
    coord_ctx = browser.new_context(**phone, accept_downloads=True)
    page = coord_ctx.new_page()
    _login(page, base, "coord", "coordinator password")
    page.click("text=Browser survey")
    page.fill("#label", "Outreach van")
    page.check("#requires_code")
    page.click("button:has-text('Create link')")
    survey_url = page.url.split("#")[0]
    assert page.locator("#link-1 [data-count]").inner_text() == f"fewer than {K}"
    page.click("#link-1 >> text=Flyer and QR code")
    link_url = page.locator("[data-url]").inner_text()
    assert link_url.startswith(f"{base}/s/")
    assert page.evaluate("document.querySelector('img.qr').naturalWidth > 0")
    _no_horizontal_scroll(page)
    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible()
    page.screenshot(path=str(artifact("console-flyer-print.png")), full_page=True)
    page.pdf(path=str(artifact("console-flyer.pdf")), format="A4")
    page.emulate_media(media="screen")
    page.goto(survey_url)
    page.click("#link-1 >> text=One-time codes")
    page.fill("#count", "3")
    page.click("button:has-text('Generate codes')")
    codes = page.locator("[data-code]").all_inner_texts()
    assert len(codes) == 3
    page.screenshot(path=str(artifact("console-codes.png")), full_page=True)

    # Respondents answer with a code each (no JavaScript); the count shows once it reaches k
    # (from the day after: each answer is dated back a day here).
    for n, code in enumerate(codes[:K], start=1):
        respondent = browser.new_context(**phone, java_script_enabled=False)
        r = respondent.new_page()
        r.goto(link_url)
        assert "Enter your code" in r.content()
        r.fill("#access_code", code.lower().replace("-", " "))
        r.click("button[type=submit]")
        r.check("#needed_treatment-0")
        r.check("#barriers-1")
        r.click("[data-submit]")  # the plain form comes in pages (respond/paging.py)
        r.check("#treated_unfairly-4")
        r.click("[data-submit]")
        r.fill("#age", str(30 + n))
        r.click("[data-submit]")
        r.wait_for_selector("#review")
        r.click("[data-submit]")
        r.wait_for_url("**/thanks**")
        assert not respondent.cookies()
        respondent.close()
        age_responses(app)
        page.goto(survey_url)
        shown = page.locator("#link-1 [data-count]").inner_text()
        assert shown == (f"fewer than {K}" if n < K else str(K)), (n, shown)
    # A used code is refused.
    again = browser.new_context(**phone, java_script_enabled=False).new_page()
    again.goto(link_url)
    again.fill("#access_code", codes[0])
    again.click("button[type=submit]")
    assert "This code does not work" in again.content()
    again.context.close()

    # The export downloads and decrypts offline.
    page.goto(survey_url)
    page.click("a.button:has-text('Export for the analyst')")  # first a page on what the file is and where it goes
    assert "never both" in page.locator("[data-export-once]").inner_text()
    with page.expect_download() as download_info:
        page.click("button:has-text('Download export for the analyst')")
    export = tmp_path / "export.jsonl"
    download_info.value.save_as(export)
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    rows = read_rows(tmp_path / "out.csv")
    assert sorted(r["age"] for r in rows) == ["31", "32"]
    assert {r["channel"] for r in rows} == {"Outreach van"}
    coord_ctx.close()
