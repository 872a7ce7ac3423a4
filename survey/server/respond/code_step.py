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
from survey.server.web.ratelimit import RateLimiter, app_limiter, request_client

FIELD = "access_code"
HEADER = "X-Access-Code"
#: Wrong codes allowed per client (its address, an IPv6 client by its /64) per window, on any
#: link; then that client's code step waits for the window to end. A person who mistypes gets
#: several tries; a guesser gets a handful, and no other client is slowed down by them.
WRONG_CODES_PER_CLIENT = 10
#: Wrong codes allowed per link per window from all clients together (per server process); then
#: the link's code step pauses for everyone until the window ends. Reaching it takes
#: WRONG_CODES_PER_LINK / WRONG_CODES_PER_CLIENT = 100 addresses at once, and it bounds how fast
#: many addresses together can guess (see one_time_codes.LENGTH).
WRONG_CODES_PER_LINK = 1000
WRONG_WINDOW = 15 * 60


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _per_client() -> RateLimiter:
    return app_limiter("code_client_limiter", WRONG_CODES_PER_CLIENT, WRONG_WINDOW)


def _per_link() -> RateLimiter:
    return app_limiter("code_link_limiter", WRONG_CODES_PER_LINK, WRONG_WINDOW)


def paused(link: Link) -> str | None:
    """Why codes cannot be tried now ("client" or "link"), or None. Checked before a code is
    looked at, so a paused client learns nothing about any code, right or wrong."""
    if _per_client().blocked(request_client()):
        return "client"
    if _per_link().blocked(link.token):
        return "link"
    return None


def count_wrong(link: Link) -> None:
    """Count a wrong code (unknown, spent, malformed or of another link) against this client and this link."""
    _per_client().hit(request_client())
    _per_link().hit(link.token)


def code_page(link: Link, status: int = 200, refused: bool = False, pause: str | None = None) -> tuple[str, int]:
    problem = ""
    if pause == "client":
        problem = gettext("Too many codes were tried from this connection. Wait 15 minutes and try again.")
    elif pause == "link":
        problem = gettext("Too many codes were tried on this link. Wait 15 minutes and try again.")
    elif refused:
        # The same words for an unknown and for a spent code: see docs/threat-model.md.
        problem = gettext("This code does not work. Check it and type it again: each code works only once.")
    return render_template("respond/code.html", link=link, problem=problem), status


def paused_page(link: Link) -> tuple[str, int] | None:
    """The 429 code page when codes cannot be tried now, else None."""
    pause = paused(link)
    return code_page(link, 429, pause=pause) if pause else None


@bp.context_processor
def _code_context() -> dict[str, Any]:
    """The accepted code, for the questionnaire form's hidden field and data-access-code."""
    return {"access_code": g.get("access_code", "")}


def accept(link: Link, code: str) -> bool:
    """True when ``code`` is an unused code of ``link``; it is then carried by the page (g).
    The caller has checked :func:`paused` first."""
    if not one_time_codes.usable(session(), _secret(), link, code):
        count_wrong(link)
        return False
    g.access_code = one_time_codes.normalise(code)
    return True


def code_to_spend(link: Link, code: str | None = None) -> str | None:
    """The keyed hash of the accepted (or given) code, for storage to spend together with the
    response; None when the code is malformed. The caller has checked :func:`paused` first."""
    code = g.get("access_code", "") if code is None else code
    if not one_time_codes.well_formed(code):
        count_wrong(link)
        return None
    return one_time_codes.code_hash(_secret(), link.id, code)


def refused(link: Link) -> None:
    """Count a code that storage refused (unknown or already spent)."""
    count_wrong(link)


@bp.post("/s/<token>/code")
def enter_code(token: str) -> Any:
    link = open_link(token)
    if not link.requires_code:
        return render_form(link, form_class(questionnaire_of(link))())
    stopped = paused_page(link)
    if stopped is not None:
        return stopped
    if not accept(link, request.form.get(FIELD, "")):
        return code_page(link, 403, refused=True)
    return render_form(link, form_class(questionnaire_of(link))())
