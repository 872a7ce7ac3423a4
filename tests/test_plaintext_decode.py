"""Decoding an opened plaintext: strict JSON in UTF-8, and only a response document."""

from __future__ import annotations

import json

import pytest

from survey.core import sealed_document as plaintext
from survey.core.questionnaire import load_directory

GOOD = {"f": 1, "questionnaire": "demo", "version": 1, "lang": "sr_Cyrl", "answers": {"age": 30}}


@pytest.mark.parametrize("text", [
    json.dumps(GOOD, separators=(",", ":")),
    json.dumps(GOOD, indent=2),
    "  " + json.dumps(GOOD) + "\n",  # surrounding whitespace is allowed by JSON
])
def test_well_formed_documents_decode(text: str) -> None:
    doc = plaintext.decode(text.encode("utf-8"))
    assert doc == plaintext.Document("demo", 1, "sr_Cyrl", {"age": 30})


@pytest.mark.parametrize("data", [
    json.dumps(GOOD).encode() + b" {}",  # trailing data after the document
    json.dumps({**GOOD, "lang": "en\n"}).encode(),  # "$" alone would let a final newline through
    json.dumps({**GOOD, "lang": "EN"}).encode(),
    json.dumps({**GOOD, "version": True}).encode(),
    json.dumps({**GOOD, "answers": []}).encode(),
    json.dumps({**GOOD, "f": 2}).encode(),
    b"\xff\xfe{}",
    b"[]",
    b"",
    # A lone surrogate escape decodes to a string that cannot be written out as UTF-8: Python's
    # json module lets it through, and one such response would stop the analyst's CSV writer.
    json.dumps({**GOOD, "answers": {"comment": "a\ud800b"}}).encode(),
    json.dumps({**GOOD, "answers": {"\udc00": 1}}).encode(),
    json.dumps({**GOOD, "answers": {"age": float("nan")}}).encode(),  # NaN: not JSON
    json.dumps({**GOOD, "answers": {"age": float("inf")}}).encode(),  # Infinity: not JSON
    b"[" * 5000 + b"]" * 5000,  # nesting is bounded, never a RecursionError
    b"[" * 100_000,
    b'{"a":' * 100_000,
    json.dumps({**GOOD, "answers": {"comment": 1}}).encode()[:-2] + b'[' * 100_000,
])
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(plaintext.PlaintextError):
        plaintext.decode(data)


def test_escaped_surrogate_pairs_and_unicode_are_kept() -> None:
    doc = plaintext.decode(json.dumps({**GOOD, "answers": {"comment": "tak 😀 ĳ"}}).encode("ascii"))
    assert doc.answers == {"comment": "tak 😀 ĳ"}


def test_round_trip_through_encode() -> None:
    q = load_directory()["demo@1"]
    doc = plaintext.decode(plaintext.encode(q, "ar", {"needed_treatment": "yes"}))
    assert (doc.questionnaire, doc.version, doc.lang, doc.answers) == ("demo", 1, "ar", {"needed_treatment": "yes"})


@pytest.mark.parametrize("value", [[[[[["deep"]]]]], {"a": {"b": {"c": 1}}}, json.loads("[" * 300 + "]" * 300),
                                   True, 1.5, -(2**63), ["yes", ["no"]], {"needed_treatment": "yes"}])
def test_answers_of_any_shape_are_refused_not_a_crash(value: object) -> None:
    """A document within the depth limit, whose answers are nested values: the validator refuses
    each answer that is not of its question's type."""
    from survey.core.questionnaire import AnswerError

    q = load_directory()["demo@1"]
    doc = plaintext.decode(json.dumps({**GOOD, "answers": {"needed_treatment": "no", "comment": value,
                                                           "barriers": value, "age": value}}).encode())
    with pytest.raises(AnswerError):
        q.validate_answers(doc.answers)
