"""No route answers hostile input with a 5xx, on SQLite or PostgreSQL.

Every rule of the app's url_map is called with each method it takes: with out-of-range numbers,
NUL characters, bytes that are not UTF-8, over-long text and impossible dates in its path values,
its query (``lang``, ``size``), a few headers, and every field of every form the pages show
(found by reading the pages, as a browser would: a new form is probed without touching this file),
one field at a time on top of the form's own valid values, and all fields at once.

A 4xx is the right answer to all of it; a 500 (or an exception, which TESTING propagates) fails."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from survey.server import one_time_codes
from survey.server.database import session
from survey.server.models import Link
from tests.conftest import AppFactory, add_survey
from tests.helpers import DEMO_FORM
from tests.test_console_support import PASSWORD, assign, link_id, login, make_user

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

Value = str | bytes

#: What a client can send that the code must not trip over.
HOSTILE: list[Value] = [
    str(2**63), str(10**30), "-1", "0", str(2**31), "9" * 400, "1e309", "NaN",
    "\x00", "ab\x00cd", "0123456789\x00abcdef",
    b"\xff\xfe\xfd", b"abc\xc3(",
    "x" * 20_000,
    "9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30",
]
#: Values for path segments (sent percent-encoded, as a client would).
HOSTILE_SEGMENTS = [str(2**63), str(10**30), "-1", "0", "%00", "ab%00cd", "%FF%FE", "x" * 5000, "..%2F..%2Fetc"]
#: A valid value for fields whose page leaves them empty (required text and passwords).
FILL_IN = {"username": "probe.user", "password": PASSWORD, "current": PASSWORD, "new": PASSWORD,
           "repeat": PASSWORD, "title": "Probe survey", "label": "Probe link", "count": "3"}


class FormReader(HTMLParser):
    """The POST forms of a page: action and the values a browser would send as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[Value]]]] = []
        self._fields: dict[str, list[Value]] | None = None
        self._select: str | None = None
        self._select_has_choice = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
            return
        if self._fields is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                values = self._fields.setdefault(name, [])
                if "checked" in a:
                    values.append(a.get("value", "y"))
            elif a.get("type") not in ("submit", "button"):
                self._fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._select_has_choice = name, False
            self._fields.setdefault(name, [])
        elif tag == "option" and self._select is not None:
            if not self._select_has_choice or "selected" in a:
                self._fields[self._select] = [a.get("value", "")]
                self._select_has_choice = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[tuple[str, dict[str, list[Value]]]]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


@dataclass
class Probe:
    """Calls that record server errors. ``new_address``: each call from another client address,
    so that the rate limits (submissions, codes, logins) do not answer in place of the code
    under test."""

    client: FlaskClient
    new_address: bool = False
    failures: list[str] = field(default_factory=list)
    calls: int = 0

    def call(self, method: str, url: str, what: str, **kwargs: object) -> TestResponse | None:
        self.calls += 1
        if self.new_address:
            self.client.environ_base["REMOTE_ADDR"] = f"10.{self.calls // 65536 % 256}.{self.calls // 256 % 256}.{self.calls % 256}"
        try:
            response = self.client.open(url, method=method, **kwargs)  # type: ignore[arg-type]
        except Exception as exc:  # TESTING propagates the exception a 500 would hide
            self.failures.append(f"{method} {url[:120]} {what}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{method} {url[:120]} {what}: {response.status_code}")
        return response


def encode(fields: dict[str, list[Value]]) -> bytes:
    pairs = [(name, value) for name, values in fields.items() for value in values]
    return urllib.parse.urlencode(pairs).encode("ascii")


def short(value: Value) -> str:
    return repr(value[:24]) + ("…" if len(value) > 24 else "")


def post_variants(probe: Probe, url: str, base: dict[str, list[Value]]) -> None:
    """The form as it stands, then each field hostile in turn, then every field hostile at once."""
    form = "application/x-www-form-urlencoded"
    probe.call("POST", url, "as it stands", data=encode(base), content_type=form)
    for name in base:
        for value in HOSTILE:
            probe.call("POST", url, f"{name}={short(value)}", data=encode({**base, name: [value]}), content_type=form)
    for value in HOSTILE:
        probe.call("POST", url, f"every field={short(value)}", data=encode({n: [value] for n in base}), content_type=form)


