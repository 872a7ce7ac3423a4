"""Staff accounts: scrypt password hashes, login throttling and the console session.

The session cookie holds only the account id and its session epoch; bumping the epoch (log out,
password change, disable) ends every older session of that account, copies of its cookie included.
A cookie is good for SESSION_LIFETIME after it was last written, however long the browser keeps it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import g, session
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.server.database import NUL
from survey.server.models import User
from survey.server.web.i18n import CONSOLE_LANGUAGE
from survey.server.web.ratelimit import RateLimiter, app_limiter

#: scrypt cost: 2**15 × 8 × 128 bytes = 32 MiB of memory per hash, about 0.1 s on a laptop core.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD = 10
#: The length of User.username (String(80)): PostgreSQL refuses a longer name, SQLite would keep it.
MAX_USERNAME = 80
#: Failed logins allowed per client and account name in a throttle window, and the window in
#: seconds. Counted per client (its address, an IPv6 client by its /64) so that wrong passwords
#: sent by an outsider stop the outsider, never the account's owner on another connection.
LOGIN_FAILURES = 5
#: Failed logins allowed per client over all account names in a window: one client cannot spread
#: its guesses over many accounts (or many spellings of one).
LOGIN_FAILURES_PER_CLIENT = 20
LOGIN_WINDOW = 15 * 60
#: How long a console session cookie is accepted after it was signed: a working day. (Flask checks
#: it on every request, even for a cookie the browser keeps only until it closes.)
SESSION_LIFETIME = dt.timedelta(hours=8)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * r * n + 1024 * 1024)


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n$r$p$salt$hash``: the parameters travel with the hash so they can be raised later."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, n, r, p, HASH_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(stored: str, password: str) -> bool:
    """Constant-time comparison of ``password`` against a stored hash; False for anything malformed."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


def login_limiter() -> RateLimiter:
    """Failures per (client, account name)."""
    return app_limiter("login_limiter", LOGIN_FAILURES, LOGIN_WINDOW)


def client_login_limiter() -> RateLimiter:
    """Failures per client, whatever the account name."""
    return app_limiter("login_client_limiter", LOGIN_FAILURES_PER_CLIENT, LOGIN_WINDOW)


def normalise_username(name: str) -> str:
    return name.strip().lower()


def find_user(s: Session, username: str) -> User | None:
    if NUL in username:  # no account has one; PostgreSQL would refuse the query
        return None
    return s.scalar(select(User).where(func.lower(User.username) == normalise_username(username)))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False


def authenticate(s: Session, username: str, password: str, client: str) -> LoginResult:
    """Check a login from ``client`` (a rate-limit key, see ratelimit.request_client). After
    LOGIN_FAILURES failures for one account name from this client, or LOGIN_FAILURES_PER_CLIENT
    for any names, refuse this client for the window, before any password work.

    The counts live in memory only, keyed by a salted HMAC that changes every window (see
    ratelimit.py): neither the address nor the name is kept."""
    key = f"{client}\n{normalise_username(username)}"
    per_account, per_client = login_limiter(), client_login_limiter()
    if per_account.blocked(key) or per_client.blocked(client):
        return LoginResult(None, throttled=True)
    user = find_user(s, username)
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    if not ok or user is None or not user.is_active:
        per_account.hit(key)
        per_client.hit(client)
        return LoginResult(None)
    per_account.reset(key)
    return LoginResult(user)


def create_user(s: Session, username: str, password: str, is_admin: bool = False) -> User:
    user = User(username=username.strip(), password_hash=hash_password(password), is_admin=is_admin,
                is_active=True, session_epoch=0)
    s.add(user)
    s.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1


def _clear_session() -> None:
    """Forget the session, all but the language chosen with the console's switcher."""
    language = session.get(CONSOLE_LANGUAGE)
    session.clear()
    if isinstance(language, str):
        session[CONSOLE_LANGUAGE] = language


def log_in(user: User) -> None:
    _clear_session()
    session["uid"] = user.id
    session["epoch"] = user.session_epoch


def log_out(user: User) -> None:
    """End this session and, by moving the account's epoch on, every other session of the account
    and every copy of its cookie: a cookie lives in the browser, so only the server can end it."""
    user.session_epoch = (user.session_epoch or 0) + 1
    _clear_session()


def current_user(s: Session) -> User | None:
    """The logged-in, active account whose session epoch still matches; cached per request."""
    if "console_user" in g:
        return g.console_user
    user = None
    uid = session.get("uid")
    if isinstance(uid, int):
        found = s.get(User, uid)
        if found is not None and found.is_active and found.session_epoch == session.get("epoch"):
            user = found
        else:
            _clear_session()
    g.console_user = user
    return user
