"""Respondent views: the questionnaire page and its two submit paths."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as HttpResponse

from survey.core import sealed_document
from survey.core.envelope import MAX_ENVELOPE_SIZE, EnvelopeError, seal
from survey.core.questionnaire import AnswerError, Answers, Questionnaire
from survey.server import sent_forms
from survey.server.database import session
from survey.server.models import Link
from survey.server.respond import code_step, paging
from survey.server.respond.blueprint import bp
from survey.server.respond.forms import answers_from_form, field_names
from survey.server.respond.pages import form_class, open_link, page_language, questionnaire_of, render_form, step_plan
from survey.server.storage import CodeRefused, LinkFull, StorageRefused, StorageUnavailable, store_response
from survey.server.web.i18n import not_understood


@bp.get("/s/<token>")
def questionnaire(token: str) -> Any:
    link = open_link(token)
    if not_understood():
        # The phone asks for languages the survey has none of: the language comes first.
        return render_template("respond/choose_language.html", link=link)
    if link.requires_code:
        return code_step.code_page(link)  # the one-time code comes first: see respond/code_step.py
    form = form_class(questionnaire_of(link))()
    return render_form(link, form)


@bp.post("/s/<token>")
def submit_form(token: str) -> Any:
    """The no-JavaScript path, a page at a time (respond/paging.py): check the page, show the
    next; at the end validate everything, seal in memory, store only the envelope."""
    link = open_link(token)
    if link.requires_code:
        stopped = code_step.paused_page(link)
        if stopped is not None:
            return stopped
        if not code_step.accept(link, request.form.get(code_step.FIELD, "")):
            return code_step.code_page(link, 403, refused=True)
    q = questionnaire_of(link)
    form_type = form_class(q)
    token = request.form.get(sent_forms.FIELD, "")
    if token and sent_forms.was_sent(session(), current_app.config["SECRET_KEY"], token):
        return _thanks()  # an earlier page of a form already sent (Back, then Reload): show no answer
    if token and not sent_forms.current(token):
        return render_form(link, form_type(), status=400, expired=True)
    form = form_type(request.form)
    allowed = field_names(form) | {"lang", code_step.FIELD, sent_forms.FIELD} | paging.FIELDS
    if set(request.form) - allowed:
        return render_form(link, form_type(), status=400, unexpected=True, form_token=token or None)
    steps = step_plan(q)
    at, go = paging.posted_page(steps, request.form), paging.where_to(steps, request.form)
    carried = token or sent_forms.new_token()  # one token for all the pages of this form
    if isinstance(go, int) or go == paging.STAY:  # Back, "Change", another language: nothing is checked
        return _page(link, q, form, carried, go if isinstance(go, int) else at)
    try:
        answers = answers_from_form(q, form)
    except AnswerError:
        if go == paging.NEXT and not paging.first_page_with_errors({c: s for c, s in steps.items() if s == at}, form):
            paging.keep_errors_of(form, ())
            return _page(link, q, form, carried, at + 1)
        wrong = paging.first_page_with_errors(steps, form) or at
        paging.keep_errors_of(form, paging.on_page(steps, wrong))
        return render_form(link, form, status=400, form_token=carried, page=wrong)
    if go == paging.NEXT:
        return _page(link, q, form, carried, at + 1, answers)
    keyring = current_app.extensions["keyring"]
    if link.survey.key_id not in keyring:
        abort(503, description="key")
    envelope = seal(sealed_document.encode(q, page_language(), answers), keyring[link.survey.key_id].key, link.survey.uid)
    code_hash = code_step.code_to_spend(link) if link.requires_code else None
    if link.requires_code and code_hash is None:
        return code_step.code_page(link, 403, refused=True)
    try:
        store_response(link, envelope, code_hash)  # the code is spent in the response's transaction
    except CodeRefused:
        code_step.refused(link)
        return code_step.code_page(link, 403, refused=True)
    except LinkFull:
        abort(410, description="full")  # the cap was reached while this one waited
    except StorageUnavailable:
        abort(503, description="storage")
    if token:
        sent_forms.mark_sent(session(), current_app.config["SECRET_KEY"], token)
    return _thanks()


def _page(link: Link, q: Questionnaire, form: Any, token: str, page: int, answers: Answers | None = None) -> Any:
    """Page ``page`` of the plain form, with every answer so far in it; the last page ("Send your
    answers") only once every answer is valid, its "Check your answers" filled from them."""
    steps = step_plan(q)
    if page >= paging.review_page(steps):
        if answers is None:
            try:
                answers = answers_from_form(q, form)
            except AnswerError:
                wrong = paging.first_page_with_errors(steps, form) or 1
                paging.keep_errors_of(form, paging.on_page(steps, wrong))
                return render_form(link, form, status=400, form_token=token, page=wrong)
        review = paging.review_rows(q, steps, form, answers)
        return render_form(link, form, form_token=token, page=paging.review_page(steps), review=review)
    return render_form(link, form, form_token=token, page=page)


def _thanks() -> HttpResponse:
    return redirect(url_for("respond.thanks", lang=page_language()), code=303)


@bp.post("/s/<token>/sealed")
def submit_sealed(token: str) -> Any:
    """The JavaScript path: the body is the raw envelope, sealed in the browser."""
    link = open_link(token)
    if request.mimetype != "application/octet-stream":
        return jsonify(error="send the envelope as application/octet-stream"), 415
    body = request.get_data(cache=False)
    if len(body) > MAX_ENVELOPE_SIZE:
        return jsonify(error="too large"), 413
    if link.requires_code and code_step.paused(link):
        return jsonify(error="too many codes"), 429
    code_hash = code_step.code_to_spend(link, request.headers.get(code_step.HEADER, "")) if link.requires_code else None
    if link.requires_code and code_hash is None:
        return jsonify(error="access code"), 403
    try:
        store_response(link, body, code_hash)
    except (EnvelopeError, StorageRefused) as exc:
        return jsonify(error=str(exc)), 400
    except CodeRefused:
        code_step.refused(link)
        return jsonify(error="access code"), 403
    except LinkFull:
        abort(410, description="full")
    except StorageUnavailable:
        return jsonify(error="storage unavailable, nothing was stored"), 503
    return jsonify(status="stored"), 201


@bp.get("/thanks")
def thanks() -> Any:
    return render_template("respond/thanks.html")


@bp.get("/")
def index() -> Any:
    return render_template("respond/index.html")
