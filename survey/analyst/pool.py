"""Decrypting an export's records on every core, in spans, with constant memory.

The main process reads the export in large blocks, checking its count and digest and cutting it
into spans of whole lines (``RecordReader.spans``), and writes what comes back; worker processes
read their span's lines from the file themselves, then parse, open, validate, score, format the
CSV rows and count. Each worker gets the private keys once, through its initializer, as private
values (not pickled key objects, not files), or, with threshold custody, where the trustees'
partial decryptions are (:mod:`survey.analyst.combine`), and the questionnaire definitions as
TOML text. At
most a few spans per worker are in flight, so memory does not grow with the number of responses."""

from __future__ import annotations

import csv
import io
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import ec

from survey.analyst.aggregate import CountedRow, Counts, fmt_number
from survey.analyst.answer_row import AnswerRow
from survey.analyst.decrypt import Row, Unseal, answer_cell, open_record
from survey.analyst.unsealing import Partials, Unsealing, WholeKeys
from survey.core import envelope
from survey.core.export_format import RecordReader, Span, parse_record, read_span
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Questionnaire, parse, score
from survey.core.spreadsheet_cells import cell

if TYPE_CHECKING:
    from survey.analyst.combine import SpanCombiner


@dataclass(frozen=True)
class Layout:
    """What every worker needs besides the keys: definitions and the CSV columns."""

    definitions: tuple[str, ...]
    question_columns: tuple[str, ...]
    score_columns: tuple[str, ...]
    #: Send every valid response's answers back too (``ChunkResult.answers``), for the writers of
    #: ``report --formats xlsx,sav,dta``; CSV alone does without.
    keep_answers: bool = False

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
    wrong_partials: Counter[str] = field(default_factory=Counter)  # trustee -> records whose partial failed
    answers: list[AnswerRow] = field(default_factory=list)  # only with Layout.keep_answers


@dataclass(frozen=True)
class Task:
    """A span of one export's record lines; the worker reads the lines itself."""

    export_no: int
    survey_uid: str
    path: str
    span: Span


@dataclass(frozen=True)
class _Columns:
    """How one questionnaire's responses become CSV rows under the shared layout."""

    key_cell: str
    questions: tuple[str, ...]  # the layout's question columns (codes not in q give "")
    safe: frozenset[str]  # option codes: lowercase identifiers, never a formula, written as they are
    score_index: tuple[int | None, ...]  # for each layout score column, its place in q.scores

    @classmethod
    def of(cls, q: Questionnaire, layout: Layout) -> _Columns:
        safe = {PREFER_NOT_TO_SAY}
        for question in q.questions():
            safe.update(question.option_codes)
        where = {sc.code: i for i, sc in enumerate(q.scores)}
        return cls(cell(q.key), layout.question_columns, frozenset(safe),
                   tuple(where.get(c) for c in layout.score_columns))


class _WholeKey:
    """``Unseal`` with the analyst's whole keys: the record number is not needed."""

    def __init__(self, opener: envelope.Opener) -> None:
        self._open = opener.open

    def __call__(self, _number: int, envelope_bytes: bytes) -> bytes:
        return self._open(envelope_bytes)


class _Worker:
    keys: dict[bytes, ec.EllipticCurvePrivateKey] = {}
    partials: Partials | None = None
    questionnaires: dict[tuple[str, int], Questionnaire] = {}
    columns: dict[tuple[str, int], _Columns] = {}
    layout: Layout | None = None
    files: dict[str, int] = {}  # export path -> open descriptor, for the life of the process
    openers: dict[str, _WholeKey] = {}  # survey uid -> its opener


def init_worker(unsealing: Unsealing, layout: Layout) -> None:
    keys = {}
    if isinstance(unsealing, WholeKeys):
        for value in unsealing.private_values:
            key = ec.derive_private_key(value, ec.SECP256R1())
            keys[envelope.key_id_bytes(key.public_key())] = key
        _Worker.partials = None
    else:
        _Worker.partials = unsealing
    _Worker.keys = keys
    _Worker.openers = {}
    qs = [parse(d, "definition") for d in layout.definitions]
    _Worker.questionnaires = {(q.id, q.version): q for q in qs}
    _Worker.columns = {(q.id, q.version): _Columns.of(q, layout) for q in qs}
    _Worker.layout = layout


MAX_EXAMPLES = 50


def _answer_text(value: object) -> str:
    """A CSV cell for an answer that is not a plain code or a non-negative whole number."""
    return cell(answer_cell(value))


