"""The staff audit log: day, account, action, detail. Never anything about respondents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.server.links import today
from survey.server.models import AuditEntry


def record(s: Session, username: str, action: str, detail: str = "") -> None:
    """Add an entry to the caller's transaction (committed with the action it describes)."""
    s.add(AuditEntry(day=today(), username=username, action=action, detail=detail[:500]))


def recent(s: Session, limit: int = 200) -> list[AuditEntry]:
    return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
