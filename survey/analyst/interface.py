"""The analyst tool's own words (headings, notes, chart axes) in the report's language.

The analyst is installed without Babel or Flask (``pip install .``), so its translations are read
with the standard library from ``interface_texts.json``, shipped in the package: for each of the
interface languages, the translation of every message id the analyst's modules mark with ``_()``
or ``N_()``. That file is generated, never edited: ``python -m survey.devtools.analyst_catalog``
takes the message ids from the analyst's source and their translations from the project's
catalogs (translations/<lang>/LC_MESSAGES/messages.po), where ``make translations`` extracts them
with every other string; tests/test_analyst_interface.py checks that the file is current. So each
string has one copy (its msgid in the code) and one translation per language (in the catalog).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from survey.core.languages import LANGUAGES

CATALOG = Path(__file__).with_name("interface_texts.json")
DEFAULT = "en"


def N_(message: str) -> str:
    """Marks a message id for extraction where it is defined; translated where it is shown."""
    return message


#: Language names in English: message ids, translated into the report's language.
LANGUAGE_NAMES: dict[str, str] = {
    "en": N_("English"),
    "bs": N_("Bosnian"),
    "hr": N_("Croatian"),
    "sr": N_("Serbian"),
    "sq": N_("Albanian"),
    "mk": N_("Macedonian"),
    "it": N_("Italian"),
    "de": N_("German"),
    "fr": N_("French"),
    "es": N_("Spanish"),
    "ru": N_("Russian"),
    "uk": N_("Ukrainian"),
    "ar": N_("Arabic"),
}


@cache
def _catalog() -> dict[str, dict[str, str]]:
    try:
        data = json.loads(CATALOG.read_text(encoding="utf-8"))
    except FileNotFoundError:  # a source tree before the first generation: English only
        return {}
    return data if isinstance(data, dict) else {}


class Interface:
    """The analyst's words in one language (English where a translation is missing)."""

    def __init__(self, lang: str = DEFAULT) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.table: dict[str, str] = _catalog().get(lang, {}) if lang != DEFAULT else {}

    def gettext(self, message: str, **params: object) -> str:
        """``message`` translated, with ``%(name)s`` placeholders filled from ``params``."""
        text = self.table.get(message) or message
        return text % params if params else text

    def language_name(self, code: str) -> str:
        """A language's name in this language (the code itself for a language not shipped)."""
        name = LANGUAGE_NAMES.get(code)
        return self.gettext(name) if name else code
