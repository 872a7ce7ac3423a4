"""Decoding an opened plaintext: the fast JSON path accepts exactly what json.loads accepts."""

from __future__ import annotations

import json

import pytest

from survey import plaintext
from survey.questionnaire import load_directory

GOOD = {"f": 1, "questionnaire": "demo", "version": 1, "lang": "sr_Cyrl", "answers": {"age": 30}}


@pytest.mark.parametrize("text", [
    json.dumps(GOOD, separators=(",", ":")),
    json.dumps(GOOD, indent=2),
    "  " + json.dumps(GOOD) + "\n",  # surrounding whitespace: left to json.loads, still accepted
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
])
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(plaintext.PlaintextError):
        plaintext.decode(data)


def test_round_trip_through_encode() -> None:
    q = load_directory()["demo@1"]
    doc = plaintext.decode(plaintext.encode(q, "ar", {"needed_treatment": "yes"}))
    assert (doc.questionnaire, doc.version, doc.lang, doc.answers) == ("demo", 1, "ar", {"needed_treatment": "yes"})
