"""Security headers on every route the app has when the test runs: respondent, console and static,
anonymous and logged in, including redirects and error pages."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from survey.server.database import session
from survey.server.models import Link, Survey
from survey.server.web.headers import CSP, policy
from tests.conftest import add_survey

SENSORS = ("accelerometer", "gyroscope", "magnetometer", "ambient-light-sensor", "camera", "microphone", "geolocation")
ADMIN, ADMIN_PASSWORD = "header-admin", "header admin password 1"


@dataclass
class Site:
    app: Flask
    values: dict[str, object]


@pytest.fixture
def site(app: Flask) -> Site:
    uid, token = add_survey(app)
    with app.app_context():
        s = session()
        survey = s.query(Survey).filter_by(uid=uid).one()
        link = s.query(Link).filter_by(token=token).one()
        values: dict[str, object] = {"token": token, "survey_id": survey.id, "link_id": link.id, "uid": uid,
                                     "survey_uid": uid, "filename": "respond.css", "user_id": 1}
    return Site(app, values)


def _url(rule: Rule, values: dict[str, object]) -> str:
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        else:
            converter = rule._converters[name]
            args[name] = 1 if type(converter).__name__ in ("IntegerConverter", "NumberConverter") else "x"
    url = rule.build(args, append_unknown=False)
    assert url is not None
    return url[1]


def _requests(app: Flask, values: dict[str, object]) -> Iterator[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule and method of the app."""
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, _url(rule, values)


def _log_in(client: FlaskClient, app: Flask) -> bool:
    """Log in through the real console login form, if the console has one."""
    if "console.login" not in app.view_functions:
        return False
    from survey.server import staff_auth as auth

    with app.app_context():
        s = session()
        if auth.find_user(s, ADMIN) is None:
            auth.create_user(s, ADMIN, ADMIN_PASSWORD, is_admin=True)
            s.commit()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    data = {"username": ADMIN, "password": ADMIN_PASSWORD, "csrf_token": token.group(1) if token else ""}
    response = client.post("/console/login", data=data)
    return response.status_code in (302, 303) and client.get("/console/").status_code == 200


def _allowed_inline(directives: dict[str, str], directive: str, text: str) -> bool:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'" in directives[directive].split()


def check_headers(response: TestResponse, endpoint: str, where: str) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    # The fixed policy, plus at most the hashes of the pages' inline elements.
    assert set(directives) == {d.strip().split(" ", 1)[0] for d in CSP.split(";")}, where
    for name, sources in dict(d.strip().split(" ", 1) for d in CSP.split(";")).items():
        assert directives[name] == sources or directives[name].startswith(sources + " 'sha256-"), (name, where)
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    for directive, sources in directives.items():
        assert "unsafe" not in sources and "*" not in sources and "http" not in sources, directive
    assert h.get("Referrer-Policy") == "no-referrer", where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("X-Frame-Options") == "DENY", where
    policy = h.get("Permissions-Policy", "")
    for feature in SENSORS:
        assert f"{feature}=()" in policy, (feature, where)
    assert "Strict-Transport-Security" not in h, where  # plain HTTP: HSTS would be ignored anyway
    if endpoint != "static":
        assert "no-store" in h.get("Cache-Control", ""), where
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        # Inline elements only as allowed by their hash (survey/server/web/assets.py); no style or
        # event-handler attributes, which no hash allows.
        for script in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
            assert _allowed_inline(directives, "script-src", script), f"inline script not in the CSP in {where}"
        for style in re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S):
            assert _allowed_inline(directives, "style-src", style), f"inline style not in the CSP in {where}"
        assert not re.search(r"\sstyle=|\son[a-z]+=", html), f"style or handler attribute in {where}"
        assert not re.search(r"""\b(?:src|action)=["']?(?:https?:)?//""", html), f"other origin in {where}"


def _walk(client: FlaskClient, site: Site) -> list[tuple[str, str, int]]:
    seen = []
    for endpoint, method, url in _requests(site.app, site.values):
        response = client.open(url, method=method)
        where = f"{method} {url} -> {response.status_code}"
        assert response.status_code < 500, where
        check_headers(response, endpoint, where)
        if endpoint.startswith("respond.") or endpoint == "static":
            assert "Set-Cookie" not in response.headers, f"cookie on respondent route {where}"
        seen.append((endpoint, method, response.status_code))
    return seen


