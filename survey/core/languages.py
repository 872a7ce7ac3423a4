"""The languages the project ships, with their own names and writing direction."""

from __future__ import annotations

#: Locales shipped, in the order the language picker shows them, with their own names.
#: Serbian (``sr``) is written in Cyrillic, the official script and CLDR's default for ``sr``;
#: readers of the Latin script are served by Bosnian and Croatian. A Latin Serbian catalog
#: would be added as ``sr_Latn``.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "bs": "Bosanski",
    "hr": "Hrvatski",
    "sr": "Српски",
    "sq": "Shqip",
    "mk": "Македонски",
    "it": "Italiano",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "ru": "Русский",
    "uk": "Українська",
    "ar": "العربية",
}
RTL = {"ar", "fa", "he", "ur"}


def text_direction(locale: str) -> str:
    """``rtl`` for right-to-left scripts, else ``ltr``."""
    return "rtl" if locale.split("_")[0] in RTL else "ltr"
