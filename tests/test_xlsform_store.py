"""Imported XLSForms stored as versions, bound to surveys, exported with their translations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from survey.server.database import session
from survey.server.models import ImportedQuestionnaire
from tests.conftest import add_survey, export_survey
from tests.xlsform_files import EN, workbook

pytestmark = pytest.mark.both_databases

BS = "label::Bosanski (bs)"
AR = "label::العربية (ar)"


def form(change: dict[str, str] | None = None, options: list[tuple[str, str, str]] | None = None,
         q1_type: str = "select_one yn", **settings: str) -> bytes:
    survey = [
        {"type": "note", "name": "title", EN: "Local services", BS: "Lokalne usluge", AR: "الخدمات المحلية"},
        {"type": "begin_group", "name": "main", EN: "Help", BS: "Pomoć", AR: "مساعدة"},
        {"type": q1_type, "name": "q1", EN: "Did you get help?", BS: "Jeste li dobili pomoć?", AR: "هل حصلت على مساعدة؟",
         "required": "yes"},
        {"type": "end_group", "name": "main"},
    ]
    survey[2].update(change or {})
    choices = [{"list_name": "yn", "name": code, EN: en, BS: bs, AR: "نعم" if code == "yes" else "لا"}
               for code, en, bs in (options or [("yes", "Yes", "Da"), ("no", "No", "Ne")])]
    return workbook(survey, choices, {"form_id": "local_help", "version": "1",
                                      "default_language": "English (en)", **settings})


def cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["questionnaires", *args])
    return result.exit_code, result.output


def imported(app: Flask, tmp_path: Path, data: bytes, *flags: str) -> tuple[int, str]:
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    return cli(app, "import", str(path), *flags)


def test_import_versions_and_refusals(app: Flask, tmp_path: Path) -> None:
    code, out = imported(app, tmp_path, form())
    assert code == 0, out
    assert "imported local_help@1 (published); texts in en, unreviewed translations: bs ar" in out
    assert imported(app, tmp_path, form())[1].endswith("already stored as local_help@1; nothing changed\n")
    uid, _token = add_survey(app, "local_help@1")

    # A new wording: the next version; the survey keeps version 1.
    code, out = imported(app, tmp_path, form({EN: "Did you get the help you needed?"}))
    assert code == 0 and "imported local_help@2" in out, out
    # A new option: allowed (answers under q1 still mean what they meant).
    extra = [("yes", "Yes", "Da"), ("no", "No", "Ne"), ("partly", "Partly", "Djelomično")]
    code, out = imported(app, tmp_path, form(options=extra, version="2"))
    assert code == 0 and "imported local_help@3" in out, out

    # A code reused with another meaning is refused, naming the question.
    code, out = imported(app, tmp_path, form(q1_type="select_multiple yn"))
    assert code == 1 and "question q1: it was a single question in local_help@1, now multiple" in out, out
    code, out = imported(app, tmp_path, form(options=[("yes", "Yes", "Da"), ("maybe", "Maybe", "Možda")]))
    assert code == 1 and "question q1: options ['no'] of local_help@1 are gone" in out, out

    with app.app_context():
        reg = app.extensions["questionnaires"]
        assert [k for k in reg if k.startswith("local_help@")] == ["local_help@1", "local_help@2", "local_help@3"]
        assert reg["local_help@2"].question("q1").text == "Did you get the help you needed?"
        rows = session().query(ImportedQuestionnaire).count()
        assert rows == 3

    # The export names the survey's version and carries the form's own translations.
    export = export_survey(app, uid, tmp_path / "export.jsonl")
    manifest = json.loads(export.read_text(encoding="utf-8").splitlines()[0])
    assert manifest["questionnaire"]["id"] == "local_help" and manifest["questionnaire"]["version"] == 1
    assert "Did you get help?" in manifest["questionnaire"]["definition"]


def test_export_manifest_has_the_form_translations(app: Flask, tmp_path: Path) -> None:
    assert imported(app, tmp_path, form())[0] == 0
    with app.app_context():
        from survey.server.surveys import create_link, create_survey

        s = session()
        q = app.extensions["questionnaires"]["local_help@1"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Local", ["en", "bs", "ar"])
        create_link(s, survey, "Drop-in")
        s.commit()
        uid = survey.uid
    manifest = json.loads(export_survey(app, uid, tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert manifest["questionnaire"]["translations"] == {
        "bs": {"Local services": "Lokalne usluge", "Help": "Pomoć", "Did you get help?": "Jeste li dobili pomoć?",
               "Yes": "Da", "No": "Ne"},
        "ar": {"Local services": "الخدمات المحلية", "Help": "مساعدة", "Did you get help?": "هل حصلت على مساعدة؟",
               "Yes": "نعم", "No": "لا"},
    }


def test_review_list_and_export_round_trip(app: Flask, tmp_path: Path) -> None:
    assert imported(app, tmp_path, form(), "--draft")[0] == 0
    with app.app_context():
        assert "local_help@1" not in list(app.extensions["questionnaires"])  # a draft is not offered
    assert "local_help@1  Local services  (imported, draft; en bs(unreviewed) ar(unreviewed))" in cli(app, "list")[1]
    code, out = cli(app, "review", "local_help@1", "bs")
    assert code == 0, out
    with app.app_context():
        from survey.server.questionnaire_store import publish

        publish(session(), "local_help@1")
        session().commit()
    code, out = cli(app, "list")
    assert "local_help@1  Local services  (imported; en bs ar(unreviewed))" in out, out
    code, out = cli(app, "export", "local_help", "--out", str(tmp_path / "again.xlsx"))
    assert code == 0 and "wrote local_help@1" in out, out
    code, out = cli(app, "import", str(tmp_path / "again.xlsx"))
    assert code == 0 and "already stored as local_help@1; nothing changed" in out, out


def test_builtin_exported_by_the_command_imports_as_itself(app: Flask, tmp_path: Path) -> None:
    code, out = cli(app, "export", "stigma@1", "--out", str(tmp_path / "stigma.xlsx"))
    assert code == 0 and "(13 languages)" in out, out
    code, out = cli(app, "import", str(tmp_path / "stigma.xlsx"))
    assert code == 0 and "already stored as stigma@1; nothing changed" in out, out
    # A changed built-in is refused: a later release could bring a built-in stigma@2 of its own.
    from survey.core.questionnaire import parse
    from survey.server.xlsform_export import xlsform_bytes

    stigma = app.extensions["questionnaires"]["stigma@1"]
    changed = parse(stigma.source.replace('title = "How people treat you"', 'title = "Stigma, our wording"'))
    (tmp_path / "changed.xlsx").write_bytes(xlsform_bytes(changed, "en", ["en"], {}))
    code, out = cli(app, "import", str(tmp_path / "changed.xlsx"))
    assert code == 1 and "stigma is a built-in questionnaire: give your form another form_id" in out, out


def test_keys_that_name_nothing_are_not_found(app: Flask) -> None:
    from survey.server.questionnaire_store import mark_reviewed, publish

    with app.app_context():
        reg = app.extensions["questionnaires"]
        for key in ("x@99999999999", "x@²", "x@-1", "X@1", "x@", "@1", "x@1@2", "x@0"):
            assert reg.get(key) is None and reg.texts(key) is None
            with pytest.raises(KeyError):
                publish(session(), key)
            with pytest.raises(KeyError):
                mark_reviewed(session(), key, "bs")


def test_a_refused_form_names_its_cells(app: Flask, tmp_path: Path) -> None:
    code, out = imported(app, tmp_path, form({"type": "geopoint"}))
    assert code == 1
    assert "survey sheet, row 4, column type: 'geopoint' is refused: it records where the respondent" in out


def test_respondents_get_the_forms_languages_and_its_reviewed_ones_when_limited(app: Flask, tmp_path: Path) -> None:
    from survey.core.translation_review import REVIEWED, Review
    from survey.server.language_reviews import respondent_languages
    from survey.server.questionnaire_store import mark_reviewed
    from survey.server.surveys import create_survey

    assert imported(app, tmp_path, form())[0] == 0
    # The server's catalogs: Arabic and Bosnian reviewed (the real ones are machine drafts).
    for lang in ("ar", "bs"):
        app.extensions["language_reviews"][lang] = Review(REVIEWED, reviewer="A native-speaker organisation")
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["local_help@1"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Local", ["en", "bs", "ar"])
        s.commit()
        assert sorted(respondent_languages(survey)) == ["ar", "bs", "en"]  # the form's, not all 13
        survey.reviewed_languages_only = True
        assert respondent_languages(survey) == ["en"]  # the form's translations are unreviewed
        mark_reviewed(s, "local_help@1", "ar")
        s.commit()
        assert sorted(respondent_languages(survey)) == ["ar", "en"]


def test_the_plain_form_refuses_with_the_forms_own_message_in_the_page_language(app: Flask, tmp_path: Path) -> None:
    from survey.server.surveys import create_link, create_survey

    data = form({"type": "integer", "constraint": ". >= 1 and . <= 9 and (. != 5)",
                 "constraint_message::English (en)": "Not five.", "constraint_message::Bosanski (bs)": "Ne pet.",
                 "constraint_message::العربية (ar)": "ليس خمسة."})
    assert imported(app, tmp_path, data)[0] == 0
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["local_help@1"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Local", ["en", "bs", "ar"])
        token = create_link(s, survey, "Drop-in").token
        s.commit()
    client = app.test_client()
    page = client.post(f"/s/{token}?lang=bs", data={"q1": "5"}).get_data(as_text=True)
    assert "Ne pet." in page and "Jeste li dobili pomoć?" in page and "Not five." not in page
