"""The one path from export files to validated rows, used by ``decrypt`` and ``report`` alike.

Every record is parsed, opened, checked against its questionnaire and scored by the worker
pool (:mod:`survey.analyst.pool`); this module feeds it the exports' spans, writes the CSV text
that comes back (``responses.csv`` always; ``scores.csv`` and ``rejected.csv`` when asked) and
adds up the counts, rejections and problems in an :class:`Outcome`."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO

from survey.analyst.answer_row import AnswerRow
from survey.analyst.outcome import Outcome
from survey.analyst.pool import MAX_EXAMPLES, ChunkResult, Layout, Task, run, tasks
from survey.analyst.progress import Progress
from survey.analyst.unsealing import Unsealing
from survey.core.export_format import RecordReader, digest_file
from survey.core.questionnaire import Questionnaire

REJECTED_HEADER = ["response", "survey", "reason", "detail"]


def layout_for(questionnaires: list[Questionnaire]) -> Layout:
    """The CSV columns of every questionnaire together: codes and scores in first-seen order."""
    codes: dict[str, None] = {}
    scores: dict[str, None] = {}
    for q in questionnaires:
        codes.update(dict.fromkeys(q.codes))
        scores.update(dict.fromkeys(sc.code for sc in q.scores))
    return Layout(tuple(q.source for q in questionnaires), tuple(codes), tuple(scores))


@dataclass(frozen=True)
class Outputs:
    """Where the per-record CSVs go; ``None`` leaves one out."""

    responses: IO[str]
    scores: IO[str] | None = None
    rejected: IO[str] | None = None
    #: Every valid response's answers, appended in the order of the CSV rows (for the XLSX, SPSS
    #: and Stata files); ``None``: the workers do not send them.
    answers: list[AnswerRow] | None = None


def decrypt_exports(
    readers: list[RecordReader], unsealing: Unsealing, outcome: Outcome,
    outputs: Outputs, started: Callable[[], None] = lambda: None,
) -> None:
    """Decrypt and check every record of ``readers`` into ``outputs``, adding up in ``outcome``
    (which names the questionnaires and the worker count), with the whole keys or the trustees'
    partials of ``unsealing``."""
    wrong_partials: Counter[str] = Counter()
    layout = replace(layout_for(outcome.questionnaires), keep_answers=outputs.answers is not None)
    progress = Progress(sum(int(r.manifest.get("records", 0) or 0) for r in readers))
    csv.writer(outputs.responses).writerow(layout.response_header)
    if outputs.scores is not None:
        csv.writer(outputs.scores).writerow(layout.score_header)
    if outputs.rejected is not None:
        csv.writer(outputs.rejected).writerow(REJECTED_HEADER)

    def handle(result: ChunkResult) -> None:
        outputs.responses.write(result.responses_csv)
        if outputs.scores is not None:
            outputs.scores.write(result.scores_csv)
        if outputs.rejected is not None:
            outputs.rejected.write(result.rejected_csv)
        outcome.counts.merge(result.counts)
        if outputs.answers is not None:
            outputs.answers.extend(result.answers)
        outcome.valid += result.valid
        outcome.rejected.update(result.rejected)
        outcome.records += result.valid + sum(result.rejected.values())
        room = MAX_EXAMPLES - len(outcome.examples)
        outcome.examples.extend(result.examples[: max(room, 0)])
        wrong_partials.update(result.wrong_partials)
        progress.update(outcome.records)

    def all_tasks() -> Iterator[Task]:
        for no, reader in enumerate(readers, start=1):
            yield from tasks(no, reader)

    begun = time.perf_counter()
    run(all_tasks(), unsealing, layout, outcome.settings.workers, handle, started=started)
    outcome.decrypt_seconds = time.perf_counter() - begun
    progress.done()
    if wrong_partials:
        from survey.analyst.combine import wrong_partials as wrong_partials_problems

        outcome.problems.extend(wrong_partials_problems(wrong_partials))
    for reader in readers:
        outcome.problems.extend(f"{reader.path.name}: {p}" for p in reader.problems)
        m = reader.manifest
        q = m.get("questionnaire", {})
        outcome.inputs.append({
            "file": reader.path.name,
            "sha256": reader.file_sha256 or digest_file(reader.path),
            "survey": str(m.get("survey", {}).get("uid", "")),
            "survey_title": str(m.get("survey", {}).get("title", "")),
            "questionnaire": f"{q.get('id', '')}@{q.get('version', '')}",
            "key_id": str(m.get("key_id", "")),
            "records": m.get("records"),
            "problems": list(reader.problems),
        })