def test_every_route_sends_the_security_headers_anonymously(site: Site) -> None:
    seen = _walk(site.app.test_client(), site)
    endpoints = {endpoint for endpoint, _m, _s in seen}
    assert {"respond.questionnaire", "respond.submit_form", "respond.submit_sealed", "respond.thanks", "static"} <= endpoints
    statuses = {status for _e, _m, status in seen}
    assert statuses & {301, 302, 303} or not any(e.startswith("console.") for e in endpoints)
    assert 400 in statuses  # error pages were among the responses checked


def test_every_console_route_sends_the_security_headers_when_logged_in(site: Site) -> None:
    if not any(rule.endpoint.startswith("console.") for rule in site.app.url_map.iter_rules()):
        pytest.skip("no console routes in this tree yet")
    client = site.app.test_client()
    assert _log_in(client, site.app), "could not log in to the console"
    seen = _walk(client, site)
    console_pages = [(e, s) for e, m, s in seen if e.startswith("console.") and m == "GET"]
    assert any(status == 200 for _e, status in console_pages), console_pages


def test_error_pages_send_the_security_headers(site: Site) -> None:
    app = site.app
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise RuntimeError("test failure")

    app.add_url_rule("/test-only-boom", "boom", boom)
    client = app.test_client()
    token = site.values["token"]
    responses = {
        404: client.get("/no-such-page"),
        405: client.put(f"/s/{token}"),
        413: client.post(f"/s/{token}/sealed", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                           content_type="application/octet-stream"),
        500: client.get("/test-only-boom"),
    }
    for status, response in responses.items():
        assert response.status_code == status
        check_headers(response, "error", f"error page {status}")
        assert "Set-Cookie" not in response.headers


def test_the_policy_allows_exactly_the_respondent_pages_inline_style_and_script(site: Site) -> None:
    """The inline stylesheet and first script are allowed by their sha256, nothing else inline:
    a page whose inline text changed (or an injected element) would not run or apply."""
    client = site.app.test_client()
    response = client.get(f"/s/{site.values['token']}")
    html = response.get_data(as_text=True)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(styles) == 1 and scripts
    assets = site.app.extensions["assets"]
    assert styles[0] == assets.inline["respond.css"] and scripts[0] == assets.inline["respond-early.js"]
    assert set(scripts) <= set(assets.inline.values())
    csp = response.headers["Content-Security-Policy"]
    assert csp == policy(assets.csp_sources())
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert _allowed_inline(directives, "style-src", styles[0])
    assert all(_allowed_inline(directives, "script-src", script) for script in scripts)
    assert not _allowed_inline(directives, "script-src", scripts[0] + " ")
    assert not _allowed_inline(directives, "style-src", scripts[0]) and not _allowed_inline(directives, "script-src", styles[0])


def test_hsts_is_sent_over_https_only(site: Site) -> None:
    client = site.app.test_client()
    secure = client.get(f"/s/{site.values['token']}", base_url="https://survey.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "Strict-Transport-Security" not in client.get(f"/s/{site.values['token']}").headers


def test_static_assets_are_cacheable_but_pages_are_not(site: Site) -> None:
    client = site.app.test_client()
    asset = client.get("/static/respond.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")
    page = client.get(f"/s/{site.values['token']}")
    assert page.headers["Cache-Control"] == "no-store"


def test_a_versioned_asset_is_kept_for_good_and_an_unversioned_one_is_asked_again(site: Site) -> None:
    """The page's asset URLs carry the file's hash, so a phone on a slow link need not ask again."""
    client = site.app.test_client()
    page = client.get(f"/s/{site.values['token']}").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/static/[^"]+\?v=[^"]+)"', page)
    assert len(urls) >= 2  # respond.js and seal.js (the stylesheet is inline)
    for url in urls:
        assert client.get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    assert "immutable" not in client.get("/static/respond.css").headers.get("Cache-Control", "")
