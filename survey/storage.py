"""Storing a sealed response: the one place a response row is written."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .envelope import parse_header
from .links import today
from .models import Link, Response


class StorageRefused(ValueError):
    """The envelope does not belong to this survey's key."""


def store_response(session: Session, link: Link, envelope: bytes) -> None:
    """Check the envelope's shape and key id, then commit it. Returns only after the commit."""
    header = parse_header(envelope)
    if header.key_id_hex != link.survey.key_id:
        raise StorageRefused("sealed to another key than this survey's")
    session.add(
        Response(
            survey_id=link.survey_id,
            link_id=link.id,
            received_on=today(),
            key_id=header.key_id_hex,
            envelope=bytes(envelope),
        )
    )
    session.commit()
