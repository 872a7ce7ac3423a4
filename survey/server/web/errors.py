"""Error pages for the whole app, registered at app level.

A console URL gets the console's page ("Nothing was changed", with the console's navigation);
every other URL gets the respondent's page ("Nothing was stored"), which names no survey and
keeps nothing. The console's pages are chosen by path, so an unknown address under ``/console``
also gets them."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_babel import gettext

from survey.server.web.i18n import in_console


def respondent_error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("respond/error.html", title=title, message=message, status=status), status


def _console_error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("console/error.html", title=title, message=message), status


def _console_page(status: int) -> tuple[str, int]:
    nothing_changed = gettext("Nothing was changed. Go back, reload the page and try again.")
    titles = {
        400: gettext("This form has expired"),
        403: gettext("Not allowed"),
        404: gettext("Not found"),
        405: gettext("This page cannot be used this way"),
        413: gettext("Too much was sent"),
    }
    messages = {
        403: gettext("Your account cannot do this."),
        404: gettext("There is nothing here that your account can see."),
    }
    status = 404 if status == 410 else status
    return _console_error_page(status, titles.get(status, gettext("Something went wrong on our side")),
                               messages.get(status, nothing_changed))


def _respondent_page(status: int, exc: Any) -> tuple[str, int]:
    nothing_stored = gettext("Nothing was stored. Please try again later.")
    if status == 404:
        return respondent_error_page(404, gettext("This link does not work"), gettext(
            "Check that the address is complete, or ask the organisation that gave it to you for a new one."))
    if status == 410:
        reason = getattr(exc, "description", "")
        messages = {
            "closed": gettext("This survey is closed and no longer takes answers. Thank you for your interest."),
            "expired": gettext("This link has expired. Ask the organisation that gave it to you for a new one."),
            "revoked": gettext("This link is no longer in use. Ask the organisation that gave it to you for a new one."),
            "full": gettext("This link has reached the number of answers it was meant for. Thank you for your interest."),
        }
        return respondent_error_page(410, gettext("This survey is not taking answers here"),
                                     messages.get(reason, messages["closed"]))
    if status == 413:
        return respondent_error_page(413, gettext("Too much was sent"), gettext(
            "What was sent is larger than any answer to this survey. Nothing was stored. Go back and shorten long answers."))
    if status == 400:
        return respondent_error_page(400, gettext("Something was wrong with what was sent"),
                                     gettext("Nothing was stored. Go back and try again."))
    if status == 405:
        return respondent_error_page(405, gettext("This page cannot be used this way"), gettext("Nothing was stored."))
    if status == 503:
        return respondent_error_page(503, gettext("The survey cannot take answers right now"), nothing_stored)
    if status == 403:
        return respondent_error_page(403, gettext("This page cannot be used this way"), gettext("Nothing was stored."))
    return respondent_error_page(500, gettext("Something went wrong on our side"), nothing_stored)


#: The statuses with a page of their own; anything else unhandled is a 500.
HANDLED = (400, 403, 404, 405, 410, 413, 500, 503)


def init_app(app: Flask) -> None:
    def handle(exc: Any) -> tuple[str, int]:
        status = int(getattr(exc, "code", None) or 500)
        return _console_page(status) if in_console() else _respondent_page(status, exc)

    for status in HANDLED:
        app.register_error_handler(status, handle)
