"""Writes survey/analyst/interface_texts.json: the analyst tool's words in every language.

``python -m survey.devtools.analyst_catalog`` (``make compile-translations`` runs it). The
message ids are those the analyst's modules mark with ``_()``, ``gettext()`` or ``N_()``, taken
from its source by Babel's extractor (the one ``make translations`` uses, so they are in
messages.pot with everything else); their translations come from each language's catalog,
translations/<lang>/LC_MESSAGES/messages.po. Untranslated and fuzzy entries are left out (the
analyst shows English). ``--check`` exits 1 when the file is not what it would write.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from survey.core.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
ANALYST = ROOT / "survey" / "analyst"
OUTPUT = ANALYST / "interface_texts.json"
TRANSLATIONS = ROOT / "translations"


def analyst_message_ids(source: Path = ANALYST) -> list[str]:
    """Every message id marked in the analyst's modules, sorted."""
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(source), [("**.py", "python")]):
        if isinstance(message, str):
            found.add(message)
    return sorted(found)


def catalog_text(translations: Path = TRANSLATIONS, source: Path = ANALYST) -> str:
    """The JSON text of the table: ``{lang: {msgid: translation}}``, sorted, one entry a line."""
    ids = analyst_message_ids(source)
    table: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        po = translations / lang / "LC_MESSAGES" / "messages.po"
        if lang == "en" or not po.is_file():
            continue
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        entries: dict[str, str] = {}
        for msgid in ids:
            message = catalog.get(msgid)
            if message is not None and isinstance(message.string, str) and message.string and not message.fuzzy:
                entries[msgid] = message.string
        table[lang] = entries
    return json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = catalog_text()
    if "--check" in args:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run python -m survey.devtools.analyst_catalog")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(analyst_message_ids())} messages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
