"""Typed settings, read once from the environment and the instance folder."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from survey.server.private_files import FILE_MODE, private_file, private_folder

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
DEFAULT_KEYS_DIR = PROJECT_ROOT / "keys"
SECRET_FILE = "secret_key"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app can be configured with. Tests build one directly."""

    instance_path: Path
    database_url: str
    keys_dir: Path
    secret_key: str
    #: Counts below this (and whatever would let one be worked out) are hidden from coordinators
    #: and admins: survey/server/counts.py.
    count_threshold: int = 5
    #: Largest request body accepted, in bytes (an envelope is at most ~66 KiB raw, ~88 KiB base64).
    max_body_bytes: int = 128 * 1024
    #: Where "Leave quickly" sends the respondent; empty: a plain page in the respondent's
    #: language (survey.server.web.i18n.NEUTRAL_PAGES).
    leave_url: str = ""
    #: Public base URL used in QR codes and flyers; empty means "the URL of the request".
    public_base_url: str = ""
    #: POSTs to a submit endpoint allowed per client address per window (0: no limit). Counted in
    #: memory only, per process, under a salted hash that rotates every window (survey/ratelimit.py).
    submit_limit: int = 120
    #: The rate-limit window, in seconds.
    submit_window: int = 600
    #: Minutes between rewrites of the stored responses that erase their arrival order from the
    #: database's files (survey/server/reshuffle.py); the longest a seized server shows that order.
    #: 0 turns the schedule off (then run `flask --app wsgi reshuffle` from cron).
    reshuffle_minutes: float = 15
    #: Reverse proxies in front of the app that append to X-Forwarded-For (0: use the socket peer).
    #: Only used to tell clients apart for rate limiting; the address is never stored or logged.
    trusted_proxy_hops: int = 0
    debug: bool = False
    testing: bool = False
    languages: tuple[str, ...] = field(default=("en",))

    @classmethod
    def from_env(
        cls, instance_path: Path, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        env = os.environ
        instance_path = Path(instance_path)
        base = cls(
            instance_path=instance_path,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'survey.db'}",
            keys_dir=Path(env.get("SURVEY_KEYS_DIR") or DEFAULT_KEYS_DIR),
            secret_key=env.get("SECRET_KEY") or "",
            count_threshold=int(env.get("SURVEY_COUNT_THRESHOLD", "5")),
            public_base_url=env.get("SURVEY_PUBLIC_URL", "").rstrip("/"),
            leave_url=env.get("SURVEY_LEAVE_URL", ""),
            debug=env.get("FLASK_DEBUG", "") in ("1", "true"),
            submit_limit=int(env.get("SURVEY_SUBMIT_LIMIT", "120")),
            submit_window=int(env.get("SURVEY_SUBMIT_WINDOW", "600")),
            reshuffle_minutes=float(env.get("SURVEY_RESHUFFLE_MINUTES", "15")),
            trusted_proxy_hops=int(env.get("SURVEY_PROXY_HOPS", "0")),
        )
        if overrides:
            base = replace(base, **dict(overrides))
        if not base.secret_key:
            base = replace(base, secret_key=instance_secret(instance_path))
        if base.count_threshold < 1:
            raise ValueError("SURVEY_COUNT_THRESHOLD must be at least 1")
        return base


def instance_secret(instance_path: Path) -> str:
    """The secret key kept in the instance folder, made on first run (mode 0600, never committed)."""
    private_folder(instance_path)
    path = instance_path / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    private_file(path)  # 0600 whatever the umask, also when an older version made it
    return path.read_text().strip()
