"""The questionnaires a server offers: the built-in definitions and those imported from XLSForms.

``app.extensions["questionnaires"]`` is a :class:`QuestionnaireRegistry`: a mapping from
``id@version`` to a Questionnaire, the built-ins first, then the imported definitions stored in
the database (table ``imported_questionnaires``). A stored definition never changes, so each is
parsed once and kept. Iterating lists the built-ins and the *published* imported definitions (what
a new survey may use); looking up a key finds any stored one (a draft for its preview, and every
version a survey was created with).

:func:`store_form` keeps an imported form as a new version: the same definition again is not
stored twice, and a form that gives an earlier question code a different meaning (another type,
other options or scale points, an option's value changed) is refused, so answers under one code
mean one thing in every version.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.core.languages import LANGUAGES
from survey.core.questionnaire import Question, Questionnaire, parse
from survey.server.models import ImportedQuestionnaire
from survey.server.xlsform_import import FormRefused, ImportedForm

#: The language of the built-in definitions' texts (their gettext message ids).
BUILTIN_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class StoredTexts:
    """An imported definition's languages: its own, all of them, those an admin reviewed."""

    language: str
    languages: tuple[str, ...]
    translations: dict[str, dict[str, str]]
    reviewed: frozenset[str]


def _session() -> Session:
    maker = current_app.extensions["survey_db"]
    session: Session = maker()
    return session


class QuestionnaireRegistry(Mapping[str, Questionnaire]):
    def __init__(self, builtin: Mapping[str, Questionnaire]) -> None:
        self.builtin = dict(builtin)
        self._parsed: dict[str, Questionnaire] = {}
        self._texts: dict[str, StoredTexts] = {}

    def __getitem__(self, key: str) -> Questionnaire:
        found = self.builtin.get(key) or self._parsed.get(key)
        if found is not None:
            return found
        with _session() as s:
            row = _row(s, key)
            if row is None:
                raise KeyError(key)
            q = parse(row.definition, key)
        return self._parsed.setdefault(key, q)

    def _published(self) -> list[str]:
        with _session() as s:
            rows = s.execute(select(ImportedQuestionnaire.questionnaire_id, ImportedQuestionnaire.version)
                             .where(ImportedQuestionnaire.published.is_(True))
                             .order_by(ImportedQuestionnaire.questionnaire_id, ImportedQuestionnaire.version)).all()
        return [f"{qid}@{v}" for qid, v in rows if f"{qid}@{v}" not in self.builtin]

    def __iter__(self) -> Iterator[str]:
        return iter([*self.builtin, *self._published()])

    def __len__(self) -> int:
        return len(self.builtin) + len(self._published())

    def texts(self, key: str, fresh: bool = True) -> StoredTexts | None:
        """An imported definition's languages and translations; None for a built-in one. With
        ``fresh=False`` a copy read earlier may do: the translations never change, only which
        languages are reviewed (what a respondent's page reads on every view)."""
        if key in self.builtin:
            return None
        if not fresh and key in self._texts:
            return self._texts[key]
        with _session() as s:
            row = _row(s, key)
            if row is None:
                return None
            found = self._texts[key] = stored_texts(row)
            return found


def stored_texts(row: ImportedQuestionnaire) -> StoredTexts:
    return StoredTexts(row.language, tuple(row.languages.split()), json.loads(row.translations),
                       frozenset(row.reviewed_languages.split()))


#: ``id@version`` as stored: an id of ours and a version the database's integer holds.
_KEY = re.compile(r"([a-z][a-z0-9_]{0,47})@([1-9][0-9]{0,8})")


