"""Respondent views. No cookies, no session, nothing about the visitor is read or kept."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from .. import plaintext
from ..db import session
from ..envelope import EnvelopeError, MAX_ENVELOPE_SIZE, format_key_id, public_key_raw, seal
from ..links import LinkState, find_link, link_state
from ..models import Link
from ..questionnaire import AnswerError, Questionnaire
from ..ratelimit import RateLimiter, client_address
from ..storage import CodeRefused, StorageRefused, StorageUnavailable, store_response
from . import access, bp
from .forms import answers_from_form, build_form_class, field_names, question_messages

STATUS = {
    LinkState.UNKNOWN: 404,
    LinkState.REVOKED: 410,
    LinkState.EXPIRED: 410,
    LinkState.FULL: 410,
    LinkState.CLOSED: 410,
}


def _questionnaire(link: Link) -> Questionnaire:
    return current_app.extensions["questionnaires"][link.survey.questionnaire_key]


def _form_class(q: Questionnaire) -> type[Any]:
    """The questionnaire's WTForms class in the request's language, built once per app.

    Its labels are translated when it is built, so it is kept per (questionnaire, locale): a
    bounded number of classes, reused on every page view and submission."""
    cache: dict[tuple[str, str], type[Any]] = current_app.extensions.setdefault("form_classes", {})
    key = (q.key, _lang())
    found = cache.get(key)
    if found is None:
        found = cache.setdefault(key, build_form_class(q))
    return found


def _open_link(token: str) -> Link:
    """The link if it takes responses now; otherwise abort with a page that says why."""
    link = find_link(session(), token)
    state = link_state(session(), link)
    if state is not LinkState.OPEN:
        abort(STATUS[state], description=state.value)
    assert link is not None
    return link


def _lang() -> str:
    return str(get_locale())


def _render_form(link: Link, form: Any, status: int = 200, unexpected: bool = False) -> tuple[str, int]:
    q = _questionnaire(link)
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
            locale=_lang(),
        ),
        status,
    )


@bp.get("/s/<token>")
def questionnaire(token: str) -> Any:
    link = _open_link(token)
    if link.requires_code:
        return access.code_page(link)  # the one-time code comes first: see respond/access.py
    form = _form_class(_questionnaire(link))()
    return _render_form(link, form)


@bp.post("/s/<token>")
def submit_form(token: str) -> Any:
    """The no-JavaScript path: validate, seal in memory, store only the envelope."""
    link = _open_link(token)
    if link.requires_code and not access.accept(link, request.form.get(access.FIELD, "")):
        return access.code_page(link, 403, refused=True)
    q = _questionnaire(link)
    form_class = _form_class(q)
    form = form_class(request.form)
    allowed = field_names(form) | {"lang", access.FIELD}
    if set(request.form) - allowed:
        return _render_form(link, form_class(), status=400, unexpected=True)
    if not form.validate():
        return _render_form(link, form, status=400)
    try:
        answers = answers_from_form(q, form)
    except AnswerError:
        return _render_form(link, form, status=400)
    keyring = current_app.extensions["keyring"]
    if link.survey.key_id not in keyring:
        abort(503, description="key")
    envelope = seal(plaintext.encode(q, _lang(), answers), keyring[link.survey.key_id].key, link.survey.uid)
    code_hash = access.code_to_spend(link) if link.requires_code else None
    if link.requires_code and code_hash is None:
        return access.code_page(link, 403, refused=True)
    try:
        store_response(link, envelope, code_hash)  # the code is spent in the response's transaction
    except CodeRefused:
        access.refused(link)
        return access.code_page(link, 403, refused=True)
    except StorageUnavailable:
        abort(503, description="storage")
    return redirect(url_for("respond.thanks", lang=_lang()), code=303)


@bp.post("/s/<token>/sealed")
def submit_sealed(token: str) -> Any:
    """The JavaScript path: the body is the raw envelope, sealed in the browser."""
    link = _open_link(token)
    if request.mimetype != "application/octet-stream":
        return jsonify(error="send the envelope as application/octet-stream"), 415
    body = request.get_data(cache=False)
    if len(body) > MAX_ENVELOPE_SIZE:
        return jsonify(error="too large"), 413
    code_hash = access.code_to_spend(link, request.headers.get(access.HEADER, "")) if link.requires_code else None
    if link.requires_code and code_hash is None:
        return jsonify(error="access code"), 403
    try:
        store_response(link, body, code_hash)
    except (EnvelopeError, StorageRefused) as exc:
        return jsonify(error=str(exc)), 400
    except CodeRefused:
        access.refused(link)
        return jsonify(error="access code"), 403
    except StorageUnavailable:
        return jsonify(error="storage unavailable, nothing was stored"), 503
    return jsonify(status="stored"), 201


@bp.get("/thanks")
def thanks() -> Any:
    return render_template("respond/thanks.html")


@bp.get("/")
def index() -> Any:
    return render_template("respond/index.html")


def _error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("respond/error.html", title=title, message=message, status=status), status


@bp.app_errorhandler(404)
def not_found(exc: Any) -> Any:
    return _error_page(
        404,
        gettext("This link does not work"),
        gettext("Check that the address is complete, or ask the organisation that gave it to you for a new one."),
    )


@bp.app_errorhandler(410)
def gone(exc: Any) -> Any:
    reason = getattr(exc, "description", "")
    messages = {
        "closed": gettext("This survey is closed and no longer takes answers. Thank you for your interest."),
        "expired": gettext("This link has expired. Ask the organisation that gave it to you for a new one."),
        "revoked": gettext("This link is no longer in use. Ask the organisation that gave it to you for a new one."),
        "full": gettext("This link has reached the number of answers it was meant for. Thank you for your interest."),
    }
    return _error_page(410, gettext("This survey is not taking answers here"), messages.get(reason, messages["closed"]))


@bp.app_errorhandler(413)
def too_large(exc: Any) -> Any:
    return _error_page(
        413,
        gettext("Too much was sent"),
        gettext("What was sent is larger than any answer to this survey. Nothing was stored. Go back and shorten long answers."),
    )


@bp.app_errorhandler(400)
def bad_request(exc: Any) -> Any:
    return _error_page(400, gettext("Something was wrong with what was sent"), gettext("Nothing was stored. Go back and try again."))


@bp.app_errorhandler(405)
def not_allowed(exc: Any) -> Any:
    return _error_page(405, gettext("This page cannot be used this way"), gettext("Nothing was stored."))


@bp.app_errorhandler(503)
def unavailable(exc: Any) -> Any:
    return _error_page(
        503,
        gettext("The survey cannot take answers right now"),
        gettext("Nothing was stored. Please try again later."),
    )


@bp.app_errorhandler(500)
def server_error(exc: Any) -> Any:
    return _error_page(500, gettext("Something went wrong on our side"), gettext("Nothing was stored. Please try again later."))


# -- rate limiting of submissions: in memory, per process, under a rotating salted hash ----------

SUBMIT_ENDPOINTS = frozenset({"respond.submit_form", "respond.submit_sealed"})


@bp.record_once
def _make_submit_limiter(state: Any) -> None:
    settings = state.app.config["SETTINGS"]
    if settings.submit_limit > 0:
        state.app.extensions["submit_limiter"] = RateLimiter(settings.submit_limit, settings.submit_window)


@bp.before_app_request
def _limit_submissions() -> Any:
    """Counts every POST to a submit endpoint, valid or not, before anything is parsed."""
    if request.method != "POST" or request.endpoint not in SUBMIT_ENDPOINTS:
        return None
    limiter: RateLimiter | None = current_app.extensions.get("submit_limiter")
    settings = current_app.config["SETTINGS"]
    key = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), settings.trusted_proxy_hops)
    if limiter is None or limiter.hit(key):
        return None
    message = gettext("Too many answers were sent from this connection in a short time. Nothing was stored. "
                      "Please wait a few minutes and try again.")
    if request.endpoint == "respond.submit_sealed":
        response = jsonify(error="rate limited", message=message)
        response.status_code = 429
    else:
        body, status = _error_page(429, gettext("Please wait a moment"), message)
        response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(settings.submit_window)
    return response
