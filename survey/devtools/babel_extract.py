"""Babel extraction method for questionnaire TOML files (``survey_toml`` in babel.cfg).

Yields every translatable string of a definition, with a comment naming where it is used, so
``pybabel extract`` collects questionnaire text together with templates and code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from survey.core.questionnaire import parse


def extract_questionnaire(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    source = fileobj.read().decode("utf-8")
    q = parse(source, getattr(fileobj, "name", "<questionnaire>"))
    lines = source.splitlines()
    for message, where in q.strings():
        lineno = next((i + 1 for i, line in enumerate(lines) if message[:40] in line), 1)
        yield lineno, None, message, [where]
