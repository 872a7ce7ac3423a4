"""Who may see what in the console: admins everything, coordinators their assigned surveys."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.server.models import Assignment, Link, Survey, User


def may_see(s: Session, user: User, survey: Survey) -> bool:
    if user.is_admin:
        return True
    return s.scalar(
        select(Assignment.id).where(Assignment.user_id == user.id, Assignment.survey_id == survey.id)
    ) is not None


def visible_surveys(s: Session, user: User) -> list[Survey]:
    query = select(Survey).order_by(Survey.id.desc())
    if not user.is_admin:
        query = query.join(Assignment, Assignment.survey_id == Survey.id).where(Assignment.user_id == user.id)
    return list(s.scalars(query))


def survey_or_404(s: Session, user: User, survey_id: int) -> Survey:
    """The survey if ``user`` may see it; 404 otherwise (whether it exists is not revealed)."""
    survey = s.get(Survey, survey_id)
    if survey is None or not may_see(s, user, survey):
        abort(404)
    return survey


def link_or_404(s: Session, user: User, link_id: int) -> Link:
    link = s.get(Link, link_id)
    if link is None or not may_see(s, user, link.survey):
        abort(404)
    return link


def require_admin(user: User) -> None:
    if not user.is_admin:
        abort(403)
