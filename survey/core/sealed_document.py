"""The sealed plaintext: UTF-8 JSON with questionnaire id and version, language and answers.

Shared by the server (encode before sealing) and the analyst (decode after opening)."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from survey.core import strict_json
from survey.core.questionnaire import Answers, Questionnaire

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


def decode(data: bytes) -> Document:
    """Parse opened bytes; raises PlaintextError for anything that is not a response document."""
    try:
        doc = strict_json.loads(data)
    except strict_json.JSONError as exc:
        raise PlaintextError(f"not strict UTF-8 JSON: {str(exc).split(':')[0]}") from exc
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
