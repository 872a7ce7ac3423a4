"""The XLSForm columns this platform reads and writes, shared by the import and the export.

Standard XLSForm columns carry everything ODK or Kobo understand (types, names, labels and hints per
language, ``required``, ``relevant``, ``constraint``, ``appearance``). What XLSForm has no column
for travels in a few extra columns that other tools ignore (pyxform passes unknown columns through):
``prefer_not_to_say`` and ``sort_options`` on questions, ``numeric_value`` and ``last`` on choices,
``score_*`` on the ``calculate`` rows that define scores, ``notes`` in the settings.
"""

from __future__ import annotations

import re

from survey.core.languages import LANGUAGES

#: A language column's suffix as XLSForm writes it: ``label::English (en)``.
LANGUAGE_RE = re.compile(r"^(?P<name>.*\S)\s*\((?P<code>[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)?)\)$")

#: Our extra columns (read and written as they are named here).
PREFER_NOT_TO_SAY = "prefer_not_to_say"
SORT_OPTIONS = "sort_options"
NUMERIC_VALUE = "numeric_value"
LAST = "last"
SCORE_ITEMS = "score_items"
SCORE_REVERSE = "score_reverse"
SCORE_METHOD = "score_method"
SCORE_MIN_ITEMS = "score_min_items"
NOTES = "notes"

#: The appearance that makes a ``select_one`` of whole-number choices one of our rating scales.
LIKERT = "likert"

#: A number question's range and a text question's length, as the export writes them.
#: Either alone or followed by `` and (...)``, the question's own constraint.
RANGE_RE = re.compile(r"^\s*\.\s*>=\s*(-?[0-9]{1,9})\s+and\s+\.\s*<=\s*(-?[0-9]{1,9})\s*(?:and\s+\((.*)\))?\s*$",
                      re.DOTALL)
LENGTH_RE = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*<=\s*([0-9]{1,5})\s*(?:and\s+\((.*)\))?\s*$", re.DOTALL)
#: A condition the built-in ``show_if`` expresses: one question, any of some options.
SELECTED_RE = re.compile(r"^\s*selected\(\s*\$\{([a-z][a-z0-9_]*)\}\s*,\s*'([a-z0-9][a-z0-9_]*)'\s*\)\s*$")

#: Whole numbers a number question takes when its form sets no range (read_entry's nine digits).
WIDEST_RANGE = (-999_999_999, 999_999_999)


def language_column(code: str) -> str:
    """``English (en)``: how a language is named in a ``label::`` column."""
    return f"{LANGUAGES.get(code, code)} ({code})"


def yes(value: str | None) -> bool:
    """An XLSForm boolean cell (``yes``, ``true``, ``true()``, ``1``) as a bool."""
    return (value or "").strip().lower() in ("yes", "true", "true()", "1")


def is_boolean(value: str | None) -> bool:
    return (value or "").strip().lower() in ("", "yes", "no", "true", "false", "true()", "false()", "1", "0")
