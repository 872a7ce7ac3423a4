"""The questionnaire page: the link it is opened through, its form class and its rendering."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from flask import abort, current_app, g, render_template, url_for
from flask_babel import get_locale

from survey.core.envelope import format_key_id, public_key_raw
from survey.core.questionnaire import Question, Questionnaire, entry_constants, entry_rules
from survey.server import sent_forms
from survey.server.database import session
from survey.server.language_reviews import respondent_languages
from survey.server.links import LinkState, find_link, link_state
from survey.server.models import Link
from survey.server.questionnaire_texts import respondent_translator
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
        translate = respondent_translator(q, page_language())  # an imported form: its own translations
        found = cache.setdefault(key, build_form_class(q, translate, lang=page_language()))
    return found


#: How tall a step may be, in CSS pixels at 360 px wide, as estimated from the English text: about
#: two screens of 640 px in English, so that longer languages stay within about three
#: (tests/test_browser_journey.py measures every step in every language). The first step also
#: holds the title and the introduction.
STEP_HEIGHT = 1300
FIRST_STEP_HEIGHT = 1000


def estimated_height(question: Question) -> int:
    """A question's height on a 360 px phone, estimated from its English text."""
    lines = math.ceil(len(question.text) / 32) + (math.ceil(len(question.help) / 36) if question.help else 0)
    controls = 0
    if question.type in ("single", "multiple", "scale"):
        controls = 52 * (len(question.choices()) + question.prefer_not_to_say)
    else:
        long_text = question.type == "text" and (question.max_length or 0) > 120
        controls = (150 if long_text else 80) + 52 * question.prefer_not_to_say
    return 50 + 28 * lines + controls


def step_plan(q: Questionnaire) -> dict[str, int]:
    """The step (1, 2, ...) each question is shown on with JavaScript: a section per step, a
    long section split into steps of about STEP_HEIGHT. Built once per questionnaire."""
    plans: dict[str, dict[str, int]] = current_app.extensions.setdefault("step_plans", {})
    plan = plans.get(q.key)
    if plan is not None:
        return plan
    plan, step = {}, 0
    for section in q.sections:
        step, used = step + 1, 0
        for question in section.questions:
            height = estimated_height(question)
            budget = FIRST_STEP_HEIGHT if step == 1 else STEP_HEIGHT
            if used and used + height > budget:
                step, used = step + 1, 0
            plan[question.code] = step
            used += height
    return plans.setdefault(q.key, plan)


def open_link(token: str) -> Link:
    """The link if it takes responses now; otherwise abort with a page that says why."""
    link = find_link(session(), token)
    state = link_state(session(), link)
    if state is not LinkState.OPEN:
        abort(STATUS[state], description=state.value)
    assert link is not None
    g.survey_leave_url = link.survey.leave_url  # for "Leave quickly" (survey.server.web.i18n)
    g.survey_languages = respondent_languages(link.survey)  # the languages offered (web/i18n.available)
    return link


def page_language() -> str:
    """The language this page is shown in."""
    return str(get_locale())


def render_form(
    link: Link, form: Any, status: int = 200, unexpected: bool = False, expired: bool = False,
    form_token: str | None = None, page: int = 1, review: list[Any] | None = None,
) -> tuple[str, int]:
    """The questionnaire page. ``form_token`` is the token of the form being shown again (errors,
    another language); a new form gets a new one (see survey/server/sent_forms.py). ``page`` is
    the page shown without JavaScript (survey/server/respond/paging.py; with it, the script shows
    the steps); a page after the first is the answer to a post, the plain form's own."""
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
            expired=expired,
            form_token=form_token or sent_forms.new_token(),
            form_token_field=sent_forms.FIELD,
            messages=partial(question_messages, translate=respondent_translator(q, page_language())),
            qt=respondent_translator(q, page_language()),  # the definition's texts in the page's language
            rules=entry_rules,
            entry_constants=entry_constants(),
            steps=step_plan(q),
            page=page,
            review_rows=review or [],
            plain=form_token is not None,
            language_url=lambda code: url_for("respond.questionnaire", token=link.token, lang=code),
            locale=page_language(),
        ),
        status,
    )
