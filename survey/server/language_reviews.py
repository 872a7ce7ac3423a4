"""Each language's review status in the console, and the languages a survey offers respondents
when it is limited to reviewed ones.

The statuses come from ``translations/<lang>/REVIEW.toml`` (survey.core.translation_review),
read once when the app starts: they change with a deployment, not while it runs."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from survey.core.languages import LANGUAGES
from survey.core.translation_review import MACHINE_DRAFT, REVIEWED, SOURCE, Review, review_statuses
from survey.server.models import Survey
from survey.server.questionnaire_store import registry
from survey.server.settings import TRANSLATIONS_DIR


def init_app(app: Flask, languages: list[str]) -> None:
    app.extensions["language_reviews"] = review_statuses(languages, TRANSLATIONS_DIR)


def review(lang: str) -> Review:
    found: Review | None = current_app.extensions["language_reviews"].get(lang)
    return found or Review("unknown")


def is_reviewed(lang: str) -> bool:
    return not review(lang).is_draft


def describe(lang: str) -> str:
    """"machine draft", "reviewed by …" or "source language", in the console's language."""
    found = review(lang)
    if found.status == SOURCE:
        return gettext("source language")
    if found.status == REVIEWED and found.reviewer:
        if found.date:
            return gettext("reviewed by %(reviewer)s (%(date)s)", reviewer=found.reviewer, date=found.date)
        return gettext("reviewed by %(reviewer)s", reviewer=found.reviewer)
    if found.status == MACHINE_DRAFT:
        return gettext("machine draft: not yet reviewed by a native speaker")
    return gettext("not reviewed")


def language_choices() -> list[SelectChoice]:
    """The server's languages for a survey's language choices: own name and review status."""
    return [SelectChoice(code, f"{LANGUAGES.get(code, code)} ({describe(code)})")
            for code in current_app.extensions["survey_languages"]]


def respondent_languages(survey: Survey) -> list[str]:
    """The languages this survey's respondents may choose: those chosen for it when it was made
    ("Languages offered to respondents", which the export's translations follow) that the server
    has, or, when the survey is limited to reviewed languages, the reviewed ones among them
    (English, the source, always). A survey of an imported questionnaire offers only the languages
    its form has, and limited to reviewed ones, those an admin marked reviewed
    (survey.server.questionnaire_store) whose interface catalog is reviewed too, and the form's own
    language."""
    chosen = set(survey.language_list)
    offered: list[str] = [lang for lang in current_app.extensions["survey_languages"] if lang in chosen] or ["en"]
    imported = registry().texts(survey.questionnaire_key)
    if imported is not None:  # an imported form: its own languages, its own review of each
        offered = [lang for lang in offered if lang in imported.languages] or [imported.language]
        if not survey.reviewed_languages_only:
            return offered
        return [lang for lang in offered if is_reviewed(lang) and (
            lang == imported.language or lang in imported.reviewed)] or [imported.language]
    if not survey.reviewed_languages_only:
        return offered
    return [lang for lang in offered if is_reviewed(lang)] or ["en"]
