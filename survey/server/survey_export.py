"""Building a survey's export file from the database (server side)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core import envelope
from survey.core import export_format as exportfile
from survey.core.questionnaire import Questionnaire
from survey.server.database import INTEGER_MAX, NUL
from survey.server.models import Link, Response, Survey
from survey.server.questionnaire_texts import translations_for


def manifest_for(survey: Survey, q: Questionnaire) -> dict[str, object]:
    return {
        "survey": {"uid": survey.uid, "title": survey.title},
        "questionnaire": {
            "id": q.id,
            "version": q.version,
            "definition": q.source,
            # The labels in every language the survey offers, for the analyst's report (offline).
            "translations": translations_for(q, survey.language_list),
        },
        "key_id": survey.key_id,
        "envelope_version": envelope.VERSION,
        "suite": envelope.SUITE_NAME,
    }


def _records(session: Session, survey: Survey, before: dt.date | None) -> Iterator[exportfile.Record]:
    labels = dict(session.execute(select(Link.id, Link.label).where(Link.survey_id == survey.id)).all())
    query = select(Response.link_id, Response.envelope).where(Response.survey_id == survey.id)
    if before is not None:
        query = query.where(Response.received_on < before)
    # Ordered by the random response id: an order unrelated to arrival.
    rows = session.execute(
        query
        .order_by(Response.id)
        .execution_options(yield_per=1000)
    )
    for link_id, env in rows:
        yield exportfile.Record(labels.get(link_id, ""), bytes(env))


class _Digesting:
    """A binary stream that passes writes on and hashes them (the export's SHA-256 as written)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)


def write_export(session: Session, survey: Survey, q: Questionnaire, out: IO[bytes],
                 before: dt.date | None = None) -> int:
    """Write the export; the survey remembers its SHA-256 and record count (the caller commits),
    which the analyst's confirmation must match before the ciphertexts can be purged.

    ``before``: only the responses that arrived before that day (the console's export holds the
    responses its counts show, survey.server.counts); the operator's ``flask export`` takes all."""
    digesting = _Digesting(out)
    count = exportfile.write(digesting, manifest_for(survey, q), _records(session, survey, before))
    survey.export_sha256 = digesting.digest.hexdigest()
    survey.export_records = count
    return count


def find_survey(session: Session, ref: str) -> Survey | None:
    """A survey by its public uid, or by its number in the console."""
    if NUL in ref:  # no uid has one; PostgreSQL would refuse the query
        return None
    found = session.scalar(select(Survey).where(Survey.uid == ref))
    if found is None and ref.isdigit() and int(ref) <= INTEGER_MAX:
        found = session.get(Survey, int(ref))
    return found
