"""CSV cells a spreadsheet cannot run."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Text for a CSV cell; a cell that a spreadsheet would read as a formula gets a leading '."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text