@dataclass(frozen=True)
class World:
    survey_id: int
    link_id: int
    user_id: int
    token: str
    code_token: str
    code: str


def build_world(app: Flask) -> World:
    """A survey for the console to probe, and another whose two links (one with codes) the
    respondent routes are probed on, so that closing or revoking the first changes nothing here."""
    console_uid, console_token = add_survey(app, label="Console probe", response_cap=50)
    _uid, token = add_survey(app, label="Respondent probe")
    _uid2, code_token = add_survey(app, label="Code probe", requires_code=True)
    with app.app_context():
        s = session()
        link = s.scalar(select(Link).where(Link.token == code_token))
        assert link is not None
        code = one_time_codes.generate(s, app.config["SECRET_KEY"], link, 5)[0]
        s.commit()
    make_user(app, "admin", admin=True)
    coordinator = make_user(app, "coordinator")
    survey_id = assign(app, coordinator, console_uid)
    make_user(app, "spare")
    return World(survey_id, link_id(app, console_token), coordinator, token, code_token, code)


def path_values(rule: Rule, world: World) -> dict[str, str]:
    values = {"survey_id": str(world.survey_id), "link_id": str(world.link_id), "user_id": str(world.user_id),
              "token": world.token, "filename": "respond.css", "key": "stigma@1"}
    return {name: values[name] for name in rule.arguments}


