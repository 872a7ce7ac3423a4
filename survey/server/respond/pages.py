"""The questionnaire page: the link it is opened through, its form class and its rendering."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template
from flask_babel import get_locale

from survey.core.envelope import format_key_id, public_key_raw
from survey.core.questionnaire import Questionnaire
from survey.server.database import session
from survey.server.links import LinkState, find_link, link_state
from survey.server.models import Link
from survey.server.respond.forms import build_form_class, question_messages

STATUS = {
    LinkState.UNKNOWN: 404,
    LinkState.REVOKED: 410,
    LinkState.EXPIRED: 410,
    LinkState.FULL: 410,
    LinkState.CLOSED: 410,
}


def questionnaire_of(link: Link) -> Questionnaire:
    return current_app.extensions["questionnaires"][link.survey.questionnaire_key]


def form_class(q: Questionnaire) -> type[Any]:
    """The questionnaire's WTForms class in the request's language, built once per app.

    Its labels are translated when it is built, so it is kept per (questionnaire, locale): a
    bounded number of classes, reused on every page view and submission."""
    cache: dict[tuple[str, str], type[Any]] = current_app.extensions.setdefault("form_classes", {})
    key = (q.key, page_language())
    found = cache.get(key)
    if found is None:
        found = cache.setdefault(key, build_form_class(q))
    return found


def open_link(token: str) -> Link:
    """The link if it takes responses now; otherwise abort with a page that says why."""
    link = find_link(session(), token)
    state = link_state(session(), link)
    if state is not LinkState.OPEN:
        abort(STATUS[state], description=state.value)
    assert link is not None
    return link


def page_language() -> str:
    """The language this page is shown in."""
    return str(get_locale())


def render_form(link: Link, form: Any, status: int = 200, unexpected: bool = False) -> tuple[str, int]:
    q = questionnaire_of(link)
    keyring = current_app.extensions["keyring"]
    key = keyring[link.survey.key_id].key if link.survey.key_id in keyring else None
    return (
        render_template(
            "respond/questionnaire.html",
            q=q,
            form=form,
            link=link,
            survey=link.survey,
            key_id=link.survey.key_id,
            key_id_display=format_key_id(link.survey.key_id),
            public_key=public_key_raw(key).hex() if key else "",
            unexpected=unexpected,
            messages=question_messages,
            locale=page_language(),
        ),
        status,
    )
