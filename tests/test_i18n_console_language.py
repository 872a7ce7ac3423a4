"""The console's language switcher: on every console page, remembered in the console's session
cookie (through signing in and out), the browser's language when unset, never on respondent pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.core.languages import LANGUAGES
from tests.conftest import add_survey
from tests.test_console_support import PASSWORD, csrf, make_user

HTML_LANG = re.compile(r'<html lang="([^"]+)"')


def page_lang(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, path
    return match.group(1)


def choose(client: FlaskClient, lang: str, back: str = "/console/login") -> str:
    response = client.post("/console/language", data={"csrf_token": csrf(client, back), "lang": lang, "next": back})
    assert response.status_code == 303
    return response.headers["Location"]


@pytest.fixture
def admin(app: Flask) -> Flask:
    make_user(app, "admin", admin=True)
    return app


def test_every_language_is_offered_by_its_own_name_on_the_sign_in_page(admin: Flask) -> None:
    page = admin.test_client().get("/console/login").get_data(as_text=True)
    assert 'action="/console/language"' in page
    for code in admin.extensions["survey_languages"]:
        assert re.search(rf'<option lang="{code}"[^>]* value="{code}"[^>]*>{LANGUAGES[code]}</option>', page), code
    assert len(admin.extensions["survey_languages"]) == 13


def test_the_chosen_language_stays_through_sign_in_and_out_and_beats_the_browser(admin: Flask) -> None:
    client = admin.test_client()
    assert page_lang(client, "/console/login", **{"Accept-Language": "de"}) == "de"  # unset: the browser's
    assert choose(client, "bs") == "/console/login"
    assert page_lang(client, "/console/login", **{"Accept-Language": "de"}) == "bs"
    signed_in = client.post("/console/login", data={"csrf_token": csrf(client), "username": "admin", "password": PASSWORD})
    assert signed_in.status_code == 303
    for path in ("/console/", "/console/surveys/new", "/console/users", "/console/audit", "/console/password",
                 "/console/no-such-page"):
        assert page_lang(client, path, **{"Accept-Language": "de"}) == "bs", path
    assert choose(client, "ar", "/console/users?x=1") == "/console/users?x=1"
    page = client.get("/console/users").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    assert page_lang(client, "/console/login") == "ar"


def test_a_language_the_server_does_not_have_or_a_foreign_address_changes_nothing(admin: Flask) -> None:
    client = admin.test_client()
    choose(client, "hr")
    for lang in ("xx", "", "../en"):
        choose(client, lang)
        assert page_lang(client, "/console/login") == "hr"
    for target in ("https://example.org/console/", "//example.org/console", "/s/abc", "/\\example.org", ""):
        location = client.post("/console/language", data={"csrf_token": csrf(client), "lang": "hr",
                                                          "next": target}).headers["Location"]
        assert location == "/console/", target
    # Without a CSRF token the choice is not made.
    client.post("/console/language", data={"lang": "de", "next": "/console/login"})
    assert page_lang(client, "/console/login") == "hr"


def test_respondent_pages_ignore_the_console_choice_and_set_no_cookie(admin: Flask) -> None:
    _uid, token = add_survey(admin)
    client = admin.test_client()
    choose(client, "bs")
    respondent = client.get(f"/s/{token}", headers={"Accept-Language": "fr"})
    assert HTML_LANG.search(respondent.get_data(as_text=True)).group(1) == "fr"  # type: ignore[union-attr]
    assert "Set-Cookie" not in respondent.headers
    assert 'action="/console/language"' not in respondent.get_data(as_text=True)
    assert page_lang(client, f"/s/{token}?lang=it") == "it"
    assert page_lang(client, "/no-such-page", **{"Accept-Language": "fr"}) == "fr"
