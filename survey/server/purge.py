"""Holding less for less time: a survey's ciphertexts leave the server once the analyst has them.

The analyst decrypts an export offline; ``survey-analyst`` prints the export file's SHA-256. An
admin types that digest into the console, which purges the survey's responses only when it is
the digest of this survey's latest export, no response arrived after that export, and the survey
is closed (so none can arrive after the purge). The rows are deleted and the database is then
reshuffled (survey/server/reshuffle.py): the file is rebuilt without the freed pages and the
write-ahead log emptied, so no byte of those envelopes stays in the database's files."""

from __future__ import annotations

import enum
import hmac

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from survey.server.links import today
from survey.server.models import Response, Survey
from survey.server.reshuffle import reshuffle


class Refusal(enum.Enum):
    """Why a purge was refused; nothing was deleted."""

    OPEN = "open"
    NO_EXPORT = "no export"
    OTHER_DIGEST = "other digest"
    NEWER_RESPONSES = "newer responses"


class PurgeRefused(ValueError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def normalise_digest(text: str) -> str:
    """A SHA-256 as typed or pasted: spaces and case do not matter."""
    return "".join(text.split()).lower()


def purge(s: Session, engine: Engine, survey: Survey, confirmed_sha256: str) -> int:
    """Delete ``survey``'s responses once the analyst confirmed its latest export; returns how
    many were deleted. The caller records it in the audit log; this commits and reshuffles."""
    if survey.is_open:
        raise PurgeRefused(Refusal.OPEN)
    if not survey.export_sha256 or survey.export_records is None:
        raise PurgeRefused(Refusal.NO_EXPORT)
    if not hmac.compare_digest(normalise_digest(confirmed_sha256), survey.export_sha256):
        raise PurgeRefused(Refusal.OTHER_DIGEST)
    stored = s.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)) or 0
    if stored != survey.export_records:
        raise PurgeRefused(Refusal.NEWER_RESPONSES)
    s.execute(delete(Response).where(Response.survey_id == survey.id))
    survey.purged_on = today()
    s.commit()
    reshuffle(engine)
    return stored
