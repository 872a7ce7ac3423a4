"""Whether a distribution link may take a response now, and why not."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from survey.server.link_tokens import stored_forms
from survey.server.models import Link, Response


class LinkState(enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    FULL = "full"
    CLOSED = "closed"


def today() -> dt.date:
    """The current day in UTC: the only time the server ever records about a response."""
    return dt.datetime.now(dt.UTC).date()


def link_state(session: Session, link: Link | None) -> LinkState:
    if link is None:
        return LinkState.UNKNOWN
    if link.revoked:
        return LinkState.REVOKED
    if not link.survey.is_open:
        return LinkState.CLOSED
    if link.expires_on is not None and today() > link.expires_on:
        return LinkState.EXPIRED
    if link.response_cap is not None:
        count = session.scalar(select(func.count()).select_from(Response).where(Response.link_id == link.id))
        if (count or 0) >= link.response_cap:
            return LinkState.FULL
    return LinkState.OPEN


#: One query for the link and its survey, built once: it runs on every respondent request. An
#: address names at most two stored forms (survey.server.link_tokens.stored_forms), of different
#: lengths, so at most one link matches.
_LINK_BY_TOKEN = (select(Link).options(joinedload(Link.survey))
                  .where(Link.token.in_(bindparam("tokens", expanding=True))))


def find_link(session: Session, token: str) -> Link | None:
    """The link an address names: a new token in any case, grouped or not, with look-alikes
    read as digits; an old token exactly as made. Anything else is no link, whatever the engine."""
    forms = stored_forms(token)
    if not forms:
        return None
    return session.scalar(_LINK_BY_TOKEN, {"tokens": forms})
