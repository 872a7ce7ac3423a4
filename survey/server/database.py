"""The database engine and session, attached to the app with ``init_app``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from survey.server.private_files import private_sqlite_database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: The largest value of an Integer column on every engine (PostgreSQL's ``integer`` is 32 bits;
#: SQLite's 64). A larger number from a URL or form is no row, not a database error.
INTEGER_MAX = 2**31 - 1
#: PostgreSQL text cannot hold NUL; SQLite stores it. Strings that may carry one are checked first.
NUL = "\x00"


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, durable (FULL) commits, foreign keys and a busy timeout."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite_database(Path(parsed.database))  # 0600, and so are its -wal and -shm
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def upgrade(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration (Alembic)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")


class Database:
    """Engine and session factory per app; one session per request, closed at teardown."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["SETTINGS"].database_url)
        app.extensions["survey_db"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["survey_engine"] = engine
        app.teardown_appcontext(self._close)

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def session() -> Session:
    """The current app context's session."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = current_app.extensions["survey_db"]()
    return g.db_session


def engine() -> Engine:
    from flask import current_app

    return current_app.extensions["survey_engine"]


db = Database()
