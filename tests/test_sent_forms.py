"""The no-JavaScript form's token: once its answers are sent, sending an earlier page of the same
form again (Back, then Reload) shows the thank-you page, stores nothing and shows no answer; an
old page shows no answer either."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from survey.server import sent_forms
from survey.server.database import engine, session
from survey.server.links import today
from survey.server.models import SentForm
from tests.conftest import add_survey
from tests.helpers import DEMO_FORM, count_responses

pytestmark = pytest.mark.both_databases
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _token(page: str) -> str:
    found = TOKEN.search(page)
    assert found is not None
    return found.group(1)


def test_an_earlier_page_of_a_sent_form_gets_the_thank_you_page_and_stores_nothing(app: Flask) -> None:
    _uid, token = add_survey(app)
    client = app.test_client()
    form_token = _token(client.get(f"/s/{token}").get_data(as_text=True))
    wrong = {**DEMO_FORM, "age": "150", sent_forms.FIELD: form_token}
    shown = client.post(f"/s/{token}", data=wrong)
    assert shown.status_code == 400 and "canary-7f3a9c" in shown.get_data(as_text=True)
    assert _token(shown.get_data(as_text=True)) == form_token  # the same form, shown again
    assert client.post(f"/s/{token}", data={**wrong, "age": "34"}).status_code == 303
    again = client.post(f"/s/{token}", data=wrong)  # Back to the error page, then Reload
    assert again.status_code == 303 and again.headers["Location"].startswith("/thanks")
    assert "canary-7f3a9c" not in again.get_data(as_text=True)
    assert client.post(f"/s/{token}", data={**wrong, "age": "34"}).status_code == 303
    assert count_responses(app) == 1
    with app.app_context():
        columns = sorted(c["name"] for c in inspect(engine()).get_columns("sent_forms"))
        assert columns == ["sent_on", "token_hash"]
        [marker] = session().scalars(select(SentForm)).all()
        assert form_token.split(".")[1] not in marker.token_hash  # keyed hash, not the token


def test_a_page_older_than_a_day_shows_no_answers(app: Flask) -> None:
    _uid, token = add_survey(app)
    old = f"{(today() - dt.timedelta(days=2)).toordinal()}.{'a' * 32}"
    response = app.test_client().post(f"/s/{token}", data={**DEMO_FORM, "age": "150", sent_forms.FIELD: old})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "more than a day old" in body
    assert "canary-7f3a9c" not in body and 'value="150"' not in body
    assert _token(body) != old
    assert count_responses(app) == 0


def test_markers_of_expired_forms_are_deleted(app: Flask) -> None:
    with app.app_context():
        s = session()
        s.add(SentForm(token_hash="0" * 64, sent_on=today() - dt.timedelta(days=3)))
        s.commit()
        sent_forms.mark_sent(s, app.config["SECRET_KEY"], sent_forms.new_token())
        assert [m.sent_on for m in s.scalars(select(SentForm))] == [today()]
