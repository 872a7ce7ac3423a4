"""Console authorisation, CSRF, password hashing, login throttling and the session cookie."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.routing import Rule

from survey.server import staff_auth as auth
from survey.server.database import session
from survey.server.models import AuditEntry
from tests.conftest import AnalystKey, add_survey
from tests.test_console_support import PASSWORD, World, assign, csrf, link_id, login, make_user

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL


@pytest.fixture
def world(app: Flask) -> World:
    uid, token = add_survey(app)
    add_survey(app, label="Spare")  # a survey nobody is assigned to
    admin = make_user(app, "admin", admin=True)
    assigned = make_user(app, "assigned")
    other = make_user(app, "other")
    spare_user = make_user(app, "spare")
    survey_id = assign(app, assigned, uid)
    with app.app_context():
        from survey.server.models import Survey
        s = session()
        # a second link on the same survey, to be revoked by the walk
        from survey.server.surveys import create_link
        survey = s.get(Survey, survey_id)
        assert survey is not None
        extra = create_link(s, survey, "Second")
        s.commit()
        extra_id = extra.id
    return World(survey_id, uid, link_id(app, token), token, extra_id, admin, assigned, other, spare_user)


def _url(rule: Rule, w: World) -> str:
    values = {"survey_id": w.survey_id, "link_id": w.link_id, "user_id": w.spare_user_id, "key": "demo@1"}
    if rule.endpoint == "console.link_revoke":
        values["link_id"] = w.spare_link_id
    if rule.endpoint == "console.survey_unassign":
        values["user_id"] = w.assigned_id
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


ADMIN_ONLY = {"console.users", "console.user_disable", "console.user_enable", "console.survey_new",
              "console.survey_assign", "console.survey_unassign", "console.survey_purge", "console.audit_log",
              "console.survey_leave_page", "console.survey_reviewed_languages", "console.questionnaires",
              "console.questionnaire_upload", "console.questionnaire_preview", "console.questionnaire_xlsform",
              "console.questionnaire_publish", "console.questionnaire_review"}
SURVEY_SCOPED = {"survey_id", "link_id"}
#: Run last: they end the walking account's own session or take away what others walk.
LAST = ("console.survey_unassign", "console.logout")


def _console_rules(app: Flask) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("console.")]
    assert len(rules) >= 20
    return sorted(rules, key=lambda r: (r.endpoint in LAST, LAST.index(r.endpoint) if r.endpoint in LAST else 0, r.endpoint))


def _calls(rule: Rule) -> list[str]:
    assert rule.methods is not None
    return [m for m in ("GET", "POST") if m in rule.methods]


def test_every_console_route_lets_in_only_the_assigned_coordinator_and_admin(app: Flask, world: World) -> None:
    anonymous = app.test_client()
    other = login(app, "other")
    checked = 0
    for role in ("anonymous", "other", "assigned", "admin"):
        client = {"anonymous": anonymous, "other": other}.get(role) or login(app, role)
        token = csrf(client, "/console/login" if role == "anonymous" else "/console/password")
        for rule in _console_rules(app):
            url = _url(rule, world)
            for method in _calls(rule):
                data = {"csrf_token": token} if method == "POST" else None
                response = client.open(url, method=method, data=data)
                status = response.status_code
                checked += 1
                where = f"{role} {method} {url} -> {status}"
                if rule.endpoint == "console.login":
                    assert status in (200, 400, 401), where
                elif rule.endpoint == "console.language":  # the switcher, on the sign-in page too
                    assert status == 303 and "/console" in response.headers["Location"], where
                elif role == "anonymous":
                    assert status == 302 and response.headers["Location"].endswith("/console/login"), where
                elif rule.endpoint in ADMIN_ONLY and role != "admin":
                    assert status in (403, 404), where
                elif role == "other" and SURVEY_SCOPED & set(rule.arguments):
                    assert status == 404, where
                    assert "Test survey" not in response.get_data(as_text=True), where
                else:
                    # In: a page, a download, a redirect after the change, or a form error.
                    # (the export answers 409 "not yet" while a count is below k: tested elsewhere)
                    if "key" in rule.arguments:
                        # a questionnaire's own pages are for imported forms (demo@1 is built in);
                        # tests/test_xlsform_console.py walks them with an imported one
                        assert status < 500, where
                        continue
                    assert status in (200, 303, 400) or (status == 409 and rule.endpoint == "console.survey_export"), where
                    if status == 400:
                        assert "This form has expired" not in response.get_data(as_text=True), where
    assert checked > 60


def test_a_coordinator_sees_only_assigned_surveys_in_the_list(app: Flask, world: World) -> None:
    assert "Test survey" in login(app, "assigned").get("/console/").get_data(as_text=True)
    assert "Test survey" not in login(app, "other").get("/console/").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app: Flask, world: World, token: str | None) -> None:
    client = login(app, "assigned")
    data = {} if token is None else {"csrf_token": token}
    for url in (f"/console/links/{world.link_id}/revoke", f"/console/surveys/{world.survey_id}/close",
                f"/console/surveys/{world.survey_id}/links", "/console/logout"):
        response = client.post(url, data={**data, "label": "x"})
        assert response.status_code == 400, url
        assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 200  # still logged in: logout was refused too
    with app.app_context():
        from survey.server.models import Link, Survey
        link = session().get(Link, world.link_id)
        assert link is not None and not link.revoked
        survey = session().get(Survey, world.survey_id)
        assert survey is not None and survey.is_open
    # a CSRF token of another session does not work either
    foreign = csrf(login(app, "admin"), "/console/password")
    assert client.post(f"/console/links/{world.link_id}/revoke", data={"csrf_token": foreign}).status_code == 400


def test_a_login_without_csrf_is_refused(app: Flask, world: World) -> None:
    """The right name and password without a CSRF token: refused, and no session comes of it."""
    client = app.test_client()
    response = client.post("/console/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "uid" not in sess and "epoch" not in sess  # whatever cookie there is carries no login
    after = client.get("/console/")
    assert after.status_code == 302 and after.headers["Location"].endswith("/console/login")


def test_passwords_are_stored_as_salted_scrypt_and_checked_in_constant_time() -> None:
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first != second  # per-user random salt
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**15, 8, 1)
    assert int(n) * int(r) * 128 >= 32 * 1024 * 1024  # memory-hard: 32 MiB per hash
    assert "correct horse" not in first
    assert auth.verify_password(first, "correct horse")
    assert not auth.verify_password(first, "correct horsE")
    assert not auth.verify_password("garbage", "correct horse")
    cheap = auth.hash_password("pw", n=2**10)
    assert auth.verify_password(cheap, "pw") and cheap.split("$")[1] == "1024"


def test_login_is_throttled_per_account_after_five_failures(app: Flask, world: World) -> None:
    client = app.test_client()
    token = csrf(client)

    def attempt(name: str, password: str) -> str:
        response = client.post("/console/login", data={"csrf_token": token, "username": name, "password": password})
        return response.get_data(as_text=True) if response.status_code != 303 else "in"

    for _ in range(auth.LOGIN_FAILURES):
        assert "not right" in attempt("assigned", "wrong password!")
    started = time.monotonic()
    assert "Too many failed attempts" in attempt("assigned", PASSWORD)  # even the right password
    assert time.monotonic() - started < 0.05  # refused before any scrypt work
    assert "Too many failed attempts" in attempt("ASSIGNED ", "wrong password!")  # same account, other spelling
    assert attempt("other", PASSWORD) == "in"  # other accounts are not affected
    limiter = app.extensions["login_limiter"]
    assert all(isinstance(k, bytes) and len(k) == 16 for k in limiter._counts)  # no names kept in memory


def test_session_cookie_is_httponly_samesite_strict_and_secure_outside_debug(app: Flask, world: World, tmp_path: Path, analyst_key: AnalystKey) -> None:
    client = app.test_client()
    response = client.post("/console/login", data={"csrf_token": csrf(client), "username": "admin", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("console_session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Expires" not in cookie
    from tests.conftest import build_app
    production = build_app(tmp_path / "prod", analyst_key, testing=False, debug=False)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    prod_client = production.test_client()
    cookie = prod_client.get("/console/login", base_url="https://console.example").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_session_holds_only_the_account_id_and_epoch(app: Flask, world: World) -> None:
    client = login(app, "assigned")
    with client.session_transaction() as sess:
        assert set(sess) <= {"uid", "epoch", "csrf", "_flashes"}
        assert sess["uid"] == world.assigned_id


def test_password_change_and_disable_end_older_sessions(app: Flask, world: World) -> None:
    old = login(app, "assigned")
    current = login(app, "assigned")
    new_password = "another long password"
    response = current.post("/console/password", data={"csrf_token": csrf(current, "/console/password"),
                                                         "current": PASSWORD, "new": new_password, "repeat": new_password})
    assert response.status_code == 303
    assert current.get("/console/").status_code == 200  # the changing session goes on
    assert old.get("/console/").status_code == 302  # the other one is over
    admin = login(app, "admin")
    assert admin.post(f"/console/users/{world.assigned_id}/disable",
                      data={"csrf_token": csrf(admin, "/console/users"), "confirm": "yes"}).status_code == 303
    assert current.get("/console/").status_code == 302
    refused = app.test_client()
    response = refused.post("/console/login", data={"csrf_token": csrf(refused), "username": "assigned", "password": new_password})
    assert response.status_code == 401


def test_actions_are_audited_with_account_and_day_only(app: Flask, world: World) -> None:
    client = login(app, "assigned")
    token = csrf(client, "/console/password")
    client.post(f"/console/surveys/{world.survey_id}/links", data={"csrf_token": token, "label": "Van"})
    client.post(f"/console/links/{world.link_id}/codes", data={"csrf_token": token, "count": "3", "lang": "en"})
    client.post(f"/console/links/{world.spare_link_id}/revoke", data={"csrf_token": token, "confirm": "yes"})
    client.post(f"/console/surveys/{world.survey_id}/close", data={"csrf_token": token, "confirm": "yes"})
    with app.app_context():
        entries = session().query(AuditEntry).all()
        actions = [(e.username, e.action) for e in entries]
        assert ("assigned", "log in") in actions and ("assigned", "create link") in actions
        assert ("assigned", "generate codes") in actions and ("assigned", "revoke link") in actions
        assert ("assigned", "close survey") in actions
        assert {c.name for c in AuditEntry.__table__.columns} == {"id", "day", "username", "action", "detail"}


def test_users_create_command_makes_the_first_admin(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEY_NEW_PASSWORD", "first admin password")
    result = app.test_cli_runner().invoke(args=["users", "create", "--admin", "first"])
    assert result.exit_code == 0, result.output
    login(app, "first", "first admin password")
    monkeypatch.delenv("SURVEY_NEW_PASSWORD")
    result = app.test_cli_runner().invoke(args=["users", "create", "second"], input="pw-pw-pw-pw-pw\npw-pw-pw-pw-pw\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        second = auth.find_user(session(), "second")
        assert second is not None and not second.is_admin


def test_a_survey_closed_in_the_console_refuses_responses_with_a_clear_page(app: Flask, world: World) -> None:
    client = login(app, "assigned")
    token = csrf(client, "/console/password")
    assert client.post(f"/console/surveys/{world.survey_id}/close",
                       data={"csrf_token": token, "confirm": "yes"}).status_code == 303
    refused = app.test_client().get(f"/s/{world.token}")
    assert refused.status_code == 410 and "This survey is closed" in refused.get_data(as_text=True)
    assert client.post(f"/console/surveys/{world.survey_id}/open", data={"csrf_token": token}).status_code == 303
    assert app.test_client().get(f"/s/{world.token}").status_code == 200
