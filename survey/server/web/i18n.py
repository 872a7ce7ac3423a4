"""Locale choice: ``?lang=`` in the URL, else the browser's Accept-Language, else English.

No cookie and no session: a respondent's language is carried in the URL only."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

from survey.core.languages import LANGUAGES, text_direction
from survey.server.settings import TRANSLATIONS_DIR

babel = Babel()


def available() -> list[str]:
    from flask import current_app

    return current_app.extensions.get("survey_languages", list(LANGUAGES))


def select_locale() -> str:
    offered = available()
    wanted = request.args.get("lang", "")
    if wanted in offered:
        return wanted
    return request.accept_languages.best_match(offered) or "en"



def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    app.extensions["survey_languages"] = [
        code for code in LANGUAGES if code == "en" or (TRANSLATIONS_DIR / code).is_dir()
    ]
    babel.init_app(app, locale_selector=select_locale)
    init_templates(app)


def _template_context() -> dict[str, object]:
    from flask import current_app
    from flask_babel import get_locale

    lang = str(get_locale() or "en")
    return {
        "page_lang": lang.replace("_", "-"),
        "page_dir": text_direction(lang),
        "offered_languages": available(),
        "language_names": LANGUAGES,
        "language_dirs": {code: text_direction(code) for code in LANGUAGES},
        "leave_url": current_app.config["SETTINGS"].leave_url,
    }


def init_templates(app: Flask) -> None:
    app.context_processor(_template_context)
