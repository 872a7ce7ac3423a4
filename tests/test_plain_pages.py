"""The plain form's pages on the server (survey/server/respond/paging.py): each page shows its own
questions and carries the others' answers in the form; only a send stores, checks everything, and
counts against the submission rate limit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AnalystKey, add_survey, build_app
from tests.helpers import DEMO_FORM, count_responses

Form = dict[str, str | list[str]]


def _token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _shown(html: str) -> set[str]:
    """The codes of the questions this page shows (those not inside an off-page wrapper)."""
    off = set(re.findall(r'<div class="off-page">\s*<div class="question[^"]*" id="q-([a-z_]+)"', html))
    return set(re.findall(r'id="q-([a-z_]+)"', html)) - off


def _post(client: FlaskClient, token: str, form: Form, **extra: str) -> tuple[int, str]:
    response = client.post(f"/s/{token}", data={**form, **extra})
    return response.status_code, response.get_data(as_text=True)


def _start(app: Flask) -> tuple[FlaskClient, str, str]:
    _uid, token = add_survey(app)
    client = app.test_client()
    return client, token, _token(client.get(f"/s/{token}").get_data(as_text=True))


def test_each_page_shows_its_own_questions_and_carries_the_answers_so_far(app: Flask) -> None:
    client, token, form_token = _start(app)
    page1: Form = {"needed_treatment": "yes", "barriers": ["cost", "confidentiality"], "form_token": form_token}
    status, html = _post(client, token, page1, page="1", go="next")
    assert status == 200 and _shown(html) == {"treated_unfairly", "hide_recovery"}
    assert 'name="page" value="2"' in html and _token(html) == form_token  # one token for the whole form
    # Page 1's answers are in page 2's form, not shown: checked boxes of its hidden fields.
    assert re.search(r'<input [^>]*checked[^>]*id="barriers-4"[^>]*value="confidentiality"', html)
    status, html = _post(client, token, {**page1, "treated_unfairly": "4"}, page="2", go="back")
    assert status == 200 and _shown(html) == {"needed_treatment", "barriers"}
    assert re.search(r'<input [^>]*checked[^>]*id="treated_unfairly-3"', html)  # kept on the way back
    assert count_responses(app) == 0


def test_a_page_with_a_problem_shows_only_its_own_and_a_send_goes_to_the_first_page_with_one(app: Flask) -> None:
    client, token, form_token = _start(app)
    status, html = _post(client, token, {"form_token": form_token}, page="1", go="next")
    assert status == 400 and _shown(html) == {"needed_treatment", "barriers"}
    assert html.count('class="error-message"') == 1 and "Error:" in html.split("</title>")[0]
    # Page 3's answer is fine, the age is not: a page of its own problems only.
    status, html = _post(client, token, {**DEMO_FORM, "age": "150", "form_token": form_token}, page="3", go="next")
    assert status == 400 and _shown(html) == {"age", "comment"} and html.count('class="error-message"') == 1
    # A send from the last page with a mistake on page 1 (a form altered on the way): page 1.
    status, html = _post(client, token, {**DEMO_FORM, "needed_treatment": "maybe", "form_token": form_token}, page="4", go="send")
    assert status == 400 and _shown(html) == {"needed_treatment", "barriers"} and count_responses(app) == 0


def test_the_last_page_checks_every_answer_and_lists_them_collapsed(app: Flask) -> None:
    client, token, form_token = _start(app)
    status, html = _post(client, token, {**DEMO_FORM, "form_token": form_token}, page="3", go="next")
    assert status == 200 and _shown(html) == set() and 'name="page" value="4"' in html
    review = html[html.index('id="review"'):html.index("</section>", html.index('id="review"'))]
    assert "hidden" not in review.split(">")[0] and "<details data-review-details>" in review  # closed
    assert "canary-7f3a9c waiting list was months long" in review and "Worry about confidentiality" in review
    assert 'value="page-3"' in review  # "Change" goes back to the answer's page
    assert re.search(r'data-submit name="go" value="send"', html)
    assert count_responses(app) == 0
    assert client.post(f"/s/{token}", data={**DEMO_FORM, "form_token": form_token, "page": "4", "go": "send"}).status_code == 303
    assert count_responses(app) == 1


def test_another_language_keeps_the_page_and_its_answers(app: Flask) -> None:
    client, token, form_token = _start(app)
    response = client.post(f"/s/{token}?lang=de", data={**DEMO_FORM, "form_token": form_token, "page": "2", "go": "stay"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="de"' in html and _shown(html) == {"treated_unfairly", "hide_recovery"}
    assert re.search(r'<input [^>]*checked[^>]*id="treated_unfairly-3"', html) and "canary-7f3a9c" in html
    assert count_responses(app) == 0


@pytest.mark.parametrize("go", ["next", "back", "stay", "page-2"])
def test_moving_between_pages_is_not_a_submission_for_the_rate_limit(tmp_path: Path, analyst_key: AnalystKey, go: str) -> None:
    app = build_app(tmp_path, analyst_key, submit_limit=2, submit_window=600)
    _uid, token = add_survey(app)
    client = app.test_client()
    for _ in range(5):  # a respondent without JavaScript posts once a page
        assert client.post(f"/s/{token}", data={**DEMO_FORM, "page": "2", "go": go}).status_code == 200
    sends = [client.post(f"/s/{token}", data={**DEMO_FORM, "page": "4", "go": send}).status_code
             for send in ("send", "anything-else", "send")]
    assert sends == [303, 303, 429] and count_responses(app) == 2  # an unknown button sends, and counts


@pytest.mark.parametrize("page, go", [("²", "next"), ("9999", "next"), ("-1", "back"), ("1", "page-²"), ("1", "page-0"),
                                      ("1", "page-99999"), ("\x00", "stay"), ("1", "\x00")])
def test_odd_page_numbers_and_buttons_get_a_page_never_a_server_error(app: Flask, page: str, go: str) -> None:
    client, token, form_token = _start(app)
    status, _html = _post(client, token, {"needed_treatment": "yes", "form_token": form_token}, page=page, go=go)
    assert status in (200, 303, 400)
