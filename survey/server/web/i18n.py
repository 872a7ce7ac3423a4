"""Locale choice.

Respondent pages: ``?lang=`` in the URL, else the browser's Accept-Language, else English. No
cookie and no session: a respondent's language is carried in the URL only.

Console pages: the language chosen with the switcher in the console's header, kept in the
console's own session cookie (survey.server.console.language_views), else the browser's."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, g, request, session
from flask_babel import Babel

from survey.core.languages import LANGUAGES, text_direction
from survey.server import language_reviews
from survey.server.settings import TRANSLATIONS_DIR

babel = Babel()


def available() -> list[str]:
    """The languages this page may be shown in: the server's catalogs, or on a respondent page
    of a survey limited to reviewed languages, those (set by the page: g.survey_languages)."""
    limited: list[str] | None = g.get("survey_languages")
    if limited is not None:
        return limited
    return current_app.extensions.get("survey_languages", list(LANGUAGES))


#: The console session's key for the language chosen with the console's switcher.
CONSOLE_LANGUAGE = "console_lang"
CONSOLE_PREFIX = "/console"


def in_console() -> bool:
    """A console address, matched or not (an unknown address under /console is the console's)."""
    return request.path == CONSOLE_PREFIX or request.path.startswith(CONSOLE_PREFIX + "/")


def console_language() -> str | None:
    """The language chosen in the console, if one was (and is still offered)."""
    chosen = session.get(CONSOLE_LANGUAGE)
    return chosen if isinstance(chosen, str) and chosen in available() else None


def select_locale() -> str:
    offered = available()
    if in_console():
        return console_language() or request.accept_languages.best_match(offered) or "en"
    wanted = request.args.get("lang", "")
    if wanted in offered:
        return wanted
    return request.accept_languages.best_match(offered) or "en"



def not_understood() -> bool:
    """True when the browser names its languages, none is offered, and no ?lang= was chosen:
    then the respondent chooses a language before anything else. Nothing of it is kept."""
    if "lang" in request.args or not request.accept_languages:
        return False
    return len(available()) > 1 and request.accept_languages.best_match(available()) is None


#: Where "Leave quickly" goes unless the server is told otherwise (SURVEY_LEAVE_URL): Wikipedia's
#: light mobile site, in the respondent's language, on weather forecasts (a search that opens the
#: article): a page that is plain, common and says nothing about the person holding the phone.
NEUTRAL_PAGES = {
    "en": "Weather forecasting",
    "bs": "Vremenska prognoza",
    "hr": "Vremenska prognoza",
    "sr": "Временска прогноза",
    "sq": "Parashikimi i motit",
    "mk": "Временска прогноза",
    "it": "Previsioni del tempo",
    "de": "Wettervorhersage",
    "fr": "Prévision météorologique",
    "es": "Predicción meteorológica",
    "ru": "Прогноз погоды",
    "uk": "Прогноз погоди",
    "ar": "التنبؤ بالطقس",
}


def neutral_page(lang: str) -> str:
    """The page "Leave quickly" opens for a respondent reading ``lang``: the survey's own, chosen
    by an admin, else the server's (SURVEY_LEAVE_URL), else a plain page in the language."""
    configured: str = g.get("survey_leave_url") or current_app.config["SETTINGS"].leave_url
    if configured:
        return configured
    code = lang if lang in NEUTRAL_PAGES else "en"
    return f"https://{code}.m.wikipedia.org/w/index.php?" + urlencode({"search": NEUTRAL_PAGES[code]})


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    app.extensions["survey_languages"] = [
        code for code in LANGUAGES if code == "en" or (TRANSLATIONS_DIR / code).is_dir()
    ]
    language_reviews.init_app(app, app.extensions["survey_languages"])
    babel.init_app(app, locale_selector=select_locale)
    init_templates(app)


def _template_context() -> dict[str, object]:
    from flask_babel import get_locale

    lang = str(get_locale() or "en")
    return {
        "page_lang": lang.replace("_", "-"),
        "page_dir": text_direction(lang),
        "offered_languages": available(),
        "language_names": LANGUAGES,
        "language_dirs": {code: text_direction(code) for code in LANGUAGES},
        "leave_url": neutral_page(lang.split("_")[0]),
    }


def init_templates(app: Flask) -> None:
    app.context_processor(_template_context)
