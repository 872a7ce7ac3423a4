"""A server that seals to the demo key `make run` made (its private half sits in demo-analyst-key/
under a published passphrase) says so on every console page, and creates a survey on that key
only when the admin ticks "I understand this is a demo". `flask --app wsgi demo` still can.

The signal is a marker file `make demo-key` writes next to the public key (`keys/<name>.demo`,
written by `python -m survey.server.demo_key`), naming the key by its key id."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey.server.database import session
from survey.server.models import Survey
from tests.conftest import ROOT, AnalystKey, add_survey, build_app
from tests.test_console_support import csrf, link_id, login, make_user

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

WARNING = "This server seals answers to a DEMO key whose private half is published: do not collect real answers."


def keys_folder(tmp_path: Path, *keys: AnalystKey, names: dict[str, str] | None = None) -> Path:
    """A keys/ folder with the public keys of ``keys`` (renamed after ``names`` if given)."""
    folder = tmp_path / "keys"
    folder.mkdir(parents=True)
    for key in keys:
        for pem in key.keys_dir.glob("*.pub.pem"):
            shutil.copy(pem, folder / (names or {}).get(pem.name, pem.name))
    return folder


def mark_as_demo(public_key: Path) -> None:
    """What `make demo-key` runs after copying the demo public key into keys/."""
    subprocess.run([sys.executable, "-m", "survey.server.demo_key", str(public_key)], cwd=ROOT, check=True,
                   capture_output=True, text=True)


def demo_app(tmp_path: Path, database_url: str | None, keys: Path) -> Flask:
    return build_app(tmp_path, AnalystKey(keys, Path("/nonexistent"), ""), database_url)


def console_pages(app: Flask) -> list[str]:
    uid, token = add_survey(app)
    with app.app_context():
        survey_id = session().scalars(select(Survey.id).where(Survey.uid == uid)).one()
    link = link_id(app, token)
    spare = make_user(app, "spare")
    pages = []
    for rule in app.url_map.iter_rules():
        # A questionnaire's own pages (<key>) preview imported forms only; their list page is here.
        if rule.endpoint.startswith("console.") and "GET" in (rule.methods or ()) and "key" not in rule.arguments:
            built = rule.build({"survey_id": survey_id, "link_id": link, "user_id": spare}, append_unknown=False)
            assert built is not None
            pages.append(built[1])
    assert len(pages) >= 10
    return pages


@pytest.mark.parametrize("signal", ["marker", "file name"])
def test_every_console_page_warns_when_the_demo_key_is_in_use(
        tmp_path: Path, database_url: str | None, analyst_key: AnalystKey, signal: str) -> None:
    if signal == "marker":
        keys = keys_folder(tmp_path, analyst_key)
        mark_as_demo(next(keys.glob("*.pub.pem")))
    else:  # what `make run` made before markers existed
        keys = keys_folder(tmp_path, analyst_key, names={"analyst.pub.pem": "demo-analyst.pub.pem"})
    app = demo_app(tmp_path, database_url, keys)
    make_user(app, "admin", admin=True)
    admin = login(app, "admin")
    for page in console_pages(app):
        response = admin.get(page)
        assert response.status_code == 200, page
        if response.mimetype == "text/html":
            assert WARNING in response.get_data(as_text=True), page
    for anonymous_page in ("/console/login", "/console/no-such-page"):
        assert WARNING in app.test_client().get(anonymous_page).get_data(as_text=True), anonymous_page
    assert WARNING in admin.get("/console/no-such-page").get_data(as_text=True)


def test_no_warning_without_a_demo_key(app: Flask) -> None:
    make_user(app, "admin", admin=True)
    admin = login(app, "admin")
    for page in console_pages(app):
        assert WARNING not in admin.get(page).get_data(as_text=True), page
    assert "I understand this is a demo" not in admin.get("/console/surveys/new").get_data(as_text=True)


def test_a_survey_on_the_demo_key_is_created_only_when_the_admin_says_it_is_a_demo(
        tmp_path: Path, database_url: str | None, analyst_key: AnalystKey, other_key: AnalystKey) -> None:
    keys = keys_folder(tmp_path, analyst_key, other_key)
    mark_as_demo(keys / "other.pub.pem")
    app = demo_app(tmp_path, database_url, keys)
    make_user(app, "admin", admin=True)
    admin = login(app, "admin")
    page = admin.get("/console/surveys/new").get_data(as_text=True)
    assert "I understand this is a demo" in page and "DEMO key" in page
    form = {"csrf_token": csrf(admin, "/console/surveys/new"), "title": "Night shelter",
            "questionnaire": "demo@1", "languages": ["en"]}

    def surveys() -> int:
        with app.app_context():
            return int(session().scalar(select(func.count()).select_from(Survey)) or 0)

    refused = admin.post("/console/surveys/new", data={**form, "key_id": other_key.key_id})
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    assert surveys() == 0
    assert admin.post("/console/surveys/new", data={**form, "key_id": other_key.key_id,
                                                    "demo_ack": "y"}).status_code == 303
    assert admin.post("/console/surveys/new", data={**form, "key_id": analyst_key.key_id}).status_code == 303
    assert surveys() == 2


def test_the_demo_command_still_makes_the_demo_survey_on_the_demo_key(
        tmp_path: Path, database_url: str | None, analyst_key: AnalystKey) -> None:
    keys = keys_folder(tmp_path, analyst_key)
    mark_as_demo(next(keys.glob("*.pub.pem")))
    app = demo_app(tmp_path, database_url, keys)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert session().scalars(select(Survey.key_id)).all() == [analyst_key.key_id]


def test_the_marker_names_its_key_by_id_and_the_old_demo_file_name_counts_too(
        tmp_path: Path, database_url: str | None, analyst_key: AnalystKey, other_key: AnalystKey) -> None:
    keys = keys_folder(tmp_path, analyst_key, other_key)
    mark_as_demo(keys / "analyst.pub.pem")
    (keys / "analyst.pub.pem").rename(keys / "renamed.pub.pem")  # the marker follows the key, not its name
    app = demo_app(tmp_path / "a", database_url, keys)
    demo = {entry.key_id for entry in app.extensions["keyring"] if entry.demo}
    assert demo == {analyst_key.key_id}
    app.extensions["survey_engine"].dispose()
    # Keys `make run` made before markers existed: its file name is the signal.
    older = keys_folder(tmp_path / "b", other_key, names={"other.pub.pem": "demo-analyst.pub.pem"})
    app = demo_app(tmp_path / "b", None, older)
    assert [entry.demo for entry in app.extensions["keyring"]] == [True]
    app.extensions["survey_engine"].dispose()


def test_make_demo_key_writes_the_marker() -> None:
    recipe = (ROOT / "Makefile").read_text().split("\ndemo-key:", 1)[1].split("\n\n", 1)[0]
    assert "-m survey.server.demo_key" in recipe and "keys/demo-analyst.pub.pem" in recipe


def test_a_private_key_is_refused_even_in_a_file_named_like_a_marker(tmp_path: Path, analyst_key: AnalystKey) -> None:
    from survey.server.keyring import KeyringError, load_keyring

    keys = keys_folder(tmp_path, analyst_key)
    shutil.copy(analyst_key.private, keys / "analyst.demo")
    with pytest.raises(KeyringError, match="PRIVATE key"):
        load_keyring(keys)
