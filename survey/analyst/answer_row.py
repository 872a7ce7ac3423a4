"""One valid response as the workers checked it, for the writers that need answers rather than CSV
text (the XLSX, SPSS and Stata files of ``report --formats``)."""

from __future__ import annotations

from typing import NamedTuple

from survey.core.questionnaire import Answers


class AnswerRow(NamedTuple):
    response: str  # the response's id in responses.csv
    survey: str
    questionnaire: str  # the questionnaire's key, ``id@version``
    lang: str
    channel: str
    answers: Answers  # validated against the questionnaire
    scores: tuple[float | None, ...]  # in the order of the questionnaire's scores
