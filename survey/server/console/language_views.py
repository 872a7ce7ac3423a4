"""Console: the language switcher in every console page's header.

The choice is kept in the console's session cookie (survey.server.web.i18n.CONSOLE_LANGUAGE)
and outlives signing in and out; respondent pages never read or set it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for

from survey.core.languages import LANGUAGES
from survey.server.console.blueprint import bp
from survey.server.console.common import PUBLIC
from survey.server.console.forms import LanguageForm
from survey.server.web.i18n import CONSOLE_LANGUAGE, available, in_console

#: The switcher is on the sign-in page too.
PUBLIC.add("console.language")


def language_form() -> LanguageForm:
    form = LanguageForm(request.form if request.method == "POST" else None)
    form.lang.choices = [(code, LANGUAGES.get(code, code)) for code in available()]
    return form


def back_to(target: str | None) -> str:
    """A console page of this server to go back to, never another host."""
    parts = urlsplit(target or "")
    if (parts.scheme or parts.netloc or "\\" in (target or "") or not parts.path.startswith("/console")
            or parts.path.startswith("//")):
        return url_for("console.index")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.post("/language")
def language() -> Any:
    form = language_form()
    if form.validate():
        session[CONSOLE_LANGUAGE] = form.lang.data
    return redirect(back_to(form.next.data), code=303)


@bp.app_context_processor
def _switcher_context() -> dict[str, Any]:
    """The switcher for console pages, error pages under /console included; the page it goes
    back to is this one (a form's address, once posted, without what was posted)."""
    if not in_console():
        return {}
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    form = LanguageForm(data={"next": here})
    form.lang.choices = [(code, LANGUAGES.get(code, code)) for code in available()]
    return {"language_switcher": form}
