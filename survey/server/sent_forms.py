"""The no-JavaScript questionnaire's form token: once its answers are sent, no earlier page of that
form shows them again.

Without JavaScript, a page that shows answers (one with validation errors, or the same form in
another language) is the answer to a POST. After the send, Back then Reload (Chromium's "Confirm
form resubmission", Firefox's "Document expired" then "Try again") sends that POST again, and the
server would show every answer to whoever holds the phone next. So each questionnaire page carries
a random token, ``<day>.<32 hex>``, kept across the error and language pages of one form. When the
form's answers are stored, a keyed hash of the token and the day go into ``sent_forms``, in a
transaction of their own after the response's (no transaction holds both); a POST whose token is
there gets the thank-you page, and nothing is stored or shown. A token older than
:data:`MAX_AGE_DAYS` shows no answers either (the empty form instead), so its marker can go:
markers are deleted once their tokens have expired. Nothing ties a marker to its response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.server.links import today
from survey.server.models import SentForm

#: The hidden field of the questionnaire form that carries the token.
FIELD = "form_token"
#: Days after the day it was issued that a token still shows its form's answers again.
MAX_AGE_DAYS = 1
_TOKEN = re.compile(r"([0-9]{6,7})\.([0-9a-f]{32})")


def new_token() -> str:
    """A fresh token for a new form: the day (as an ordinal, no time) and 128 random bits."""
    return f"{today().toordinal()}.{secrets.token_hex(16)}"


def current(token: str) -> bool:
    """True for a well-formed token issued today or up to MAX_AGE_DAYS ago."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return False
    age = today().toordinal() - int(match.group(1))
    return 0 <= age <= MAX_AGE_DAYS


def _key(secret: str, token: str) -> str:
    key = hmac.new(secret.encode(), b"run-survey sent form v1", hashlib.sha256).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def was_sent(s: Session, secret: str, token: str) -> bool:
    return s.scalar(select(SentForm.token_hash).where(SentForm.token_hash == _key(secret, token))) is not None


def mark_sent(s: Session, secret: str, token: str) -> None:
    """Record that the form of ``token`` was sent, and forget markers whose tokens have expired."""
    day = today()
    s.execute(delete(SentForm).where(SentForm.sent_on < day - dt.timedelta(days=MAX_AGE_DAYS)))
    try:
        s.execute(insert(SentForm).values(token_hash=_key(secret, token), sent_on=day))
        s.commit()
    except IntegrityError:  # the same form sent twice at once (a double tap): one marker is enough
        s.rollback()
