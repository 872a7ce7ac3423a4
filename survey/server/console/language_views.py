"""Console: the language switcher in every console page's header, and a survey's languages with
their review status (and the setting that limits respondents to reviewed ones).

The switcher's choice is kept in the console's session cookie (survey.server.web.i18n.CONSOLE_LANGUAGE)
and outlives signing in and out; respondent pages never read or set it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_babel import get_locale, gettext
from wtforms.fields.choices import SelectChoice

from survey.core.languages import LANGUAGES
from survey.server import language_reviews
from survey.server.console.blueprint import bp
from survey.server.console.common import PUBLIC, admin_only, done, my_survey, refused_csrf
from survey.server.console.forms import LanguageForm, ReviewedLanguagesForm
from survey.server.models import Survey
from survey.server.web.i18n import CONSOLE_LANGUAGE, available, in_console

#: The switcher is on the sign-in page too.
PUBLIC.add("console.language")


def language_form(here: str = "") -> LanguageForm:
    """The switcher: the languages the server has, by their own names; posted, or to show on
    the page ``here`` (where it goes back to)."""
    if request.method == "POST" and not here:
        form = LanguageForm(request.form)
    else:
        form = LanguageForm(data={"next": here, "lang": str(get_locale() or "en")})
    form.lang.choices = [SelectChoice(code, LANGUAGES.get(code, code), {"lang": code}) for code in available()]
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
    return {"language_switcher": language_form(here)}


@bp.context_processor
def _review_context() -> dict[str, Any]:
    return {"language_review": language_reviews.describe, "language_is_reviewed": language_reviews.is_reviewed,
            "reviewed_languages_form": reviewed_languages_form}


def reviewed_languages_form(survey: Survey) -> ReviewedLanguagesForm:
    return ReviewedLanguagesForm(data={"reviewed_only": survey.reviewed_languages_only})


@bp.post("/surveys/<id:survey_id>/reviewed-languages")
@admin_only
def survey_reviewed_languages(survey_id: int) -> Any:
    survey = my_survey(survey_id)
    form = ReviewedLanguagesForm(request.form)
    if not form.validate():
        return refused_csrf()
    survey.reviewed_languages_only = bool(form.reviewed_only.data)
    flash(gettext("Respondents are now offered only reviewed languages.") if survey.reviewed_languages_only
          else gettext("Respondents are now offered every language."))
    return done("set reviewed languages only" if survey.reviewed_languages_only else "set every language",
                survey.title, "console.survey", survey_id=survey.id, _anchor="languages")
