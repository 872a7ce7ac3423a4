"""The models and the Alembic migrations describe the same schema, on SQLite and on PostgreSQL.

A model changed without a migration (`make migration MESSAGE="..."`, docs/contributing.md) fails
here: the database the migrations build at head differs from what the models declare."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, String

from survey.server.database import MIGRATIONS_DIR, make_engine, upgrade
from survey.server.models import Base

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL


@pytest.fixture
def at_head(database_url: str | None, tmp_path: Path) -> Iterator[Connection]:
    """A connection to a fresh database brought to the newest migration."""
    url = database_url or f"sqlite:///{tmp_path / 'head.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def schema_diff(conn: Connection, metadata: MetaData) -> list[Any]:
    """What autogenerate would write into a new revision: empty when the schema matches."""
    return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_the_models_match_the_schema_the_migrations_build(at_head: Connection) -> None:
    diff = schema_diff(at_head, Base.metadata)
    assert diff == [], (
        "the models differ from the newest migration: run `make migration MESSAGE=\"...\"`, "
        f"review the new file in survey/server/migrations/versions/, and commit it with the models:\n{pformat(diff)}"
    )


def test_a_column_added_to_a_model_without_a_migration_is_caught(at_head: Connection) -> None:
    """The comparison is not vacuous: the models plus one column differ from the head."""
    changed = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["responses"].append_column(Column("arrived_at", String(32), nullable=True))
    diff = schema_diff(at_head, changed)
    assert [(d[0], d[2], d[3].name) for d in diff] == [("add_column", "responses", "arrived_at")]


def test_the_migrations_have_one_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