def process_chunk(task: Task) -> ChunkResult:
    questionnaires, all_columns = _Worker.questionnaires, _Worker.columns
    uid = task.survey_uid
    combiner: SpanCombiner | None = None
    unseal: Unseal
    if _Worker.partials is not None:
        from survey.analyst.combine import SpanCombiner  # PyCryptodome: only with threshold custody

        unseal = combiner = SpanCombiner(_Worker.partials.by_export[task.path], uid, task.path, task.span)
    else:
        opener = _Worker.openers.get(uid)
        if opener is None:
            opener = _Worker.openers[uid] = _WholeKey(envelope.Opener(_Worker.keys, uid))
        unseal = opener
    uid_cell = cell(uid)
    result = ChunkResult("", "", "", Counts())
    response_rows: list[list[object]] = []
    score_rows: list[list[object]] = []
    rejected_rows: list[list[str]] = []
    counted: dict[tuple[str, int], list[CountedRow]] = {}
    channel_cells: dict[str, str] = {}
    prefix = f"{task.export_no}-"
    keep_answers = _Worker.layout is not None and _Worker.layout.keep_answers
    fd = _Worker.files.get(task.path)
    if fd is None:
        fd = _Worker.files[task.path] = os.open(task.path, os.O_RDONLY)
    for number, line in enumerate(read_span(fd, task.span), task.span.first):
        opened = open_record(parse_record(line), number, unseal, questionnaires)
        if not isinstance(opened, Row):
            reason, detail = opened
            result.rejected[reason] += 1
            rejected_rows.append([f"{prefix}{number}", uid_cell, reason, cell(detail)])
            if len(result.examples) < MAX_EXAMPLES:
                result.examples.append((f"{prefix}{number}", reason, detail[:200]))
            continue
        channel, lang, q, answers = opened
        qkey = (q.id, q.version)
        columns = all_columns[qkey]
        scores = [score(sc, answers) for sc in q.scores]
        rid = f"{prefix}{number}"
        channel_cell = channel_cells.get(channel)
        if channel_cell is None:
            channel_cell = channel_cells[channel] = cell(channel)
        safe = columns.safe
        # lang matched the plaintext's language pattern: letters and "_", never a formula. An
        # int answer was checked against its question and stays a number, negative ones too
        # (survey.core.spreadsheet_cells); other text goes through cell().
        response_rows.append([rid, uid_cell, columns.key_cell, lang, channel_cell, *[
            "" if v is None else v if (v in safe if type(v) is str else type(v) is int)
            else _answer_text(v)
            for v in map(answers.get, columns.questions)]])
        score_rows.append([rid, uid_cell, columns.key_cell, *[
            "" if i is None else _score_text(scores[i]) for i in columns.score_index]])
        rows = counted.get(qkey)
        if rows is None:
            rows = counted[qkey] = []
        rows.append((lang, channel, answers, scores))
        if keep_answers:
            result.answers.append(AnswerRow(rid, uid, q.key, lang, channel, answers, tuple(scores)))
    result.valid = len(response_rows)
    if combiner is not None:
        result.wrong_partials = combiner.wrong
    for qkey, rows in counted.items():
        result.counts.add_rows(uid, questionnaires[qkey], rows)
    result.responses_csv = _csv_text(response_rows)
    result.scores_csv = _csv_text(score_rows)
    result.rejected_csv = _csv_text(rejected_rows)
    return result


def _score_text(value: float | None) -> str:
    return "" if value is None else fmt_number(value)


def _csv_text(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def tasks(export_no: int, reader: RecordReader) -> Iterator[Task]:
    uid = str(reader.manifest.get("survey", {}).get("uid", ""))
    path = str(reader.path)
    for span in reader.spans():
        yield Task(export_no, uid, path, span)


def run(
    all_tasks: Iterable[Task], unsealing: Unsealing, layout: Layout, workers: int,
    handle: Callable[[ChunkResult], None], started: Callable[[], None] = lambda: None,
) -> None:
    """Process tasks in order on ``workers`` processes (in this process when 1), a bounded number
    in flight, calling ``handle`` on each result in the order of the tasks.

    ``started`` is called once every worker process exists: from then on the main process may
    start threads without any being copied, mid-import, into a forked worker."""
    if workers <= 1:
        started()
        init_worker(unsealing, layout)
        for task in all_tasks:
            handle(process_chunk(task))
        return
    window: deque[Future[ChunkResult]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                             initargs=(unsealing, layout)) as pool:
        pool.submit(abs, 0).result()  # with fork, the first submit starts every worker
        started()
        for task in all_tasks:
            window.append(pool.submit(process_chunk, task))
            if len(window) >= 3 * workers:
                handle(window.popleft().result())
        while window:
            handle(window.popleft().result())
