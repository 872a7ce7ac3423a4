"""The console's questionnaire pages: upload, refusals by cell, preview per language, publish, review."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient

from survey.server.database import session
from survey.server.models import AuditEntry
from survey.server.xlsform_import import read_xlsform
from tests.test_console_support import csrf, login, make_user
from tests.test_xlsform_hostile import zip_of_zeros
from tests.test_xlsform_store import form
from tests.xlsform_files import workbook


def upload(client: FlaskClient, data: bytes, name: str = "form.xlsx") -> tuple[int, str]:
    token = csrf(client, "/console/questionnaires")
    response = client.post("/console/questionnaires", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_upload_preview_review_publish(app: Flask) -> None:
    make_user(app, "boss", admin=True)
    client = login(app, "boss")
    status, _page = upload(client, form())
    assert status == 303
    page = client.get("/console/questionnaires/local_help@1").get_data(as_text=True)
    assert "Draft: new surveys cannot use it yet." in page
    assert 'data-review="bs">unreviewed' in page and 'data-review="ar">unreviewed' in page
    with app.app_context():
        assert "local_help@1" not in list(app.extensions["questionnaires"])

    arabic = client.get("/console/questionnaires/local_help@1?lang=ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl" data-preview' in arabic and "هل حصلت على مساعدة؟" in arabic
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', arabic)
    assert token
    response = client.post("/console/questionnaires/local_help@1/review", data={"csrf_token": token[1], "lang": "ar"})
    assert response.status_code == 303
    assert 'data-review="ar">reviewed' in client.get("/console/questionnaires/local_help@1").get_data(as_text=True)

    response = client.post("/console/questionnaires/local_help@1/publish", data={"csrf_token": token[1]})
    assert response.status_code == 303
    with app.app_context():
        assert "local_help@1" in list(app.extensions["questionnaires"])
        actions = [e.action for e in session().query(AuditEntry).order_by(AuditEntry.id)]
        assert actions[-3:] == ["questionnaire import", "questionnaire review", "questionnaire publish"]
    new_survey = client.get("/console/surveys/new").get_data(as_text=True)
    assert 'value="local_help@1"' in new_survey


def test_refusals_are_listed_by_cell_and_nothing_is_stored(app: Flask) -> None:
    make_user(app, "boss", admin=True)
    client = login(app, "boss")
    status, page = upload(client, form({"type": "deviceid"}))
    assert status == 400
    assert "survey sheet, row 4, column type: &#39;deviceid&#39; is refused" in page
    status, page = upload(client, b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))  # 50 MB
    assert status == 413 and "The file is larger than 2 MB." in page
    status, page = upload(client, zip_of_zeros("xl/worksheets/sheet1.xml", 300 * 1024 * 1024))  # a zip bomb
    assert status == 400 and "the workbook unpacks to 300 MB" in page
    listed = client.get("/console/questionnaires").get_data(as_text=True)
    assert "None yet." in listed


def test_script_in_a_form_is_shown_as_text(app: Flask) -> None:
    make_user(app, "boss", admin=True)
    client = login(app, "boss")
    survey = [{"type": "text", "name": "t", "label": "<script>alert(1)</script>"}]
    status, _page = upload(client, workbook(survey, settings={"form_id": "scripted"}))
    assert status == 303
    page = client.get("/console/questionnaires/scripted@1").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_coordinators_cannot_import(app: Flask) -> None:
    make_user(app, "coord")
    client = login(app, "coord")
    assert client.get("/console/questionnaires").status_code == 403


def test_any_questionnaire_downloads_as_an_xlsform(app: Flask) -> None:
    make_user(app, "boss", admin=True)
    client = login(app, "boss")
    assert 'href="/console/questionnaires/stigma@1/xlsform"' in client.get("/console/questionnaires").get_data(as_text=True)
    response = client.get("/console/questionnaires/stigma@1/xlsform")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="stigma-1.xlsx"'
    back = read_xlsform(response.get_data())
    assert back.questionnaire == app.extensions["questionnaires"]["stigma@1"] and len(back.languages) == 13
    assert client.get("/console/questionnaires/nothing@1/xlsform").status_code == 404
