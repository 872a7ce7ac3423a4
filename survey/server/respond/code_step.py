"""The one-time code step of links that require a code.

How the code travels, without a cookie and without ever touching the response row:

1. GET /s/<token> shows the code page (templates/respond/code.html) instead of the questionnaire.
2. POST /s/<token>/code checks the code (spends nothing) and answers with the questionnaire page,
   the code in a hidden form field ``access_code`` and in the form's ``data-access-code``
   attribute. Nothing is stored and no cookie is set.
3. The no-JavaScript submit (POST /s/<token>) carries the hidden field; the sealing script sends
   it as the ``X-Access-Code`` header of POST /s/<token>/sealed.
4. Either submit path hands the code's hash to :mod:`survey.server.storage`, which spends it
   (``UPDATE ... WHERE used = false``) in the same transaction that stores the response: one code, one response, and no column or
   value ties the two together.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request
from flask_babel import gettext

from survey.server import one_time_codes
from survey.server.database import session
from survey.server.models import Link
from survey.server.respond.blueprint import bp
from survey.server.respond.pages import form_class, open_link, questionnaire_of, render_form
from survey.server.web.ratelimit import RateLimiter

FIELD = "access_code"
HEADER = "X-Access-Code"
#: Wrong codes allowed per link per window before the link's code page pauses.
WRONG_CODES = 100
WRONG_WINDOW = 15 * 60


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _limiter() -> RateLimiter:
    limiter = current_app.extensions.get("code_limiter")
    if limiter is None:
        limiter = current_app.extensions.setdefault("code_limiter", RateLimiter(WRONG_CODES, WRONG_WINDOW))
    return limiter


def code_page(link: Link, status: int = 200, refused: bool = False, paused: bool = False) -> tuple[str, int]:
    problem = ""
    if paused:
        problem = gettext("Too many codes were tried on this link. Wait 15 minutes and try again.")
    elif refused:
        problem = gettext("This code does not work. Check it and type it again: each code works only once.")
    return render_template("respond/code.html", link=link, problem=problem), status


@bp.context_processor
def _code_context() -> dict[str, Any]:
    """The accepted code, for the questionnaire form's hidden field and data-access-code."""
    return {"access_code": g.get("access_code", "")}


def accept(link: Link, code: str) -> bool:
    """True when ``code`` is an unused code of ``link``; it is then carried by the page (g)."""
    if _limiter().blocked(link.token):
        return False
    if not one_time_codes.usable(session(), _secret(), link, code):
        _limiter().hit(link.token)
        return False
    g.access_code = one_time_codes.normalise(code)
    return True


def code_to_spend(link: Link, code: str | None = None) -> str | None:
    """The keyed hash of the accepted (or given) code, for storage to spend together with the
    response; None when the code is malformed or the link's code page is paused."""
    code = g.get("access_code", "") if code is None else code
    if _limiter().blocked(link.token) or not one_time_codes.well_formed(code):
        _limiter().hit(link.token)
        return None
    return one_time_codes.code_hash(_secret(), link.id, code)


def refused(link: Link) -> None:
    """Count a code that storage refused (unknown or already spent) against the link."""
    _limiter().hit(link.token)


@bp.post("/s/<token>/code")
def enter_code(token: str) -> Any:
    link = open_link(token)
    if not link.requires_code:
        return render_form(link, form_class(questionnaire_of(link))())
    if _limiter().blocked(link.token):
        return code_page(link, 429, paused=True)
    if not accept(link, request.form.get(FIELD, "")):
        return code_page(link, 403, refused=True)
    return render_form(link, form_class(questionnaire_of(link))())