def build(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with ``values`` put in as they are (no converter may refuse them here)."""
    path = rule.rule
    for name in rule.arguments:
        start = path.index("<")
        end = path.index(">", start)
        assert path[start + 1 : end].split(":")[-1] == name, rule.rule
        path = path[:start] + values[name] + path[end + 1 :]
    return path


def console_rules(app: Flask) -> Iterator[Rule]:
    """Every rule, the logout last (it ends the probing session)."""
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "console.logout", r.rule))
    yield from rules


def test_no_route_answers_hostile_input_with_a_server_error(make_app: AppFactory) -> None:
    app = make_app(trusted_proxy_hops=1)
    world = build_world(app)
    admin = login(app, "admin")
    probe = Probe(admin)
    anonymous = Probe(app.test_client(), new_address=True)
    seen_forms: set[tuple[str, tuple[str, ...]]] = set()
    methods_checked: set[tuple[str, str]] = set()

    # 1. Path values and query parameters of every GET.
    for rule in console_rules(app):
        assert rule.methods is not None
        if "GET" not in rule.methods:
            continue
        values = path_values(rule, world)
        url = build(rule, values)
        for p in (probe, anonymous):
            p.call("GET", url, "as it is")
            for value in HOSTILE:
                quoted = urllib.parse.quote(value if isinstance(value, bytes) else value.encode(), safe="")
                p.call("GET", f"{url}?lang={quoted}&size={quoted}", f"lang,size={short(value)}")
        for name in values:
            for segment in HOSTILE_SEGMENTS:
                probe.call("GET", build(rule, {**values, name: segment}), f"<{name}>={segment[:24]}")
        methods_checked.add((rule.endpoint, "GET"))

    # 2. Headers a client writes itself.
    for header, value in [("Accept-Language", "x" * 5000), ("Accept-Language", "en;q=1e309, *;q=NaN"),
                          ("X-Forwarded-For", "x" * 5000), ("X-Forwarded-For", ", , ,"),
                          ("X-Forwarded-For", "::ffff:999.1.1.1, 2001:db8::1%eth0")]:
        for url in (f"/s/{world.token}", "/console/login", "/console/"):
            for p in (probe, anonymous):
                p.call("GET", url, f"{header}: {value[:24]}", headers={header: value})

    # 3. Every form of the respondent's pages: the code step and the questionnaire.
    code_page = anonymous.call("GET", f"/s/{world.code_token}", "code page")
    assert code_page is not None and code_page.status_code == 200
    for action, fields in forms_of(code_page.get_data(as_text=True)):
        post_variants(anonymous, action.split("?")[0], {**fields, "access_code": [world.code]})
    respondent_base: dict[str, list[Value]] = {k: list(v) if isinstance(v, list) else [v] for k, v in DEMO_FORM.items()}
    respondent_base["lang"] = ["en"]
    respondent = Probe(app.test_client(), new_address=True)
    post_variants(respondent, f"/s/{world.token}", respondent_base)
    post_variants(respondent, f"/s/{world.code_token}", {**respondent_base, "access_code": [world.code]})
    for value in HOSTILE:
        body = value.encode() if isinstance(value, str) else value
        for headers in ({"Content-Type": "application/octet-stream"},
                        {"Content-Type": "application/octet-stream", "X-Access-Code": "x" * 5000},
                        {"Content-Type": "application/octet-stream; charset=\xff"}):
            respondent.call("POST", f"/s/{world.code_token}/sealed", f"body={short(value)}", data=body, headers=headers)
    for value in ("\x00", "x" * 5000, "ACDEF-347XY\x00"):
        respondent.call("POST", f"/s/{world.code_token}/sealed", f"code={short(value)}", data=b"x" * 300,
                        headers={"Content-Type": "application/octet-stream", "X-Access-Code": value})
    for endpoint in ("respond.submit_form", "respond.enter_code", "respond.submit_sealed"):
        methods_checked.add((endpoint, "POST"))
    probe.failures += respondent.failures

    # 4. Every form of every console page, as a browser would send it, then hostile.
    pages = ["/console/", f"/console/surveys/{world.survey_id}", f"/console/links/{world.link_id}/codes",
             "/console/users", "/console/password", "/console/surveys/new"]
    logout: tuple[str, dict[str, list[Value]]] | None = None
    csrf_token: list[Value] = []
    for page in pages * 2:  # twice: the first round changes what the pages offer (reopen, enable)
        response = probe.call("GET", page, "page")
        assert response is not None and response.status_code == 200, page
        for action, fields in forms_of(response.get_data(as_text=True)):
            path = action.split("#")[0].split("?")[0]
            key = (path, tuple(sorted(fields)))
            if key in seen_forms:
                continue
            seen_forms.add(key)
            base: dict[str, list[Value]] = {n: list(v) or [FILL_IN.get(n, "")] for n, v in fields.items()}
            for name, value in FILL_IN.items():
                if name in base and base[name] == [""]:
                    base[name] = [value]
            csrf_token = base.get("csrf_token", csrf_token)
            if path.endswith("/logout"):
                logout = (path, base)
                continue
            post_variants(probe, path, base)
            adapter = app.url_map.bind("localhost")
            endpoint, _args = adapter.match(path, method="POST")
            methods_checked.add((endpoint, "POST"))
    # a POST rule no page offers right now (the export before it is allowed): its one-button form
    for rule in console_rules(app):
        if "POST" in (rule.methods or ()) and (rule.endpoint, "POST") not in methods_checked \
                and rule.endpoint not in ("console.login", "console.logout"):
            post_variants(probe, build(rule, path_values(rule, world)), {"csrf_token": csrf_token})
            methods_checked.add((rule.endpoint, "POST"))
    # the login form, anonymously (its page shows it to someone signed out)
    login_page = anonymous.call("GET", "/console/login", "page")
    assert login_page is not None
    for action, fields in forms_of(login_page.get_data(as_text=True)):
        base = {n: list(v) or [FILL_IN.get(n, "")] for n, v in fields.items()}
        base.update({"username": ["admin"], "password": ["not the password"]})
        post_variants(anonymous, action, base)
        methods_checked.add(("console.login", "POST"))
    assert logout is not None
    post_variants(probe, *logout)
    methods_checked.add(("console.logout", "POST"))

    # Every method of every rule was probed (a rule with no form on any page fails here).
    every = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in (r.methods or ()) if m in ("GET", "POST")}
    assert every <= methods_checked, sorted(every - methods_checked)
    failures = probe.failures + anonymous.failures
    assert probe.calls + anonymous.calls > 1000
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])


def test_a_number_longer_than_any_column_is_a_form_error_in_words_the_console_translates(app: Flask) -> None:
    uid, _token = add_survey(app)
    make_user(app, "admin", admin=True)
    admin = login(app, "admin")
    with app.app_context():
        from survey.server.models import Survey

        survey_id = session().scalars(select(Survey.id).where(Survey.uid == uid)).one()
    page = admin.get(f"/console/surveys/{survey_id}").get_data(as_text=True)
    [(action, fields)] = [f for f in forms_of(page) if f[0].endswith("/links")]
    token = fields["csrf_token"]
    for number in ("9" * 400, str(10**30)):
        refused = admin.post(action, data={"csrf_token": token, "label": "Van", "response_cap": number})
        assert refused.status_code == 400 and "Enter a whole number, like 42." in refused.get_data(as_text=True)
