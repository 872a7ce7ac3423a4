"""Response counts for the console, with the one rule that hides small numbers.

Every count a coordinator or admin sees (page, breakdown, download) goes through :func:`shown`:
below the threshold k it is "fewer than k", never the number."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.server.models import Response, Survey


@dataclass(frozen=True, slots=True)
class Count:
    value: int
    k: int

    @property
    def hidden(self) -> bool:
        return self.value < self.k

    def __str__(self) -> str:
        if self.hidden:
            return gettext("fewer than %(k)d", k=self.k)
        return str(self.value)


def threshold() -> int:
    return int(current_app.config["SETTINGS"].count_threshold)


def shown(value: int, k: int | None = None) -> Count:
    """A count as it may be shown (zero too is "fewer than k": the rule has no exceptions)."""
    return Count(int(value), threshold() if k is None else k)


def per_link(s: Session, survey: Survey) -> dict[int, Count]:
    """Responses per distribution link of ``survey``, every link present (0 when none)."""
    rows = dict(
        s.execute(
            select(Response.link_id, func.count()).where(Response.survey_id == survey.id).group_by(Response.link_id)
        ).all()
    )
    return {link.id: shown(rows.get(link.id, 0)) for link in survey.links}


def per_survey(s: Session, surveys: list[Survey]) -> dict[int, Count]:
    ids = [survey.id for survey in surveys]
    rows = dict(
        s.execute(
            select(Response.survey_id, func.count()).where(Response.survey_id.in_(ids)).group_by(Response.survey_id)
        ).all()
    ) if ids else {}
    return {sid: shown(rows.get(sid, 0)) for sid in ids}


def export_allowed(s: Session, survey: Survey) -> bool:
    """The export file shows its number of records and each record's channel: offer it from the
    console only when neither the total nor any channel's count is below k (the command line
    `flask export` stays for the server operator)."""
    links = per_link(s, survey).values()
    total = sum(c.value for c in links)
    return total >= threshold() and not any(0 < c.value < c.k for c in links)
