"""A respondent with JavaScript on, on a link that needs a one-time code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import select

from survey.server.database import session
from survey.server.models import AccessCode
from tests.conftest import LiveServer, add_survey
from tests.helpers import count_responses, js_answer_demo
from tests.test_access_codes import make_codes

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_a_code_unlocks_the_js_questionnaire_and_is_spent_with_the_sealed_response(
    app: Flask, live_server: LiveServer, phone: BrowserContext
) -> None:
    _uid, token = add_survey(app, requires_code=True)
    code = make_codes(app, token, 1)[0]
    page = phone.new_page()
    sent: list[dict[str, str]] = []
    page.on("request", lambda r: sent.append(r.headers) if r.url.endswith("/sealed") else None)
    page.goto(f"{live_server.url}/s/{token}")
    page.fill("input[name=access_code]", code.lower().replace("-", " "))
    page.click("form button[type=submit]")
    js_answer_demo(page)
    with page.expect_response("**/sealed") as response:
        page.click("[data-submit]")
    assert response.value.status == 201
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1
    [headers] = sent
    assert headers.get("x-access-code", "").replace("-", "") == code.replace("-", "")
    with app.app_context():
        assert session().scalars(select(AccessCode.used)).all() == [True]
    # The same code cannot unlock the questionnaire again.
    page.goto(f"{live_server.url}/s/{token}")
    page.fill("input[name=access_code]", code)
    page.click("form button[type=submit]")
    assert "does not work" in page.content()
