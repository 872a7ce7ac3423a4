"""The instance folder, its secret key and the SQLite database with its -wal and -shm files can be
read by the server's own user only (folders 0700, files 0600), whatever the process umask: a
world-readable database would hand every local account the link labels, counts and days."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from survey import create_app
from survey.server.database import upgrade
from tests.conftest import AnalystKey, add_survey
from tests.helpers import DEMO_FORM


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def fresh_app(instance: Path, keys: AnalystKey) -> Flask:
    """The app as `make run` builds it: created first, then `flask db upgrade`."""
    url = f"sqlite:///{instance / 'survey.db'}"
    app = create_app({"testing": True, "instance_path": instance, "database_url": url, "keys_dir": keys.keys_dir,
                      "secret_key": ""})
    upgrade(url)
    return app


def modes(instance: Path) -> dict[str, str]:
    return {str(p.relative_to(instance.parent)): oct(stat.S_IMODE(p.stat().st_mode)) for p in [instance, *instance.rglob("*")]}


def assert_private(instance: Path) -> None:
    found = modes(instance)
    names = {Path(name).name for name in found}
    assert {"instance", "secret_key", "survey.db", "survey.db-wal", "survey.db-shm"} <= names, found
    for path in [instance, *instance.rglob("*")]:
        wanted = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == wanted, found


def test_a_new_instance_and_database_are_private_whatever_the_umask(
        tmp_path: Path, analyst_key: AnalystKey, umask: int) -> None:
    instance = tmp_path / "instance"
    app = fresh_app(instance, analyst_key)
    _uid, token = add_survey(app)
    assert app.test_client().post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    assert_private(instance)  # while the app runs, with its -wal and -shm open
    app.extensions["survey_engine"].dispose()


def test_files_an_older_version_left_world_readable_are_made_private_at_start(
        tmp_path: Path, analyst_key: AnalystKey, umask: int) -> None:
    instance = tmp_path / "instance"
    app = fresh_app(instance, analyst_key)
    _uid, token = add_survey(app)
    assert app.test_client().post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    for path in [instance, *instance.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    again = fresh_app(instance, analyst_key)
    assert again.test_client().post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    assert_private(instance)
    for built in (app, again):
        built.extensions["survey_engine"].dispose()
