"""The page "Leave quickly" opens, chosen per survey by an admin: a plain default in the
respondent's language unless the admin names one."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import add_survey
from tests.test_console_support import assign, csrf, login, make_user

pytestmark = pytest.mark.both_databases
LEAVE = re.compile(r'id="leave-quickly" href="([^"]+)"')


def _leave_href(app: Flask, token: str, lang: str = "de") -> str:
    found = LEAVE.search(app.test_client().get(f"/s/{token}?lang={lang}").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def test_an_admin_chooses_the_page_leave_quickly_opens_for_a_survey(app: Flask) -> None:
    uid, token = add_survey(app)
    _other_uid, other_token = add_survey(app, label="Other survey's link")
    make_user(app, "admin", admin=True)
    survey_id = assign(app, make_user(app, "coordinator"), uid)
    assert _leave_href(app, token).startswith("https://de.m.wikipedia.org/")
    admin = login(app, "admin")
    url = f"/console/surveys/{survey_id}/leave-page"
    saved = admin.post(url, data={"csrf_token": csrf(admin, f"/console/surveys/{survey_id}"),
                                  "leave_url": "  https://news.example.org/weather  "})
    assert saved.status_code == 303
    assert _leave_href(app, token) == "https://news.example.org/weather"
    assert _leave_href(app, other_token).startswith("https://de.m.wikipedia.org/")  # per survey
    page = admin.get(f"/console/surveys/{survey_id}").get_data(as_text=True)
    assert 'value="https://news.example.org/weather"' in page
    assert "set leave page" in admin.get("/console/audit").get_data(as_text=True)
    for bad in ("javascript:alert(1)", "http://plain.example.org/", "https://x.example.org/a b", "https://" + "x" * 300):
        refused = admin.post(url, data={"csrf_token": csrf(admin, f"/console/surveys/{survey_id}"), "leave_url": bad})
        assert refused.status_code == 400, bad
        assert "https://" in refused.get_data(as_text=True)
    assert _leave_href(app, token) == "https://news.example.org/weather"
    coordinator = login(app, "coordinator")
    token_c = csrf(coordinator, f"/console/surveys/{survey_id}")
    assert coordinator.post(url, data={"csrf_token": token_c, "leave_url": "https://evil.example.org/"}).status_code == 403
    cleared = admin.post(url, data={"csrf_token": csrf(admin, f"/console/surveys/{survey_id}"), "leave_url": ""})
    assert cleared.status_code == 303
    assert _leave_href(app, token).startswith("https://de.m.wikipedia.org/")
