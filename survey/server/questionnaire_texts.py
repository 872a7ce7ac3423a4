"""A questionnaire's texts in the languages a survey offers, for the export's manifest.

The offline analyst has neither the server's gettext catalogs nor Babel: the export carries, in
``manifest.questionnaire.translations``, every text of the definition (title, intro, sections,
questions, hints, option and scale point labels, score labels) translated into each language the
survey offers, ``{lang: {source_text: translated_text}}``. A built-in definition's texts are its
gettext message ids (English), translated from the server's catalogs (the same ones respondents
read). A text with no translation in a catalog is left out (the analyst shows the source text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from babel.support import NullTranslations, Translations
from flask import current_app, has_app_context
from flask_babel import gettext

from survey.core.questionnaire import Questionnaire
from survey.server.questionnaire_store import QuestionnaireRegistry, StoredTexts
from survey.server.settings import TRANSLATIONS_DIR

#: The language of the built-in definitions' texts (their gettext message ids).
SOURCE_LANGUAGE = "en"


@cache
def _catalog(lang: str) -> NullTranslations:
    """The server's compiled catalog for ``lang`` (a null catalog where there is none)."""
    return Translations.load(str(TRANSLATIONS_DIR), [lang])


def translations_for(q: Questionnaire, languages: Sequence[str]) -> dict[str, dict[str, str]]:
    """``{lang: {source_text: translated_text}}`` for every language in ``languages`` other than
    the definition's own, with the texts that language's catalog translates. A definition imported
    from an XLSForm carries its own translations (survey.server.questionnaire_store): those."""
    stored = _imported_texts(q)
    if stored is not None:
        return {lang: dict(stored.translations.get(lang, {})) for lang in dict.fromkeys(languages)
                if lang != stored.language}
    texts = sorted({text for text, _where in q.strings() if text})
    out: dict[str, dict[str, str]] = {}
    for lang in dict.fromkeys(languages):
        if lang == SOURCE_LANGUAGE:
            continue
        catalog = _catalog(lang)
        out[lang] = {text: translated for text in texts if (translated := catalog.gettext(text)) != text}
    return out


def respondent_translator(q: Questionnaire, lang: str) -> Callable[[str], str]:
    """How the respondent's page shows the definition's texts in ``lang``: a built-in definition
    through the catalogs (gettext, in the request's language), an imported one through its own
    translations (its text as written where a language has none)."""
    stored = _imported_texts(q)
    if stored is None:
        return gettext
    shown = {} if lang == stored.language else stored.translations.get(lang, {})
    return lambda text: shown.get(text, text)


def _imported_texts(q: Questionnaire) -> StoredTexts | None:
    if not has_app_context() or not isinstance(reg := current_app.extensions.get("questionnaires"),
                                                QuestionnaireRegistry):
        return None
    return reg.texts(q.key, fresh=False)  # translations never change once stored
