"""Nothing irreversible in one tap, errors people see, plain words (issue 17, items 1, 2 and 5),
through the test client: every destructive console action has a confirmation page, and its POST
changes nothing unless it comes from that page; every form error is in a summary at the top."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from survey.core.languages import LANGUAGES
from survey.server.console.form_messages import MESSAGES
from survey.server.database import session
from survey.server.models import AuditEntry, Link, Survey, User
from survey.server.surveys import create_link
from tests.conftest import ROOT, add_survey
from tests.test_console_support import assign, csrf, link_id, login, make_user

pytestmark = pytest.mark.both_databases


@dataclass
class Setup:
    survey_id: int
    link_id: int
    spare_link_id: int
    coordinator_id: int


@pytest.fixture
def setup(app: Flask) -> Setup:
    uid, token = add_survey(app)
    make_user(app, "admin", admin=True)
    coordinator = make_user(app, "coord")
    survey_id = assign(app, coordinator, uid)
    with app.app_context():
        s = session()
        survey = s.get(Survey, survey_id)
        assert survey is not None
        spare = create_link(s, survey, "Night shelter")
        s.commit()
        spare_id = spare.id
    return Setup(survey_id, link_id(app, token), spare_id, coordinator)


def _state(app: Flask, setup: Setup) -> tuple[bool, bool, bool, int]:
    """(link revoked, survey open, coordinator active, audit entries): what the actions change."""
    with app.app_context():
        s = session()
        link, survey, user = s.get(Link, setup.link_id), s.get(Survey, setup.survey_id), s.get(User, setup.coordinator_id)
        assert link is not None and survey is not None and user is not None
        return link.revoked, survey.is_open, user.is_active, s.query(AuditEntry).filter(AuditEntry.action != "log in").count()


def _actions(setup: Setup) -> dict[str, str]:
    return {"revoke": f"/console/links/{setup.link_id}/revoke", "close": f"/console/surveys/{setup.survey_id}/close",
            "disable": f"/console/users/{setup.coordinator_id}/disable"}


def test_each_destructive_action_asks_first_on_a_page_that_says_what_happens(app: Flask, setup: Setup) -> None:
    admin = login(app, "admin")
    before = _state(app, setup)
    for name, url in _actions(setup).items():
        page = admin.get(url)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, name
        # the question, what happens, whether it can be undone, the red button, and a way back
        assert re.search(r"<h1>[^<]+\?</h1>", text), name
        assert "data-happens" in text and "data-undo" in text, name
        assert re.search(rf'<form method="post" action="{re.escape(url)}"', text), name
        assert 'name="confirm" type="hidden" value="yes"' in text, name
        assert 'class="button warning" data-confirm' in text, name
        assert re.search(r'<a class="cancel" href="/console/(surveys/\d+(#link-\d+)?|users)">Cancel</a>', text), name
    assert _state(app, setup) == before  # looking changes nothing


def test_a_post_without_the_confirmation_changes_nothing_and_shows_the_confirmation_page(app: Flask, setup: Setup) -> None:
    """A POST with a valid CSRF token, as the old one-button forms sent, is not enough."""
    admin = login(app, "admin")
    token = csrf(admin, "/console/password")
    before = _state(app, setup)
    for name, url in _actions(setup).items():
        for data in ({"csrf_token": token}, {"csrf_token": token, "confirm": "no"}, {"csrf_token": token, "confirm": ""}):
            response = admin.post(url, data=data)
            assert response.status_code == 200, (name, data)
            assert 'name="confirm" type="hidden" value="yes"' in response.get_data(as_text=True), (name, data)
    assert _state(app, setup) == before
    # with the confirmation but a foreign CSRF token: refused too
    foreign = csrf(login(app, "coord"), "/console/password")
    for url in _actions(setup).values():
        assert admin.post(url, data={"csrf_token": foreign, "confirm": "yes"}).status_code == 400
    assert _state(app, setup) == before
    # from the page itself: done, and audited
    for url in _actions(setup).values():
        assert admin.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 303
    revoked, is_open, active, entries = _state(app, setup)
    assert (revoked, is_open, active, entries) == (True, False, False, before[3] + 3)
    # done already: the pages lead back rather than ask again
    for url in list(_actions(setup).values())[:2]:
        again = admin.get(url)
        assert again.status_code == 303 and f"/console/surveys/{setup.survey_id}" in again.headers["Location"]


def test_the_purge_asks_for_the_digest_on_its_confirmation_page_and_needs_it(app: Flask, setup: Setup) -> None:
    admin = login(app, "admin")
    url = f"/console/surveys/{setup.survey_id}/purge"
    page = admin.get(url).get_data(as_text=True)
    assert 'id="sha256"' in page and "This cannot be undone." in page and "data-confirm" in page
    survey_page = admin.get(f"/console/surveys/{setup.survey_id}").get_data(as_text=True)
    assert f'href="{url}"' in survey_page and 'id="sha256"' not in survey_page  # a link, not the form
    token = csrf(admin, "/console/password")
    # without the confirmation: the page again, no error; with it but no digest: the error summary
    plain = admin.post(url, data={"csrf_token": token, "sha256": "0" * 64})
    assert plain.status_code == 200 and "data-error-summary" not in plain.get_data(as_text=True)
    empty = admin.post(url, data={"csrf_token": token, "confirm": "yes"})
    assert empty.status_code == 400
    assert re.search(r'data-error-summary>.*<a href="#sha256">Fill in this field.</a>', empty.get_data(as_text=True), re.S)
    refused = admin.post(url, data={"csrf_token": token, "confirm": "yes", "sha256": "0" * 64})
    assert refused.status_code == 409 and "Close the survey first" in refused.get_data(as_text=True)


def test_the_revoke_page_says_how_many_codes_stop_working_without_telling_how_many_were_used(app: Flask, setup: Setup) -> None:
    coord = login(app, "coord")
    url = f"/console/links/{setup.link_id}/revoke"
    assert "one-time codes" not in coord.get(url).get_data(as_text=True)
    made = coord.post(f"/console/links/{setup.link_id}/codes",
                      data={"csrf_token": csrf(coord, "/console/password"), "count": "7", "lang": "en"})
    assert made.status_code == 200
    page = coord.get(url).get_data(as_text=True)
    assert "The one-time codes made for this link (7, used or not) stop working" in page
    assert "Every flyer, poster and QR code printed for this link stops working" in page


def test_revoke_and_close_are_plain_links_on_the_survey_page_and_close_can_be_undone(app: Flask, setup: Setup) -> None:
    coord = login(app, "coord")
    page = coord.get(f"/console/surveys/{setup.survey_id}").get_data(as_text=True)
    assert "button warning" not in page  # the red button is only on the confirmation pages
    assert f'<a class="button" href="/console/links/{setup.link_id}/revoke">' in page
    assert f'<a class="button" href="/console/surveys/{setup.survey_id}/close">Close survey</a>' in page
    assert not re.search(r'<form[^>]+action="[^"]+/(revoke|close)"', page)
    token = csrf(coord, "/console/password")
    closed = coord.post(f"/console/surveys/{setup.survey_id}/close", data={"csrf_token": token, "confirm": "yes"},
                        follow_redirects=True).get_data(as_text=True)
    assert "To undo this, use “Reopen survey” below." in closed
    assert f'action="/console/surveys/{setup.survey_id}/open"' in closed
    users = login(app, "admin").get("/console/users").get_data(as_text=True)
    assert "button warning" not in users and f'href="/console/users/{setup.coordinator_id}/disable"' in users
    admin = login(app, "admin")
    disabled = admin.post(f"/console/users/{setup.coordinator_id}/disable", follow_redirects=True,
                          data={"csrf_token": csrf(admin, "/console/password"), "confirm": "yes"}).get_data(as_text=True)
    assert "The account “coord” is disabled. To undo this, use “Enable coord” below." in disabled
    assert f'action="/console/users/{setup.coordinator_id}/enable"' in disabled


def _summary(text: str) -> str:
    match = re.search(r'<div class="error-summary" id="error-summary" tabindex="-1"[^>]*data-error-summary>(.*?)</div>', text, re.S)
    assert match, text[:3000]
    return match.group(1)


def test_every_console_form_puts_its_errors_in_a_summary_at_the_top_linking_to_each_field(app: Flask, setup: Setup) -> None:
    admin = login(app, "admin")
    token = csrf(admin, "/console/password")
    cases = {
        f"/console/surveys/{setup.survey_id}/links": ({"label": "", "expires_on": "someday", "response_cap": "x"},
                                                      ["label", "expires_on", "response_cap"]),
        f"/console/surveys/{setup.survey_id}/leave-page": ({"leave_url": "http://plain.example"}, ["leave_url"]),
        "/console/surveys/new": ({"title": "", "questionnaire": "nope@9"}, ["title", "questionnaire", "key_id", "languages-0"]),
        "/console/users": ({"username": "a b", "new": "short"}, ["username", "new"]),
        "/console/password": ({"current": "", "new": "x", "repeat": "y"}, ["current", "new", "repeat"]),
        f"/console/links/{setup.link_id}/codes": ({"count": "0", "lang": "en"}, ["count"]),
    }
    for url, (data, fields) in cases.items():
        response = admin.post(url, data={"csrf_token": token, **data})
        text = response.get_data(as_text=True)
        assert response.status_code == 400, url
        summary = _summary(text)
        assert text.index("data-error-summary") < text.index("<h1"), url  # at the top, before the heading
        assert "There is a problem" in summary
        assert re.findall(r'<a href="#([\w-]+)">', summary) == fields, url
        for field in fields:
            assert f'id="{field}"' in text, (url, field)  # each link leads to its field
        assert re.search(r"<title>Error: ", text), url
        # WTForms' own English messages never reach the page: they are mapped to translated ones
        assert not re.search(r"This field is required|Not a valid|Invalid [Cc]hoice|Field must|Number must", text), url
    failed = app.test_client()
    text = failed.post("/console/login", data={"csrf_token": csrf(failed), "username": "admin", "password": "wrong"}).get_data(as_text=True)
    assert "The account name or password is not right." in _summary(text) and 'role="alert"' not in text


def test_a_form_error_in_bosnian_is_the_catalogs_bosnian(app: Flask, setup: Setup) -> None:
    with (ROOT / "translations" / "bs" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    coord = login(app, "coord")
    response = coord.post(f"/console/surveys/{setup.survey_id}/links", headers={"Accept-Language": "bs"},
                          data={"csrf_token": csrf(coord, "/console/password"), "label": "", "expires_on": "x"})
    summary = _summary(response.get_data(as_text=True))
    for msgid in ("Enter a label, such as the place or group the link is for.", "Enter a date like 2026-12-31."):
        message = catalog.get(msgid)
        assert message is not None and message.string, f"{msgid!r} has no Bosnian translation yet"
        assert str(message.string) in summary and msgid not in summary


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_message_standing_in_for_wtforms_own_is_translated(lang: str) -> None:
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    msgids = {str(v._args[0]) for v in MESSAGES.values()}  # the msgid of each lazy string
    found = {m: catalog.get(m) for m in msgids}
    assert sorted(m for m, message in found.items() if message is None or not message.string or message.fuzzy) == []


def test_questionnaires_are_named_by_title_and_version_and_the_key_id_is_explained(app: Flask, setup: Setup) -> None:
    admin = login(app, "admin")
    page = admin.get(f"/console/surveys/{setup.survey_id}").get_data(as_text=True)
    assert "<dd data-questionnaire>Your experience of services, version 1</dd>" in page
    assert "Compare it with the key id the analyst gives you" in page
    new = admin.get("/console/surveys/new").get_data(as_text=True)
    assert '<option value="stigma@1">How people treat you, version 1</option>' in new
    assert not re.search(r">[^<]*\b(demo|stigma|service_access)@1", page + new)
    bosnian = admin.get(f"/console/surveys/{setup.survey_id}", headers={"Accept-Language": "bs"}).get_data(as_text=True)
    with (ROOT / "translations" / "bs" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        title = read_po(f).get("Your experience of services")
    assert title is not None and f"<dd data-questionnaire>{title.string}, " in bosnian


def test_the_export_page_says_what_the_file_is_how_to_hand_it_over_and_to_give_only_the_latest(app: Flask, setup: Setup) -> None:
    coord = login(app, "coord")
    survey_page = coord.get(f"/console/surveys/{setup.survey_id}").get_data(as_text=True)
    url = f"/console/surveys/{setup.survey_id}/export"
    assert f'<a class="button primary" href="{url}">Export for the analyst</a>' in survey_page
    page = coord.get(url).get_data(as_text=True)
    assert "sealed (encrypted) to the analyst's key" in page
    assert "Do not send it by ordinary email" in page
    assert "never both: two exports of one survey hold the same responses" in page
    assert "each link needs at least" in page  # no responses yet: the export is not open


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_cancel_reads_unlike_the_action_it_cancels_in_every_language(lang: str) -> None:
    """On a confirmation page "Cancel" sits beside the red button: in Arabic both once began with
    the same word (إلغاء, "cancel" and "revoke"), so a tap meant to go back read as the action."""
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    cancel = catalog.get("Cancel")
    assert cancel is not None and cancel.string
    for action in ("Revoke link", "Close survey", "Disable account", "Remove the responses"):
        message = catalog.get(action)
        assert message is not None and message.string, action
        assert str(cancel.string).casefold() not in str(message.string).casefold().split(), (action, message.string)
