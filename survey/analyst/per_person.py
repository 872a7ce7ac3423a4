"""Which of the analyst's outputs are per-person data: one row (or case) per response, with every
answer a person gave, free text included. They stay with the analyst and are never shared or
published; the aggregates, the codebook and the report are what may be shared.

The terminal summary of ``decrypt`` and ``report`` names them, and ``run.json`` lists them under
``per_person``."""

from __future__ import annotations

from collections.abc import Iterable

#: Files named ``<stem>.<anything>`` with these stems hold one row per response (or per rejected
#: record, with what it carried).
PER_PERSON_STEMS = ("responses", "scores", "rejected")
#: Statistics formats whose files hold the responses, whatever their name.
PER_PERSON_SUFFIXES = (".xlsx", ".sav", ".dta")

WARNING = "per-person data, keep it on this computer and never share or publish it"


def is_per_person(name: str) -> bool:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return stem in PER_PERSON_STEMS or f".{suffix}".lower() in PER_PERSON_SUFFIXES


def per_person(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are per-person data, sorted."""
    return sorted(n for n in names if is_per_person(n))


def summary_line(names: Iterable[str]) -> str:
    """The terminal line naming the per-person files among ``names``."""
    return f"{', '.join(per_person(names))}: {WARNING}"
