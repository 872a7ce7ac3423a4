"""How complete each translation catalog is, and who has reviewed it.

Each language has ``translations/<lang>/LC_MESSAGES/messages.po`` (the catalog) and
``translations/<lang>/REVIEW.toml`` (its review status, read by survey.core.translation_review,
which the console uses too).

A questionnaire shown in a language whose catalog is a machine draft (or incomplete) must be
marked so coordinators know before fielding it: :func:`questionnaire_status` says so, and
``flask --app wsgi translations status`` prints it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import current_app
from flask.cli import with_appcontext

from survey.core.languages import LANGUAGES
from survey.core.questionnaire import Questionnaire
from survey.core.translation_review import MACHINE_DRAFT, REVIEWED, SOURCE, SOURCE_LANGUAGE, Review
from survey.core.translation_review import review_status as read_review
from survey.server.settings import TRANSLATIONS_DIR

#: Names the command and tests use, defined once in survey.core.translation_review.
__all__ = ["MACHINE_DRAFT", "REVIEWED", "SOURCE", "SOURCE_LANGUAGE", "Review", "review_status", "questionnaire_status",
           "completeness", "status_lines", "translations_cli"]

TRANSLATIONS = TRANSLATIONS_DIR
POT = TRANSLATIONS / "messages.pot"


@dataclass(frozen=True, slots=True)
class Completeness:
    total: int
    translated: int
    fuzzy: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.translated == self.total and not self.fuzzy

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 0.0


def po_path(lang: str, root: Path = TRANSLATIONS) -> Path:
    return root / lang / "LC_MESSAGES" / "messages.po"


def languages(root: Path = TRANSLATIONS) -> list[str]:
    """Languages that have a catalog, sorted."""
    return sorted(p.parent.parent.name for p in root.glob("*/LC_MESSAGES/messages.po"))


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=lang)


def review_status(lang: str, root: Path = TRANSLATIONS) -> Review:
    """The review status recorded for a language (survey.core.translation_review, which the
    console reads too); English is the source and always reviewed."""
    return read_review(lang, root)


def _translated(catalog: Catalog) -> dict[str, bool]:
    """msgid → usable translation (non-empty, not fuzzy)."""
    out: dict[str, bool] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        out[message.id] = bool(message.string) and not message.fuzzy
    return out


def completeness(lang: str, msgids: Iterable[str] | None = None, root: Path = TRANSLATIONS) -> Completeness:
    """How many of ``msgids`` (default: every msgid of the template) the catalog translates."""
    if msgids is None:
        msgids = [m.id for m in read_catalog(root / "messages.pot") if m.id and isinstance(m.id, str)]
    wanted = list(dict.fromkeys(msgids))
    if lang == SOURCE_LANGUAGE:
        return Completeness(len(wanted), len(wanted), 0)
    path = po_path(lang, root)
    if not path.is_file():
        return Completeness(len(wanted), 0, 0)
    catalog = read_catalog(path, lang)
    done = _translated(catalog)
    fuzzy = sum(1 for m in catalog if m.id in set(wanted) and m.fuzzy)
    return Completeness(len(wanted), sum(1 for m in wanted if done.get(m)), fuzzy)


@dataclass(frozen=True, slots=True)
class LanguageState:
    """Whether a questionnaire can be fielded in a language as it stands."""

    lang: str
    completeness: Completeness
    review: Review

    @property
    def ready(self) -> bool:
        return self.completeness.complete and not self.review.is_draft

    def describe(self) -> str:
        if not self.completeness.complete:
            return f"incomplete ({self.completeness.translated}/{self.completeness.total})"
        return self.review.describe()


def questionnaire_status(q: Questionnaire, langs: Iterable[str], root: Path = TRANSLATIONS) -> dict[str, LanguageState]:
    """Per language: is every string of ``q`` translated, and is the translation reviewed?

    The coordinator console calls this to mark questionnaires whose translation is a machine
    draft or incomplete, so coordinators know before fielding them."""
    strings = [text for text, _where in q.strings()]
    return {lang: LanguageState(lang, completeness(lang, strings, root), review_status(lang, root)) for lang in langs}


def status_lines(questionnaires: Iterable[Questionnaire], names: dict[str, str], root: Path = TRANSLATIONS) -> list[str]:
    """The report ``flask --app wsgi translations status`` prints."""
    qs = sorted(questionnaires, key=lambda q: q.key)
    langs = [SOURCE_LANGUAGE] + [code for code in names if code != SOURCE_LANGUAGE]
    langs += [code for code in languages(root) if code not in langs]
    lines = [f"{'lang':<6}{'name':<14}{'translated':>16}  {'fuzzy':>5}  review status"]
    for lang in langs:
        c = completeness(lang, root=root)
        lines.append(f"{lang:<6}{names.get(lang, '?'):<14}{c.translated:>6}/{c.total:<4}{c.percent:>5.1f}%  "
                     f"{c.fuzzy:>5}  {review_status(lang, root).describe()}")
    lines.append("")
    lines.append("Questionnaires (fielding in a language that is not 'reviewed' needs a native speaker's check first):")
    for q in qs:
        states = questionnaire_status(q, langs, root)
        lines.append(f"  {q.key}")
        for lang, state in states.items():
            mark = "ready" if state.ready else "DRAFT"
            lines.append(f"    {lang:<4}{mark:<7}{state.describe()}")
    return lines


@click.group("translations", help="Translation catalogs: completeness and review status.")
def translations_cli() -> None:
    """``flask translations ...``, registered as a "flask.commands" entry point in pyproject.toml."""


@translations_cli.command("status")
@with_appcontext
def status() -> None:
    """Completeness and review status per language, and per questionnaire."""
    for line in status_lines(current_app.extensions["questionnaires"].values(), LANGUAGES):
        click.echo(line)
