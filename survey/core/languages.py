"""The languages the project ships, with their own names and writing direction."""

from __future__ import annotations

import unicodedata

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


#: Letters that a language sorts right after another one (its alphabet's order), where the order
#: of Unicode code points, accents set aside, would put them elsewhere: "c:čć" puts č, then ć,
#: after c. Enough for lists such as country names; no library with full collation is needed.
_TAILORING: dict[str, str] = {
    "bs": "c:čć d:đ s:š z:ž",
    "hr": "c:čć d:đ s:š z:ž",
    "sr": "д:ђ и:ј л:љ н:њ т:ћ ч:џ",
    "mk": "д:ѓ з:ѕ и:ј л:љ н:њ т:ќ ч:џ",
    "sq": "c:ç e:ë",
    "es": "n:ñ",
    "ru": "е:ё",
    "uk": "г:ґ е:є и:ії",
}
_AFTER: dict[str, dict[str, tuple[int, int]]] = {
    lang: {
        letter: (ord(base), place)
        for group in spec.split()
        for base, letters in [group.split(":")]
        for place, letter in enumerate(letters, 1)
    }
    for lang, spec in _TAILORING.items()
}


def _rank(char: str, after: dict[str, tuple[int, int]]) -> tuple[int, int]:
    if char in after:
        return after[char]
    if ord(char) < 0x250 or 0x600 <= ord(char) < 0x700:  # Latin and Arabic: accents set aside
        char = unicodedata.normalize("NFD", char)[0]
    return (ord(char), 0)


def sort_key(text: str, lang: str) -> tuple[tuple[tuple[int, int], ...], str]:
    """A key that sorts ``text`` in the alphabetical order of ``lang`` (letters first, accents
    only to break ties)."""
    after = _AFTER.get(lang.split("_")[0], {})
    return tuple(_rank(c, after) for c in text.casefold()), text
