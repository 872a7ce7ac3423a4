"""Folders and files that only the server's own user may read: the instance folder, its secret
key, and an SQLite database with its -wal, -shm and -journal files.

Modes are set explicitly (a folder 0700, a file 0600), so the process umask does not matter, and
files an older version left readable by others are narrowed at start. Only what this user owns is
changed: a shared parent folder (say /srv) is never touched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: The files SQLite keeps next to a database (it gives them the database file's mode when it
#: creates them, whatever the umask).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _narrow(path: Path, mode: int) -> None:
    """``path`` to exactly ``mode`` if this user owns it and it is not that already."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != mode:
        path.chmod(mode)


def private_folder(path: Path) -> None:
    """Make ``path`` (and missing parents) if needed, and leave ``path`` itself at 0700."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _narrow(path, FOLDER_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty if missing, and leave it at 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _narrow(path, FILE_MODE)


def private_sqlite_database(database: Path) -> None:
    """Before SQLite opens ``database``: the file exists at 0600 (so its -wal and -shm are made
    0600 too), and companions an older run left behind are narrowed to 0600. A missing parent
    folder is made 0700; an existing one is left as it is (it may be shared)."""
    if not database.parent.exists():
        private_folder(database.parent)
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        _narrow(database.with_name(database.name + suffix), FILE_MODE)
