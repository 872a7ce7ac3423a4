"""Parsing JSON that comes from outside: sealed plaintexts and export files.

Strict RFC 8259 in UTF-8, through ``orjson``. Python's own ``json`` module lets through what no
standard JSON writer produces and what later code cannot handle: ``NaN`` and ``Infinity``, and
lone UTF-16 surrogates from escapes such as ``"\\ud800"``. A string holding a lone surrogate cannot
be written out as UTF-8, so one hostile response (anyone may seal to the analyst's public key)
would stop ``survey-analyst`` in the middle of writing its CSV files. ``orjson`` refuses all of
these, checks the UTF-8 itself, limits nesting depth instead of recursing without bound, and is
about twice as fast as ``json`` on the analyst's hot path.

Read by the offline analyst tool: nothing of the web stack is imported here."""

from __future__ import annotations

from typing import Any

import orjson

#: What ``loads`` raises for anything that is not strict JSON; a subclass of ``ValueError``.
#: Every caller catches it: a file nested a hundred thousand deep is refused like any other
#: malformed line, never a ``RecursionError``.
JSONError = orjson.JSONDecodeError
#: How deep arrays and objects may nest: ``orjson``'s fixed limit.
MAX_DEPTH = 1024


def loads(data: bytes | str) -> Any:
    """The JSON value in ``data``; raises ``JSONError`` for anything else (see the module)."""
    return orjson.loads(data)


def problem(exc: JSONError) -> str:
    """What is wrong, for a message to the person running the tool: nesting deeper than
    ``MAX_DEPTH`` said in words, anything else as the parser says it; with the column."""
    if str(exc).startswith("depth limit exceeded"):
        return f"arrays or objects nested too deep (more than {MAX_DEPTH} levels) at column {exc.colno}"
    return str(exc)
