"""Rewriting what the database holds so that no file keeps the order in which responses arrived.

A response is written when it arrives, and a database writes in arrival order: on SQLite each
envelope's overflow pages are appended to the write-ahead log and then to the database file; on
PostgreSQL each row lands at the end of the heap with the transaction id (``xmin``) of its
commit. A one-time code is spent in the very transaction that stores its response, so the log
also pairs the two. Arrival order plus a network log of who connected when can name a
respondent, so the server rewrites everything on a schedule (:class:`Reshuffler`) and on
``flask --app wsgi reshuffle``:

- SQLite: ``VACUUM`` rebuilds the database file in the order of the responses' random-looking ids (the
  table has no rowid), with ``secure_delete`` on and the temporary copy in memory; then a
  ``TRUNCATE`` checkpoint empties the write-ahead log. Afterwards the ``-wal`` file is empty and
  the database file's order is that of random ids.
- PostgreSQL: in one transaction that locks out writers, every response is deleted and inserted
  again in random order, and every one-time code row and sent-form marker is rewritten, so all of
  them share one new ``xmin``; ``VACUUM FULL`` then drops the old row versions and rewrites the
  tables, so heap
  order, ``ctid`` and ``pg_dump`` order are random. PostgreSQL's own write-ahead log (``pg_wal``)
  is outside this: see docs/threat-model.md.

:func:`backup` writes a copy that is already in random order (``VACUUM INTO``)."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

#: The tables whose physical order could follow arrival: responses, and the one-time codes spent
#: in the same transactions.
TABLES = ("responses", "access_codes")


@dataclass(frozen=True, slots=True)
class Reshuffled:
    engine: str
    seconds: float
    #: PostgreSQL: the transaction id every rewritten row now carries as its ``xmin``.
    xid: str = ""


def reshuffle(engine: Engine) -> Reshuffled:
    """Rewrite the stored responses and codes so that no order follows arrival (see the module)."""
    started = time.monotonic()
    xid = ""
    if engine.dialect.name == "sqlite":
        _sqlite(engine)
    elif engine.dialect.name == "postgresql":
        xid = _postgresql(engine)
    else:  # pragma: no cover - only the two engines are supported
        raise RuntimeError(f"no reshuffle for {engine.dialect.name}")
    return Reshuffled(engine.dialect.name, time.monotonic() - started, xid)


def _sqlite(engine: Engine) -> None:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.commit()  # VACUUM cannot run inside a transaction
        cur = raw.cursor()
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA temp_store=MEMORY")  # VACUUM's temporary copy never touches a disk
        cur.execute("VACUUM")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log, _done = cur.fetchone()
        cur.close()
        if busy:
            raise RuntimeError("the write-ahead log could not be emptied: a reader held it; try again")


def _postgresql(engine: Engine) -> str:
    with engine.begin() as conn:
        # Readers go on; writers wait until the rewrite commits, so no response is lost.
        conn.execute(text("LOCK TABLE responses, access_codes, sent_forms IN EXCLUSIVE MODE"))
        conn.execute(text("CREATE TEMPORARY TABLE reshuffled ON COMMIT DROP AS "
                          "SELECT * FROM responses ORDER BY random()"))
        conn.execute(text("DELETE FROM responses"))
        conn.execute(text("INSERT INTO responses SELECT * FROM reshuffled"))
        conn.execute(text("UPDATE access_codes SET used = used"))
        conn.execute(text("UPDATE sent_forms SET sent_on = sent_on"))  # survey/server/sent_forms.py
        xid = str(conn.execute(text("SELECT pg_current_xact_id()::xid::text")).scalar_one())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM FULL responses"))
        conn.execute(text("VACUUM FULL access_codes"))
        conn.execute(text("VACUUM FULL sent_forms"))
    return xid


def backup(engine: Engine, out: Path) -> None:
    """A copy of the database whose order follows no arrival: ``VACUUM INTO`` on SQLite (written
    owner-only). On PostgreSQL, reshuffle first, then ``pg_dump`` (its order is the heap's)."""
    if engine.dialect.name != "sqlite":
        raise RuntimeError("on PostgreSQL run `flask --app wsgi reshuffle`, then pg_dump")
    if out.exists():
        raise FileExistsError(f"{out} exists; give a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    old_umask = os.umask(0o077)  # the copy is owner-only from its first byte
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.commit()
            cur = raw.cursor()
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("VACUUM INTO ?", (str(out),))
            cur.close()
    finally:
        os.umask(old_umask)
    out.chmod(0o600)


def written_since(engine: Engine, last: Reshuffled | None) -> bool:
    """Whether responses or codes may have been written since ``last`` (None: not known).

    SQLite: the write-ahead log is not empty (a reshuffle leaves it empty). PostgreSQL: a row of
    either table carries another ``xmin`` than the one ``last`` gave them all."""
    if engine.dialect.name == "sqlite":
        wal = Path((engine.url.database or "") + "-wal")
        return wal.exists() and wal.stat().st_size > 0
    if last is None:
        return True
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM responses WHERE xmin::text <> :x) "
            "OR EXISTS (SELECT 1 FROM access_codes WHERE xmin::text <> :x)"), {"x": last.xid}).scalar_one())


def init_app(app: Flask, engine: Engine, minutes: float) -> None:
    """Attach the schedule; its thread starts with the first request of each process."""
    reshuffler = app.extensions["reshuffler"] = Reshuffler(engine, minutes)
    app.before_request(reshuffler.ensure_running)


class Reshuffler:
    """Runs :func:`reshuffle` every ``minutes`` in a background thread of each server process,
    when something was written since the last run. Started lazily (after a fork) by
    :meth:`ensure_running`, which the app calls on each request."""

    def __init__(self, engine: Engine, minutes: float) -> None:
        self.engine = engine
        self.seconds = minutes * 60
        self._pid = -1
        self._lock = threading.Lock()
        self._last: Reshuffled | None = None
        self._stopped = threading.Event()

    def ensure_running(self) -> None:
        if self.seconds <= 0 or self._stopped.is_set() or self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                threading.Thread(target=self._loop, name="reshuffle", daemon=True).start()
                self._pid = os.getpid()

    @property
    def last(self) -> Reshuffled | None:
        """This process's last reshuffle, if any."""
        return self._last

    def run_once(self) -> Reshuffled | None:
        """Reshuffle if anything was written since this process's last run; None if not."""
        if not written_since(self.engine, self._last):
            return None
        done = self._last = reshuffle(self.engine)
        log.info("reshuffled the stored responses (%s, %.1f s)", done.engine, done.seconds)
        return done

    def stop(self) -> None:
        """End the schedule's thread (tests; an app that is shut down)."""
        self._stopped.set()

    def _loop(self) -> None:
        while not self._stopped.wait(self.seconds):
            try:
                self.run_once()
            except Exception:  # keep the schedule; the next run tries again
                log.exception("reshuffle failed; the next run tries again")
