"""Storing a sealed response: the one place a response row is written.

Responses are committed by a *group committer*: each request hands its row to one committer
thread per process and waits; the thread writes every row waiting at that moment in one
transaction and wakes the requests only after the commit returned. A response is still
acknowledged only after it is durably committed (SQLite: WAL with synchronous=FULL), but many
responses share one fsync, which is what bounds SQLite's write rate on a real disk.

A one-time code travels with its row and is spent (``UPDATE ... WHERE used = false``) in the same
transaction that stores the response: one code, one response, and nothing linking the two rows.

Storing is idempotent: an envelope its link already holds (a phone that lost the reply sends the
same bytes again) is acknowledged once more and not stored, and spends no code. A response's id is
a digest of its link and its envelope (:func:`response_id`), so that check is one primary-key
lookup, not a read of the link's envelopes inside the write lock; the id stays as unrelated to
arrival as a random one (every envelope carries a fresh ephemeral key).

A link's response cap is checked in that transaction too, after taking the link row's lock
(PostgreSQL: ``SELECT ... FOR NO KEY UPDATE``; SQLite: ``BEGIN IMMEDIATE``, the database's one write lock),
so two processes cannot both see room for the last response.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, Engine, func, insert, select, update

from survey.core.envelope import parse_header
from survey.server.database import session
from survey.server.links import today
from survey.server.models import AccessCode, Link, Response

MAX_BATCH = 256
WAIT_SECONDS = 30.0


class StorageRefused(ValueError):
    """The envelope does not belong to this survey's key."""


class CodeRefused(ValueError):
    """The one-time code is unknown for this link or already spent; nothing was stored."""


class LinkFull(ValueError):
    """The link reached its response cap while this response waited; nothing was stored."""


class StorageUnavailable(RuntimeError):
    """The database did not take the response; nothing was acknowledged."""


@dataclass(eq=False)
class _Pending:
    row: dict[str, Any]
    code_hash: str | None
    done: threading.Event = field(default_factory=threading.Event)
    refused: bool = False
    full: bool = False
    error: BaseException | None = None


class GroupCommitter:
    """One committer thread per process (restarted after a fork), fed by a queue."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid = -1

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, name="group-commit", daemon=True).start()
                self._pid = os.getpid()

    def commit(self, row: dict[str, Any], code_hash: str | None = None) -> None:
        """Block until ``row`` is committed; raise CodeRefused or StorageUnavailable otherwise."""
        self._ensure_thread()
        pending = _Pending(row, code_hash)
        self._queue.put(pending)
        if not pending.done.wait(WAIT_SECONDS):
            raise StorageUnavailable("the database did not answer in time")
        if pending.full:
            raise LinkFull("the link has reached its response cap")
        if pending.refused:
            raise CodeRefused("the one-time code is unknown or already used")
        if pending.error is not None:
            raise StorageUnavailable("the database refused the response") from pending.error

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except Exception:  # isolate the item that fails, keep the others
                for item in batch:
                    try:
                        self._write([item])
                    except Exception as exc:
                        item.error = exc
            for item in batch:
                item.done.set()

    def _write(self, batch: list[_Pending]) -> None:
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before counting (another process waits)
            else:
                # The insert's own lock before reading responses: holding only a read lock while
                # waiting for it would deadlock with a reshuffle's VACUUM FULL (reshuffle.py).
                conn.exec_driver_sql("LOCK TABLE responses IN ROW EXCLUSIVE MODE")
            # Room left on each capped link of the batch, counted under the link rows' locks. FOR NO
            # KEY UPDATE: it serialises writers of one link, yet lets a foreign-key check (a reshuffle
            # re-inserting responses, reshuffle.py) through, which FOR UPDATE would deadlock with.
            capped = conn.execute(
                select(Link.id, Link.response_cap)
                .where(Link.id.in_({item.row["link_id"] for item in batch}), Link.response_cap.is_not(None))
                .order_by(Link.id)
                .with_for_update(key_share=True)
            ).all()
            stored: dict[int, int] = dict(conn.execute(
                select(Response.link_id, func.count()).where(Response.link_id.in_([c.id for c in capped]))
                .group_by(Response.link_id)
            ).all()) if capped else {}
            room = {c.id: c.response_cap - stored.get(c.id, 0) for c in capped}
            sent = _already_stored(conn, batch)
            rows = []
            for item in batch:
                item.refused = item.full = False
                link_id = item.row["link_id"]
                if item.row["id"] in sent:
                    continue  # sent again (a lost reply): acknowledged, not stored again, no code spent
                if room.get(link_id, 1) <= 0:
                    item.full = True
                    continue
                if item.code_hash is not None:
                    spent = conn.execute(
                        update(AccessCode)
                        .where(
                            AccessCode.code_hash == item.code_hash,
                            AccessCode.link_id == item.row["link_id"],
                            AccessCode.used.is_(False),
                        )
                        .values(used=True)
                    )
                    if spent.rowcount != 1:
                        item.refused = True
                        continue
                if link_id in room:
                    room[link_id] -= 1
                rows.append(item.row)
                sent.add(item.row["id"])
            if rows:
                conn.execute(insert(Response), rows)


def response_id(link_id: int, envelope: bytes) -> str:
    """The id of the response ``envelope`` makes on link ``link_id``: 128 bits of SHA-256 over both.
    The same bytes sent again get the same id; the same bytes on another link are another response."""
    return hashlib.sha256(b"run-survey response v1\0" + str(link_id).encode() + b"\0" + envelope).hexdigest()[:32]


def _already_stored(conn: Connection, batch: list[_Pending]) -> set[str]:
    """The ids of the batch's responses that are stored already (see :func:`response_id`)."""
    ids = {item.row["id"] for item in batch}
    return set(conn.scalars(select(Response.id).where(Response.id.in_(ids))))


def init_app(app: Flask, engine: Engine) -> None:
    app.extensions["group_committer"] = GroupCommitter(engine)


def store_response(link: Link, envelope: bytes, code_hash: str | None = None) -> None:
    """Check the envelope's shape and key id, then commit it; returns only after the commit."""
    header = parse_header(envelope)
    if header.key_id_hex != link.survey.key_id:
        raise StorageRefused("sealed to another key than this survey's")
    row = {
        "id": response_id(link.id, envelope),
        "survey_id": link.survey_id,
        "link_id": link.id,
        "received_on": today(),
        "key_id": header.key_id_hex,
        "envelope": bytes(envelope),
    }
    # The request's own read transaction ends before it waits: a lock it held (say on access_codes,
    # from checking the code) would hold up a reshuffle's VACUUM FULL, which the committer's write
    # then queues behind: a wait no database can see as a deadlock.
    session().commit()
    current_app.extensions["group_committer"].commit(row, code_hash)
