"""Who has reviewed each translation: ``translations/<lang>/REVIEW.toml``, read in one place for
the console (which marks machine drafts and can limit a survey to reviewed languages) and for
``flask translations status`` (survey/devtools/translation_status.py, which adds completeness)::

    status = "machine draft"      # or "reviewed"
    reviewer = ""                 # the native-speaker organisation that reviewed it
    date = ""                     # when, YYYY-MM-DD
    notes = ""
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SOURCE_LANGUAGE = "en"
REVIEWED = "reviewed"
MACHINE_DRAFT = "machine draft"
SOURCE = "source language"


@dataclass(frozen=True, slots=True)
class Review:
    status: str
    reviewer: str = ""
    date: str = ""

    @property
    def is_draft(self) -> bool:
        """Not to be fielded before a native speaker's check: anything but the source language
        and a catalog a named organisation has reviewed (an unreadable or missing record too)."""
        return not (self.status == SOURCE or (self.status == REVIEWED and self.reviewer))

    def describe(self) -> str:
        """In English, for the command line (the console words it through its catalog)."""
        if self.status == REVIEWED:
            return f"reviewed by {self.reviewer or 'an unnamed reviewer'}" + (f" ({self.date})" if self.date else "")
        return self.status


def review_status(lang: str, root: Path) -> Review:
    """The review status recorded for a language under ``root`` (the translations folder);
    English is the source. A missing or unreadable REVIEW.toml is a status of its own, never
    "reviewed"."""
    if lang == SOURCE_LANGUAGE:
        return Review(SOURCE)
    path = root / lang / "REVIEW.toml"
    if not path.is_file():
        return Review("unknown (no REVIEW.toml)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return Review("unknown (unreadable REVIEW.toml)")
    return Review(str(data.get("status", "unknown")), str(data.get("reviewer", "")), str(data.get("date", "")))


def review_statuses(langs: Iterable[str], root: Path) -> dict[str, Review]:
    return {lang: review_status(lang, root) for lang in langs}
