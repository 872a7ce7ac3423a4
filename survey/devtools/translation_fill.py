"""Translator's helper: list a catalog's untranslated messages as JSON, and merge JSON back.

    python -m survey.devtools.translation_fill missing de > de.json   # {"msgid": "", ...}
    (translate the values)
    python -m survey.devtools.translation_fill merge de de.json       # fills translations/de/.../messages.po

Merging only fills messages that exist in the catalog (run ``make translations`` first), clears
their fuzzy flag, and refuses a translation whose %(name)s placeholders differ from the msgid's.
A merged catalog stays a "machine draft" until its REVIEW.toml says otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from babel.messages.pofile import write_po

from survey.devtools.translation_status import TRANSLATIONS, po_path, read_catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def missing(lang: str, root: Path = TRANSLATIONS) -> dict[str, str]:
    catalog = read_catalog(po_path(lang, root), lang)
    return {m.id: "" for m in catalog if m.id and isinstance(m.id, str) and (not m.string or m.fuzzy)}


def merge(lang: str, translations: dict[str, str], root: Path = TRANSLATIONS) -> tuple[int, list[str]]:
    """Fill the catalog; returns (how many filled, problems)."""
    path = po_path(lang, root)
    catalog = read_catalog(path, lang)
    filled, problems = 0, []
    for msgid, msgstr in translations.items():
        if not msgstr:
            continue
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"not in the catalog (run make translations?): {msgid[:60]!r}")
            continue
        if placeholders(msgid) != placeholders(msgstr):
            problems.append(f"placeholders differ: {msgid[:60]!r}")
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
        filled += 1
    with open(path, "wb") as fh:
        write_po(fh, catalog, ignore_obsolete=True, include_previous=False)
    return filled, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.devtools.translation_fill")
    sub = parser.add_subparsers(dest="action", required=True)
    m = sub.add_parser("missing", help="print untranslated msgids of LANG as JSON")
    m.add_argument("lang")
    g = sub.add_parser("merge", help="fill LANG's catalog from a JSON object msgid -> translation")
    g.add_argument("lang")
    g.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.action == "missing":
        json.dump(missing(args.lang), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    filled, problems = merge(args.lang, json.loads(args.file.read_text(encoding="utf-8")))
    print(f"{args.lang}: filled {filled} messages")
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
