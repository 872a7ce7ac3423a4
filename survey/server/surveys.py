"""Creating surveys and links: used by the demo command, the console and the tests alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from survey.core.questionnaire import Questionnaire
from survey.server.models import Link, Survey


def create_survey(
    session: Session, q: Questionnaire, key_id: str, title: str, languages: list[str]
) -> Survey:
    survey = Survey(
        title=title,
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        key_id=key_id,
        languages=" ".join(languages),
        is_open=True,
    )
    session.add(survey)
    session.flush()
    return survey


def create_link(
    session: Session,
    survey: Survey,
    label: str,
    expires_on: dt.date | None = None,
    response_cap: int | None = None,
    requires_code: bool = False,
) -> Link:
    link = Link(
        survey_id=survey.id,
        label=label,
        expires_on=expires_on,
        response_cap=response_cap,
        requires_code=requires_code,
        revoked=False,
    )
    session.add(link)
    session.flush()
    return link
