"""The sealed plaintext: UTF-8 JSON with questionnaire id and version, language and answers.

Shared by the server (encode before sealing) and the analyst (decode after opening)."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from .questionnaire import Answers, Questionnaire

FORMAT = 1
LANG_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")


class PlaintextError(ValueError):
    """The opened bytes are not a well-formed response document."""


class Document(NamedTuple):
    questionnaire: str
    version: int
    lang: str
    answers: dict[str, Any]


def encode(q: Questionnaire, lang: str, answers: Answers) -> bytes:
    doc = {
        "f": FORMAT,
        "questionnaire": q.id,
        "version": q.version,
        "lang": lang,
        "answers": answers,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


_DECODER = json.JSONDecoder()


def _parse_json(text: str) -> Any:
    """``json.loads``, minus its wrapper's cost for text with no surrounding whitespace (what
    every sealer writes); anything else is left to ``json.loads`` itself."""
    try:
        doc, end = _DECODER.raw_decode(text)
        if end == len(text):
            return doc
    except ValueError:
        pass
    return json.loads(text)


def decode(data: bytes) -> Document:
    """Parse opened bytes; raises PlaintextError for anything that is not a response document."""
    try:
        doc = _parse_json(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PlaintextError(f"not UTF-8 JSON: {type(exc).__name__}") from exc
    if not isinstance(doc, dict) or doc.get("f") != FORMAT:
        raise PlaintextError("not a response document (format 1)")
    qid, version, lang, answers = doc.get("questionnaire"), doc.get("version"), doc.get("lang"), doc.get("answers")
    if type(qid) is not str or type(version) is not int:
        raise PlaintextError("questionnaire id or version missing")
    if type(lang) is not str or not LANG_RE.fullmatch(lang):
        raise PlaintextError("language code missing or malformed")
    if type(answers) is not dict:
        raise PlaintextError("answers missing")
    return Document(qid, version, lang, answers)
