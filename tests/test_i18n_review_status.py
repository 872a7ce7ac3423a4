"""Each language's review status (translations/<lang>/REVIEW.toml) in the console: on the survey's
page and in the new-survey language choices; a survey limited to reviewed languages offers its
respondents only those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from survey.core.translation_review import Review, review_status
from survey.server.database import session
from survey.server.models import Survey
from survey.server.surveys import create_link
from tests.conftest import add_survey
from tests.test_console_support import csrf, login, make_user

pytestmark = pytest.mark.both_databases


def _reviewed(app: Flask, lang: str, reviewer: str) -> None:
    """As if translations/<lang>/REVIEW.toml said "reviewed" by ``reviewer`` (read at start-up)."""
    app.extensions["language_reviews"][lang] = Review("reviewed", reviewer, "2026-11-02")


def test_review_toml_is_read_once_for_console_and_command(tmp_path: Path) -> None:
    (tmp_path / "bs").mkdir()
    (tmp_path / "bs" / "REVIEW.toml").write_text('status = "reviewed"\nreviewer = "Margina"\n', encoding="utf-8")
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr" / "REVIEW.toml").write_text('status = "reviewed"\n', encoding="utf-8")  # no one named
    (tmp_path / "sq").mkdir()
    (tmp_path / "sq" / "REVIEW.toml").write_text('status = "reviewed\n', encoding="utf-8")  # broken TOML
    assert not review_status("bs", tmp_path).is_draft
    assert review_status("hr", tmp_path).is_draft and review_status("sq", tmp_path).is_draft
    assert review_status("de", tmp_path).is_draft and not review_status("en", tmp_path).is_draft
    from survey.devtools import translation_status

    assert translation_status.review_status("bs", tmp_path) == review_status("bs", tmp_path)


def test_the_survey_page_and_the_language_choices_show_each_review_status(app: Flask) -> None:
    uid, _token = add_survey(app)
    make_user(app, "admin", admin=True)
    _reviewed(app, "bs", "Margina Tuzla")
    with app.app_context():
        s = session()
        survey = s.scalars(select(Survey).where(Survey.uid == uid)).one()
        survey.languages = "en bs hr ar"
        s.commit()
        survey_id = survey.id
    client = login(app, "admin")
    page = client.get(f"/console/surveys/{survey_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    statuses = dict(re.findall(r'data-language="(\w+)">.*?data-review>([^<]*)<', page))
    assert statuses == {"en": "source language", "bs": "reviewed by Margina Tuzla (2026-11-02)",
                        "hr": "machine draft: not yet reviewed by a native speaker",
                        "ar": "machine draft: not yet reviewed by a native speaker"}
    new = client.get("/console/surveys/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Bosanski (reviewed by Margina Tuzla (2026-11-02))" in new
    assert "Hrvatski (machine draft: not yet reviewed by a native speaker)" in new
    assert 'name="reviewed_only"' in new


def test_a_survey_limited_to_reviewed_languages_offers_respondents_only_those(app: Flask) -> None:
    uid, token = add_survey(app)
    make_user(app, "admin", admin=True)
    _reviewed(app, "bs", "Margina Tuzla")
    respondent = app.test_client()
    before = respondent.get(f"/s/{token}?lang=hr").get_data(as_text=True)
    assert '<html lang="hr"' in before and 'hreflang="ar"' in before
    client = login(app, "admin")
    with app.app_context():
        survey_id = session().scalars(select(Survey.id).where(Survey.uid == uid)).one()
    saved = client.post(f"/console/surveys/{survey_id}/reviewed-languages",
                        data={"csrf_token": csrf(client, "/console/"), "reviewed_only": "y"})
    assert saved.status_code == 303
    assert "offered only English and the reviewed languages" in client.get(f"/console/surveys/{survey_id}").get_data(as_text=True)
    for asked in (f"/s/{token}?lang=hr", f"/s/{token}?lang=ar"):
        page = respondent.get(asked, headers={"Accept-Language": "hr"}).get_data(as_text=True)
        assert '<html lang="en"' in page, asked
        assert 'hreflang="bs"' in page and 'hreflang="en"' in page
        assert 'hreflang="hr"' not in page and 'hreflang="ar"' not in page
    assert '<html lang="bs"' in respondent.get(f"/s/{token}?lang=bs").get_data(as_text=True)
    # Flyers and code slips are printed only in those languages too.
    with app.app_context():
        s = session()
        survey = s.scalars(select(Survey).where(Survey.uid == uid)).one()
        survey.languages = "en bs hr"
        link_id = survey.links[0].id
        s.commit()
    flyer = client.get(f"/console/links/{link_id}/flyer?lang=hr").get_data(as_text=True)
    assert 'data-flyer' in flyer and 'lang="en" dir="ltr" data-flyer' in flyer
    choices = re.search(r'<select[^>]* id="lang"[^>]*>(.*?)</select>', flyer, re.S)
    assert choices and 'value="bs"' in choices.group(1) and 'value="hr"' not in choices.group(1)
    codes = f"/console/links/{link_id}/codes"
    refused = client.post(codes, data={"csrf_token": csrf(client, codes), "count": "2", "lang": "hr"})
    assert refused.status_code == 400
    made = client.post(codes, data={"csrf_token": csrf(client, codes), "count": "2", "lang": "bs"})
    assert made.status_code == 200 and 'data-slip-lang="bs"' in made.get_data(as_text=True)
    # A coordinator cannot change the setting; the admin can undo it.
    make_user(app, "coordinator")
    other = login(app, "coordinator")
    assert other.post(f"/console/surveys/{survey_id}/reviewed-languages",
                      data={"csrf_token": csrf(other, "/console/")}).status_code in (403, 404)
    client.post(f"/console/surveys/{survey_id}/reviewed-languages", data={"csrf_token": csrf(client, "/console/")})
    assert '<html lang="hr"' in respondent.get(f"/s/{token}?lang=hr").get_data(as_text=True)


def make_survey_in_console(app: Flask, title: str, **fields: str) -> None:
    """An admin makes a survey in English and Bosnian through the console's form (its first
    questionnaire and key), with ``fields`` added to the form."""
    make_user(app, "admin", admin=True)
    client = login(app, "admin")
    form = client.get("/console/surveys/new").get_data(as_text=True)
    questionnaire = re.search(r'name="questionnaire"[^>]*>\s*<option value="([^"]+)"', form)
    key = re.search(r'name="key_id"[^>]*>\s*<option value="([^"]+)"', form)
    assert questionnaire and key
    made = client.post("/console/surveys/new", data={
        "csrf_token": csrf(client, "/console/surveys/new"), "title": title, "questionnaire": questionnaire.group(1),
        "key_id": key.group(1), "languages": ["en", "bs"], "demo_ack": "y", **fields})
    assert made.status_code == 303, made.get_data(as_text=True)[:2000]


def test_a_survey_made_with_reviewed_only_ticked_keeps_it(app: Flask) -> None:
    make_survey_in_console(app, "Reviewed only", reviewed_only="y")
    with app.app_context():
        assert session().scalars(select(Survey.reviewed_languages_only).where(Survey.title == "Reviewed only")).one()


def test_respondents_are_offered_only_the_languages_chosen_for_the_survey(app: Flask) -> None:
    """"Languages offered to respondents" holds: a survey made in English and Bosnian answers a
    German request in English and lists no German in its picker (the export's translations cover
    the chosen languages only, so an answer in another one would be labelled in English)."""
    make_survey_in_console(app, "Two languages")
    with app.app_context():
        survey = session().scalars(select(Survey).where(Survey.title == "Two languages")).one()
        token = create_link(session(), survey, "Outreach").token
        session().commit()
    respondent = app.test_client()
    assert '<html lang="bs"' in respondent.get(f"/s/{token}?lang=bs").get_data(as_text=True)
    german = respondent.get(f"/s/{token}?lang=de", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en"' in german
    assert 'hreflang="de"' not in german and 'hreflang="bs"' in german
