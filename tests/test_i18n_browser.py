"""Every questionnaire in every language in real Chromium at 360×640: the first screen and a
page with errors, with <html lang dir> checked (Arabic right-to-left) and screenshots saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.core.languages import LANGUAGES
from tests.conftest import LiveServer, add_survey, artifact
from tests.helpers import plain_submit

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

#: A mistake the server refuses on each questionnaire: an answer together with "Prefer not to say".
MISTAKES = {"stigma@1": "dis_told", "service_access@1": "barriers"}


@pytest.mark.browser
def test_each_questionnaire_renders_in_every_language_with_errors(app: Flask, live_server: LiveServer, phone_no_js: BrowserContext) -> None:
    page = phone_no_js.new_page()
    for key, code in MISTAKES.items():
        _uid, token = add_survey(app, key)
        for lang in LANGUAGES:
            page.goto(f"{live_server.url}/s/{token}?lang={lang}")
            direction = "rtl" if lang == "ar" else "ltr"
            assert page.get_attribute("html", "lang") == lang
            assert page.get_attribute("html", "dir") == direction
            assert page.evaluate("getComputedStyle(document.body).direction") == direction
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{key} {lang} scrolls sideways"
            name = key.split("@")[0]
            page.screenshot(path=str(artifact(f"i18n-{name}-{lang}-first.png")))
            while page.is_hidden(f"#q-{code}"):  # the plain form is in pages: on to the question's
                plain_submit(page)
            page.check(f"#{code}-0")
            page.check(f"#q-{code} input[value=prefer_not_to_say]")
            page.click("button[type=submit]")
            summary = page.locator("#error-summary")
            summary.wait_for()
            assert page.get_attribute("html", "lang") == lang and page.get_attribute("html", "dir") == direction
            assert page.locator(f"#q-{code} .error-message").count() == 1
            summary.scroll_into_view_if_needed()
            page.screenshot(path=str(artifact(f"i18n-{name}-{lang}-errors.png")))
    page.close()