def _row(session: Session, key: str) -> ImportedQuestionnaire | None:
    """The stored definition ``key`` names (None for a key that cannot name one)."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    return session.scalar(select(ImportedQuestionnaire).where(
        ImportedQuestionnaire.questionnaire_id == match[1], ImportedQuestionnaire.version == int(match[2])))


def registry() -> QuestionnaireRegistry:
    found: QuestionnaireRegistry = current_app.extensions["questionnaires"]
    return found


# -- storing -----------------------------------------------------------------------------------


def _meaning(q: Question) -> tuple[object, ...]:
    """What answers under a question code mean: its type, its options with their values, its scale."""
    return (q.type, tuple((o.code, o.value) for o in q.options), tuple(p.value for p in q.scale))


def _conflicts(new: Questionnaire, earlier: Questionnaire) -> list[str]:
    problems = []
    for q in new.questions():
        if q.code not in earlier.known_codes:
            continue
        old = earlier.question(q.code)
        if q.type != old.type:
            problems.append(gettext("question %(code)s: it was a %(old)s question in %(key)s, now %(new)s",
                                    code=q.code, old=old.type, key=earlier.key, new=q.type))
            continue
        if q.scale and tuple(p.value for p in q.scale) != tuple(p.value for p in old.scale):
            problems.append(gettext("question %(code)s: its scale points differ from %(key)s", code=q.code,
                                    key=earlier.key))
        old_values = {o.code: o.value for o in old.options}
        for o in q.options:
            if o.code in old_values and old_values[o.code] != o.value:
                problems.append(gettext("question %(code)s: option %(option)s had value %(old)s in %(key)s, now "
                                        "%(new)s", code=q.code, option=o.code, old=old_values[o.code],
                                        key=earlier.key, new=o.value))
        dropped = set(old_values) - {o.code for o in q.options}
        if dropped:
            problems.append(gettext("question %(code)s: options %(options)s of %(key)s are gone; give the question "
                                    "a new code instead", code=q.code, options=sorted(dropped), key=earlier.key))
    return problems


@dataclass(frozen=True, slots=True)
class Stored:
    key: str
    #: False: the same definition was already stored under ``key``.
    new: bool


def store_form(session: Session, form: ImportedForm, published: bool) -> Stored:
    """Keep an imported form as the next version of its id (or find it already stored)."""
    q = form.questionnaire
    reg = registry()
    earlier = [v for k, v in reg.builtin.items() if v.id == q.id]
    rows = session.scalars(select(ImportedQuestionnaire).where(ImportedQuestionnaire.questionnaire_id == q.id)
                           .order_by(ImportedQuestionnaire.version)).all()
    earlier += [reg[f"{r.questionnaire_id}@{r.version}"] for r in rows]
    translations = {lang: texts for lang, texts in form.translations.items() if lang in LANGUAGES}
    for e in earlier:
        if e == q:
            stored = next((r for r in rows if r.version == e.version), None)
            if stored is None or json.loads(stored.translations) == translations:
                return Stored(e.key, new=False)
    if any(v.id == q.id for v in reg.builtin.values()):  # a later release may bring the same key
        raise FormRefused([gettext("%(id)s is a built-in questionnaire: give your form another form_id (for "
                                   "example %(id)s_local)", id=q.id)])
    problems = [p for e in earlier for p in _conflicts(q, e)]
    if problems:
        raise FormRefused(problems)
    version = max([e.version for e in earlier], default=0) + 1 if earlier else q.version
    source = q.source
    if version != q.version:
        source = _with_version(q.source, version)
    row = ImportedQuestionnaire(
        questionnaire_id=q.id, version=version, definition=source, language=form.language,
        languages=" ".join(form.languages), translations=json.dumps(translations, ensure_ascii=False, sort_keys=True),
        reviewed_languages="", published=published, imported_on=dt.date.today(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # the same version stored by another import a moment ago
        session.rollback()
        raise FormRefused([gettext("%(key)s was stored by another import just now; import the form again",
                                   key=f"{q.id}@{version}")]) from exc
    return Stored(f"{q.id}@{version}", new=True)


def _with_version(source: str, version: int) -> str:
    """The definition's TOML with another version number (the first line tomli-w wrote for it)."""
    lines = source.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("version = "):
            lines[i] = f"version = {version}\n"
            break
    out = "".join(lines)
    parse(out)  # still a definition
    return out


def mark_reviewed(session: Session, key: str, lang: str, reviewed: bool = True) -> None:
    row = _row(session, key)
    if row is None or lang not in row.languages.split():
        raise KeyError(f"{key} has no language {lang}")
    done = set(row.reviewed_languages.split())
    done = done | {lang} if reviewed else done - {lang}
    row.reviewed_languages = " ".join(sorted(done))


def imported_list(session: Session) -> list[tuple[str, StoredTexts, bool]]:
    """Every imported definition (drafts too): key, languages, published."""
    rows = session.scalars(select(ImportedQuestionnaire)
                           .order_by(ImportedQuestionnaire.questionnaire_id, ImportedQuestionnaire.version)).all()
    return [(f"{r.questionnaire_id}@{r.version}", stored_texts(r), r.published) for r in rows]


def is_published(session: Session, key: str) -> bool:
    return any(k == key and published for k, _texts, published in imported_list(session))


def publish(session: Session, key: str) -> None:
    row = _row(session, key)
    if row is None:
        raise KeyError(key)
    row.published = True
