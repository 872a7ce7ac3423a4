"""``survey-analyst report``: exports in, a folder of publishable evidence out.

Writes responses.csv, scores.csv, rejected.csv and the codebook as rows arrive; aggregates.csv,
report.html and run.json once every export has been read."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import sys
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import IO

from survey.analyst.aggregate import ALL, STATUS_TEXT, Publisher, Table
from survey.analyst.answer_row import AnswerRow
from survey.analyst.labels import translations_in
from survey.analyst.outcome import Outcome, Settings
from survey.analyst.output_formats import extra_files
from survey.analyst.per_person import per_person, summary_line
from survey.analyst.pipeline import Outputs, decrypt_exports
from survey.analyst.terminal import say
from survey.analyst.unsealing import Unsealing
from survey.core import envelope
from survey.core.export_format import RecordReader, digest_file
from survey.core.questionnaire import Questionnaire
from survey.core.spreadsheet_cells import cell


def tool_version() -> str:
    try:
        return metadata.version("run-survey")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def build(
    readers: list[RecordReader], questionnaires: list[Questionnaire],
    unsealing: Unsealing, key_ids: list[str], out: Path, settings: Settings,
) -> Outcome:
    out.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(settings, [], key_ids, questionnaires)
    for reader in readers:  # several exports of one questionnaire may offer other languages
        q = reader.manifest["questionnaire"]
        merged = outcome.translations.setdefault(f"{q['id']}@{q['version']}", {})
        for lang, texts in translations_in(reader.manifest).items():
            merged.setdefault(lang, {}).update(texts)
    with (
        open(out / "responses.csv", "w", newline="", encoding="utf-8") as responses,
        open(out / "scores.csv", "w", newline="", encoding="utf-8") as scores,
        open(out / "rejected.csv", "w", newline="", encoding="utf-8") as rejected,
    ):
        # matplotlib takes about half a second to import: do it while the workers decrypt.
        charts = threading.Thread(target=importlib.import_module, args=(f"{__package__}.html",), daemon=True)
        answers: list[AnswerRow] | None = [] if len(settings.formats) > 1 else None  # for xlsx, sav, dta
        decrypt_exports(readers, unsealing, outcome, Outputs(responses, scores, rejected, answers), started=charts.start)
        charts.join()
    outcome.tables = Publisher(outcome.counts, questionnaires, settings.k, settings.epsilon).tables()
    write_aggregates(out / "aggregates.csv", outcome.tables)
    write_codebook(out / "codebook.csv", questionnaires)
    if answers is not None:
        from survey.analyst.labels import Labels
        from survey.analyst.output_formats import write_formats

        labels = {q.key: Labels(q, outcome.translations.get(q.key), settings.lang) for q in questionnaires}
        write_formats(settings.formats, out, questionnaires, labels, answers,
                      [AGGREGATE_HEADER, *aggregate_rows(outcome.tables)])
        del answers
    from survey.analyst.html import write_report  # matplotlib: imported by the thread above, not before

    write_report(out / "report.html", outcome)
    write_run(out / "run.json", outcome, out)
    return outcome


AGGREGATE_HEADER = ["table", "questionnaire", "variable", "by", "group", "category", "statistic", "value", "status"]


def aggregate_rows(tables: list[Table]) -> Iterator[list[object]]:
    """The rows of aggregates.csv under AGGREGATE_HEADER, values unformatted (None when hidden);
    the XLSX aggregates sheet has the same rows."""
    for t in tables:
        for group, row in zip(t.rows, t.cells, strict=True):
            for col, c in zip(t.columns, row, strict=True):
                category, statistic = (col, "count") if t.statistic else ("", col)
                yield [t.kind, t.questionnaire, t.variable, t.by, group, category, statistic, c.value,
                       STATUS_TEXT.get(c.status, "")]
        for category, (share, low, high) in t.intervals.items():
            for statistic, value in (("proportion", share), ("ci95_low", low), ("ci95_high", high)):
                yield [t.kind, t.questionnaire, t.variable, t.by, ALL, category, statistic, round(value, 4), ""]


def write_aggregates(path: Path, tables: list[Table]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(AGGREGATE_HEADER)
        for row in aggregate_rows(tables):
            w.writerow([cell(x) for x in row])


def write_codebook(path: Path, questionnaires: list[Questionnaire]) -> None:
    """The codebook of each questionnaire, from the one place that knows how (survey.core.codebook)."""
    from survey.core.codebook import COLUMNS, codebook_rows

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for q in questionnaires:
            for row in codebook_rows(q):
                w.writerow([cell(row.get(c, "")) for c in COLUMNS])


def write_run(path: Path, outcome: Outcome, out: Path) -> None:
    outputs = {name: digest_file(out / name) for name in
               ("responses.csv", "scores.csv", "rejected.csv", "aggregates.csv", "codebook.csv", "report.html",
                *extra_files(outcome.settings.formats))}
    doc = {
        "tool": "survey-analyst report",
        "version": tool_version(),
        "date": dt.date.today().isoformat(),
        "settings": {"k": outcome.settings.k, "epsilon": outcome.settings.epsilon,
                     "workers": outcome.settings.workers, "lang": outcome.settings.lang},
        "inputs": outcome.inputs,
        "key_ids": outcome.key_ids,
        "questionnaires": [q.key for q in outcome.questionnaires],
        "counts": {"records": outcome.records, "valid": outcome.valid, "rejected": dict(outcome.rejected)},
        "problems": outcome.problems,
        "outputs_sha256": outputs,
        "per_person": per_person(outputs),
        "envelope_suite": envelope.SUITE_NAME,
    }
    # ASCII with \u escapes: a title or file name from an export cannot put a control character
    # (C1 CSI U+009B, U+202E...) into a file someone may print on a terminal; no text is lost.
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")


def print_summary(outcome: Outcome, out: Path, stream: IO[str] = sys.stderr) -> None:
    rate = outcome.records / outcome.decrypt_seconds if outcome.decrypt_seconds else 0.0
    say(f"{outcome.valid} responses decrypted and valid "
        f"({outcome.records} records read in {outcome.decrypt_seconds:.1f}s, {rate:,.0f}/s)", stream)
    for reason, n in sorted(outcome.rejected.items()):
        say(f"{n} rejected: {reason}", stream)
    for p in outcome.problems:
        say(f"WARNING: {p}", stream)
    for line in outcome.export_digests():
        say(line, stream)
    extra = "".join(f", {name}" for name in extra_files(outcome.settings.formats))
    say(f"wrote {out}/ (report.html, aggregates.csv, responses.csv, scores.csv, codebook.csv{extra}, run.json)", stream)
    say(summary_line(f.name for f in out.iterdir()), stream)

