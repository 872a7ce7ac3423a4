"""Error pages are app-wide: a console address gets the console's page, everything else the
respondent's. A console error must never show the respondent's "Nothing was stored" page, and a
respondent must never see the console's."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import add_survey
from tests.test_console_support import login, make_user

RESPONDENT_PAGE = "Nothing was stored"
CONSOLE_PAGE = "Back to the surveys"  # the console error page's link; the respondent's has none


def _boom() -> str:
    raise RuntimeError("a bug in a view")


@pytest.fixture
def app_with_bugs(app: Flask) -> Flask:
    """The app, with one failing view under /console and one outside, and errors turned into pages
    as in production (TESTING would re-raise them into the test)."""
    app.add_url_rule("/console/boom", "console_boom", _boom)
    app.add_url_rule("/boom", "respondent_boom", _boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/console/no-such-page", 404),
    ("GET", "/console/boom", 500),
    ("GET", "/console/logout", 405),  # logout is POST only
    ("POST", "/console/surveys/1/export", 400),  # no CSRF token
])
def test_console_errors_get_the_console_page(app_with_bugs: Flask, method: str, path: str, status: int) -> None:
    make_user(app_with_bugs, "admin", admin=True)
    client = login(app_with_bugs, "admin")
    response = client.open(path, method=method)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert CONSOLE_PAGE in page
    assert RESPONDENT_PAGE not in page


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/s/no-such-link", 404),
    ("GET", "/boom", 500),
    ("PUT", "/s/any-token", 405),
])
def test_respondent_errors_get_the_respondent_page(app_with_bugs: Flask, method: str, path: str, status: int) -> None:
    add_survey(app_with_bugs)
    response = app_with_bugs.test_client().open(path, method=method)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert "Nothing was stored" in page or "This link does not work" in page
    assert CONSOLE_PAGE not in page
    assert "Set-Cookie" not in response.headers
