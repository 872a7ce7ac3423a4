"""Opening an export's records and checking every answer against the questionnaire."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from survey.core import envelope, sealed_document
from survey.core.export_format import Record
from survey.core.questionnaire import AnswerError, Answers, Questionnaire

# Why a record was rejected; reported to the analyst, never fatal.
UNDECRYPTABLE = "undecryptable"
MALFORMED = "malformed record"
WRONG_KEY = "sealed to a key not given"
NOT_JSON = "plaintext is not a response document"
OTHER_QUESTIONNAIRE = "unknown questionnaire or version"
INVALID = "answers do not fit the questionnaire"
WRONG_PARTIAL = "a trustee's partial decryption is wrong"

#: Opens record ``number``'s envelope: ``envelope.Opener.open`` with the whole key, or the
#: combining of trustees' partials (:mod:`survey.analyst.combine`), which needs the number.
Unseal = Callable[[int, bytes], bytes]


class WrongPartialError(envelope.OpenError):
    """The envelope did not open, and a trustee's partial for it fails its proof (the message
    names the trustee)."""


class Row(NamedTuple):
    channel: str
    lang: str
    questionnaire: Questionnaire
    answers: Answers


def open_record(
    record: Record | None,
    number: int,
    unseal: Unseal,
    questionnaires: Mapping[tuple[str, int], Questionnaire],
) -> Row | tuple[str, str]:
    """Record ``number`` to a validated row, or (reason, detail) when it cannot be used."""
    if record is None:
        return MALFORMED, ""
    try:
        data = unseal(number, record.envelope)
    except envelope.WrongKeyError as exc:
        return WRONG_KEY, str(exc)
    except WrongPartialError as exc:
        return WRONG_PARTIAL, str(exc)
    except envelope.OpenError as exc:
        return UNDECRYPTABLE, str(exc)
    except envelope.EnvelopeError as exc:
        return MALFORMED, str(exc)
    try:
        doc = sealed_document.decode(data)
    except sealed_document.PlaintextError as exc:
        return NOT_JSON, str(exc)
    q = questionnaires.get((doc.questionnaire, doc.version))
    if q is None:
        return OTHER_QUESTIONNAIRE, f"{doc.questionnaire[:48]!r} version {doc.version}"
    try:
        answers = q.validate_answers(doc.answers)
    except AnswerError as exc:
        return INVALID, "; ".join(sorted(exc.problems))[:200]
    return Row(record.channel, doc.lang, q, answers)


def answer_cell(value: object) -> str:
    """How one answer is written in a CSV cell: codes, and multiple choices joined by ';'."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)
