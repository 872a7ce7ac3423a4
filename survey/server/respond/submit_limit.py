"""Rate limiting of submissions: in memory, per process, under a rotating salted hash of the
client's address (see :mod:`survey.server.web.ratelimit`); the address itself is never kept."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext

from survey.server.respond import paging
from survey.server.respond.blueprint import bp
from survey.server.web.errors import respondent_error_page
from survey.server.web.ratelimit import RateLimiter, request_client

SUBMIT_ENDPOINTS = frozenset({"respond.submit_form", "respond.submit_sealed"})


@bp.record_once
def _make_submit_limiter(state: Any) -> None:
    settings = state.app.config["SETTINGS"]
    if settings.submit_limit > 0:
        state.app.extensions["submit_limiter"] = RateLimiter(settings.submit_limit, settings.submit_window)


@bp.before_app_request
def _limit_submissions() -> Any:
    """Counts every POST to a submit endpoint that sends answers, valid or not, before they are
    checked: every sealed envelope, and every plain form post but those that only move between
    its pages (survey/server/respond/paging.py: a respondent without JavaScript posts once a page)."""
    if request.method != "POST" or request.endpoint not in SUBMIT_ENDPOINTS:
        return None
    if request.endpoint == "respond.submit_form" and not paging.sends(request.form):
        return None
    limiter: RateLimiter | None = current_app.extensions.get("submit_limiter")
    settings = current_app.config["SETTINGS"]
    if limiter is None or limiter.hit(request_client()):
        return None
    message = gettext("Too many answers were sent from this connection in a short time. Nothing was stored. "
                      "Please wait a few minutes and try again.")
    if request.endpoint == "respond.submit_sealed":
        response = jsonify(error="rate limited", message=message)
        response.status_code = 429
    else:
        body, status = respondent_error_page(429, gettext("Please wait a moment"), message)
        response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(settings.submit_window)
    return response
