"""Opening an export's records and checking every answer against the questionnaire."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric import ec

from survey.core import envelope, sealed_document as plaintext
from survey.core.export_format import Record
from survey.core.questionnaire import AnswerError, Questionnaire

# Why a record was rejected; reported to the analyst, never fatal.
UNDECRYPTABLE = "undecryptable"
MALFORMED = "malformed record"
WRONG_KEY = "sealed to a key not given"
NOT_JSON = "plaintext is not a response document"
OTHER_QUESTIONNAIRE = "unknown questionnaire or version"
INVALID = "answers do not fit the questionnaire"


class Row(NamedTuple):
    channel: str
    lang: str
    questionnaire: Questionnaire
    answers: dict[str, object]


@dataclass
class Tally:
    decrypted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def reject(self, reason: str, detail: str = "") -> None:
        self.rejected[reason] += 1
        if detail and reason not in self.examples:
            self.examples[reason] = detail[:200]

    @property
    def total(self) -> int:
        return self.decrypted + sum(self.rejected.values())


def open_record(
    record: Record | None,
    opener: envelope.Opener,
    questionnaires: Mapping[tuple[str, int], Questionnaire],
) -> Row | tuple[str, str]:
    """One record to a validated row, or (reason, detail) when it cannot be used."""
    if record is None:
        return MALFORMED, ""
    try:
        data = opener.open(record.envelope)
    except envelope.WrongKeyError as exc:
        return WRONG_KEY, str(exc)
    except envelope.OpenError as exc:
        return UNDECRYPTABLE, str(exc)
    except envelope.EnvelopeError as exc:
        return MALFORMED, str(exc)
    try:
        doc = plaintext.decode(data)
    except plaintext.PlaintextError as exc:
        return NOT_JSON, str(exc)
    q = questionnaires.get((doc.questionnaire, doc.version))
    if q is None:
        return OTHER_QUESTIONNAIRE, f"{doc.questionnaire[:48]!r} version {doc.version}"
    try:
        answers = q.validate_answers(doc.answers)
    except AnswerError as exc:
        return INVALID, "; ".join(sorted(exc.problems))[:200]
    return Row(record.channel, doc.lang, q, answers)


def open_all(
    records: Iterable[Record | None],
    keys: Mapping[bytes, ec.EllipticCurvePrivateKey],
    survey_uid: str,
    questionnaires: Mapping[tuple[str, int], Questionnaire],
    tally: Tally,
) -> Iterator[Row]:
    opener = envelope.Opener(keys, survey_uid)
    for record in records:
        result = open_record(record, opener, questionnaires)
        if isinstance(result, Row):
            tally.decrypted += 1
            yield result
        else:
            tally.reject(*result)


def answer_cell(value: object) -> str:
    """How one answer is written in a CSV cell: codes, and multiple choices joined by ';'."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)
