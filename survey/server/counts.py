"""Response counts for the console: the one place that decides which figure a coordinator or admin sees.

Every figure about responses that the console shows (each survey's total on the list of surveys
and on its page, each link's count on the survey's page, on its one-time-code page and in
counts.csv, whether the export is offered, and the export file itself, whose records can be
counted per link) comes from :func:`survey_counts` or :func:`survey_totals`, and they are
protected together, so that no count between 1 and k-1, and no zero, can be shown or worked out
from any combination of them:

- The day's snapshot. Counts take the responses that arrived before today (UTC), from the day a
  response is stored with (no time of day exists). Today's responses, and junk sent today to find
  a small count by the change it makes, move no figure before tomorrow; the console's export
  holds the same responses.
- A survey's total is shown when it is k or more, and "fewer than k" otherwise (0 too). It is the
  same figure on the list of surveys and on the survey's page.
- A survey's links are one table whose total is that total: the shared one-way suppression
  (``survey.core.suppression.suppress_1d`` with ``hide_zeros``) hides every link below k, zero
  included, and at least one more link, so that no hidden count can be worked out from the total
  and the counts still shown, even by someone who knows the rule. When the total is below k every
  link reads "fewer than k"; otherwise a hidden link reads "not shown", whether it is small or
  hidden to protect a small one.
- The export is offered exactly when the total and every link's count are shown: the file then
  shows nothing the page does not (records per link are the counts on the page). A link with no
  response yet therefore holds the export back like a small one: offering it would tell the zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.core.suppression import PUBLISHED, suppress_1d
from survey.server.links import today
from survey.server.models import Response, Survey


@dataclass(frozen=True, slots=True)
class Count:
    """A figure as the console shows it. A hidden figure keeps no number, so that no template or
    download can print one by mistake."""

    shown: int | None
    k: int
    #: Hidden because the survey's whole total is below k: reads "fewer than k".
    below_k: bool = False

    @property
    def hidden(self) -> bool:
        return self.shown is None

    def __str__(self) -> str:
        if self.shown is not None:
            return str(self.shown)
        if self.below_k:
            return gettext("fewer than %(k)d", k=self.k)
        return gettext("not shown")


@dataclass(frozen=True, slots=True)
class SurveyCounts:
    """A survey's figures, protected together: its total and one figure per link id."""

    total: Count
    links: dict[int, Count]

    @property
    def export_allowed(self) -> bool:
        """The export's records per link are the counts on the page: offer it only when they are all shown."""
        return not self.total.hidden and not any(c.hidden for c in self.links.values())


def threshold() -> int:
    return int(current_app.config["SETTINGS"].count_threshold)


def counted_before() -> dt.date:
    """Counts, and the console's export, take the responses that arrived before this day."""
    return today()


def _total(value: int, k: int) -> Count:
    return Count(value, k) if value >= k else Count(None, k, below_k=True)


def protect(per_link: Sequence[int], k: int) -> tuple[Count, list[Count]]:
    """The figures to show for a survey whose links (oldest first) hold ``per_link`` responses."""
    total = _total(sum(per_link), k)
    if total.hidden:
        return total, [Count(None, k, below_k=True) for _n in per_link]
    status = suppress_1d(per_link, k, hide_zeros=True)
    return total, [Count(n if s == PUBLISHED else None, k) for n, s in zip(per_link, status, strict=True)]


def survey_counts(s: Session, survey: Survey, before: dt.date | None = None) -> SurveyCounts:
    """The survey's total and each link's figure, of the responses that arrived before ``before``
    (default: today)."""
    rows = dict(s.execute(
        select(Response.link_id, func.count())
        .where(Response.survey_id == survey.id, Response.received_on < (before or counted_before()))
        .group_by(Response.link_id)
    ).all())
    links = sorted(survey.links, key=lambda link: link.id)
    total, figures = protect([int(rows.get(link.id, 0)) for link in links], threshold())
    return SurveyCounts(total, {link.id: c for link, c in zip(links, figures, strict=True)})


def survey_totals(s: Session, surveys: list[Survey]) -> dict[int, Count]:
    """Each survey's total, for the list of surveys: the same figure as on the survey's page."""
    ids = [survey.id for survey in surveys]
    rows = dict(s.execute(
        select(Response.survey_id, func.count())
        .where(Response.survey_id.in_(ids), Response.received_on < counted_before())
        .group_by(Response.survey_id)
    ).all()) if ids else {}
    k = threshold()
    return {sid: _total(int(rows.get(sid, 0)), k) for sid in ids}


def export_allowed(s: Session, survey: Survey, before: dt.date | None = None) -> bool:
    """Whether the console offers the export of the responses that arrived before ``before``
    (``flask export`` stays for the server's operator)."""
    return survey_counts(s, survey, before).export_allowed
