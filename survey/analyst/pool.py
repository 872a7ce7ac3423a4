"""Decrypting an export's records on every core, in chunks, with constant memory.

The main process only reads raw lines (checking the export's count and digest as it goes) and
writes what comes back; worker processes parse, open, validate, score, format the CSV rows and
count. Each worker gets the private keys once, through its initializer, as private values (not
pickled key objects, not files), and the questionnaire definitions as TOML text. At most a few
chunks per worker are in flight, so memory does not grow with the number of responses."""

from __future__ import annotations

import csv
import io
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from cryptography.hazmat.primitives.asymmetric import ec

from .. import envelope
from ..exportfile import parse_record
from ..questionnaire import Questionnaire, parse, score
from .aggregate import Counts, fmt_number
from .csvsafe import cell
from .decrypt import Row, answer_cell, open_record

CHUNK = 1000


@dataclass(frozen=True)
class Layout:
    """What every worker needs besides the keys: definitions and the CSV columns."""

    definitions: tuple[str, ...]
    question_columns: tuple[str, ...]
    score_columns: tuple[str, ...]

    @property
    def response_header(self) -> list[str]:
        return ["response", "survey", "questionnaire", "lang", "channel", *self.question_columns]

    @property
    def score_header(self) -> list[str]:
        return ["response", "survey", "questionnaire", *self.score_columns]


@dataclass
class ChunkResult:
    responses_csv: str
    scores_csv: str
    rejected_csv: str
    counts: Counts
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, str, str]] = field(default_factory=list)
    valid: int = 0


@dataclass(frozen=True)
class Task:
    export_no: int
    survey_uid: str
    first: int
    lines: list[bytes]


class _Worker:
    keys: dict[bytes, ec.EllipticCurvePrivateKey] = {}
    questionnaires: dict[tuple[str, int], Questionnaire] = {}
    layout: Layout | None = None


def init_worker(private_values: Sequence[int], layout: Layout) -> None:
    keys = {}
    for value in private_values:
        key = ec.derive_private_key(value, ec.SECP256R1())
        keys[envelope.key_id_bytes(key.public_key())] = key
    _Worker.keys = keys
    qs = [parse(d, "definition") for d in layout.definitions]
    _Worker.questionnaires = {(q.id, q.version): q for q in qs}
    _Worker.layout = layout


MAX_EXAMPLES = 50


def process_chunk(task: Task) -> ChunkResult:
    layout = _Worker.layout
    assert layout is not None
    responses, scores_out, rejected_out = io.StringIO(), io.StringIO(), io.StringIO()
    rw, sw, xw = csv.writer(responses), csv.writer(scores_out), csv.writer(rejected_out)
    result = ChunkResult("", "", "", Counts())
    uid_cell = cell(task.survey_uid)
    for i, line in enumerate(task.lines):
        rid = f"{task.export_no}-{task.first + i}"
        opened = open_record(parse_record(line), _Worker.keys, task.survey_uid, _Worker.questionnaires)
        if not isinstance(opened, Row):
            reason, detail = opened
            result.rejected[reason] += 1
            xw.writerow([rid, cell(task.survey_uid), reason, cell(detail)])
            if len(result.examples) < MAX_EXAMPLES:
                result.examples.append((rid, reason, detail[:200]))
            continue
        q, answers = opened.questionnaire, opened.answers
        result.valid += 1
        scored = {sc.code: score(sc, q, answers) for sc in q.scores}
        row = [rid, uid_cell, cell(q.key), cell(opened.lang), cell(opened.channel)]
        for c in layout.question_columns:
            value = answers.get(c)
            row.append("" if value is None else value if type(value) is int and value >= 0 else cell(answer_cell(value)))
        rw.writerow(row)
        sw.writerow([rid, uid_cell, cell(q.key),
                     *("" if scored.get(c) is None else fmt_number(scored[c]) for c in layout.score_columns)])
        result.counts.add(task.survey_uid, q, opened.lang, opened.channel, answers, scored)
    result.responses_csv = responses.getvalue()
    result.scores_csv = scores_out.getvalue()
    result.rejected_csv = rejected_out.getvalue()
    return result


def tasks(export_no: int, survey_uid: str, lines: Iterable[bytes], size: int = CHUNK) -> Iterator[Task]:
    it = iter(lines)
    first = 1
    while batch := list(islice(it, size)):
        yield Task(export_no, survey_uid, first, batch)
        first += len(batch)


def run(
    all_tasks: Iterable[Task], private_values: Sequence[int], layout: Layout, workers: int,
    handle: Callable[[ChunkResult], None],
) -> None:
    """Process tasks in order on ``workers`` processes (in this process when 1), a bounded number
    in flight, calling ``handle`` on each result in the order of the tasks."""
    if workers <= 1:
        init_worker(private_values, layout)
        for task in all_tasks:
            handle(process_chunk(task))
        return
    window: deque[Future[ChunkResult]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                             initargs=(tuple(private_values), layout)) as pool:
        for task in all_tasks:
            window.append(pool.submit(process_chunk, task))
            if len(window) >= 3 * workers:
                handle(window.popleft().result())
        while window:
            handle(window.popleft().result())
