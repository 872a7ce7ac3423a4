"""The export file: one manifest line, then one JSON line per sealed record, in random order.

    line 1      {"format": "run-survey-export", "format_version": 1, "survey": ..., "records": N,
                 "records_sha256": hex, ...}
    line 2..N+1 {"channel": "<link label>", "envelope": "<base64 of the envelope bytes>"}

``records_sha256`` is SHA-256 over the record lines exactly as written, newline included.
Read by the offline analyst tool, so this module imports nothing of the web stack."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import pybase64

from survey.core import strict_json

FORMAT = "run-survey-export"
FORMAT_VERSION = 1
MAX_LINE = 200_000


class ExportFileError(ValueError):
    """The file is not an export, or has been altered or cut short."""


class Record(NamedTuple):
    """One sealed response as exported: the link's channel label and the envelope bytes."""

    channel: str
    envelope: bytes


def record_line(record: Record) -> bytes:
    doc = {"channel": record.channel, "envelope": base64.b64encode(record.envelope).decode("ascii")}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class BinaryWriter(Protocol):
    """Where an export is written: a file, a spooled buffer, or a stream that hashes as it goes."""

    def write(self, data: bytes, /) -> int: ...


def write(out: BinaryWriter, manifest: dict[str, Any], records: Iterable[Record]) -> int:
    """Write manifest and records; returns the record count. Records are spooled first (they are
    ciphertext) because the manifest that leads the file carries their count and digest."""
    digest = hashlib.sha256()
    count = 0
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
        for record in records:
            line = record_line(record)
            digest.update(line)
            spool.write(line)
            count += 1
        head = {
            **manifest,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "records": count,
            "records_sha256": digest.hexdigest(),
        }
        out.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    return count


def read_manifest(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        try:
            return _parse_manifest(fh.readline(MAX_LINE * 20))
        except ExportFileError as exc:
            raise ExportFileError(f"{path.name}: {exc}") from exc


#: The manifest's fields that the analyst tool reads, and the type each must have (as ``write``
#: and the server's export write them). A file that differs was damaged or made by hand: it is
#: refused with the field's name rather than failing later in the middle of a run.
MANIFEST_FIELDS: dict[tuple[str, ...], type] = {
    ("survey",): dict,
    ("survey", "uid"): str,
    ("survey", "title"): str,
    ("questionnaire",): dict,
    ("questionnaire", "id"): str,
    ("questionnaire", "version"): int,
    ("questionnaire", "definition"): str,
    ("key_id",): str,
    ("records",): int,
    ("records_sha256",): str,
}

#: Fields that may be absent (exports made before they existed) but, when present, must have this
#: shape: ``questionnaire.translations`` is ``{lang: {source_text: translated_text}}``.
OPTIONAL_TEXT_TABLES: tuple[tuple[str, ...], ...] = (("questionnaire", "translations"),)


def _text_tables_problem(value: Any) -> bool:
    """True unless ``value`` is a dict of dicts of text to text (keys are always text in JSON)."""
    return not isinstance(value, dict) or any(
        not isinstance(table, dict) or any(not isinstance(t, str) for t in table.values())
        for table in value.values()
    )


def _parse_manifest(line: bytes) -> dict[str, Any]:
    try:
        head = strict_json.loads(line)
    except strict_json.JSONError as exc:
        raise ExportFileError(f"line 1 is not a manifest ({strict_json.problem(exc)}): is this an export file?") from exc
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ExportFileError("not a survey export file")
    version = head.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise ExportFileError(f"export format version {str(version)[:40]} is not supported")
    for path, kind in MANIFEST_FIELDS.items():
        value: Any = head
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if type(value) is not kind or (isinstance(value, int) and value < 0):
            raise ExportFileError(f"the manifest is damaged: {'.'.join(path)} is missing or not a "
                                  f"{'whole number' if kind is int else 'text' if kind is str else 'group of fields'}")
    for path in OPTIONAL_TEXT_TABLES:
        parent: Any = head
        for key in path[:-1]:
            parent = parent[key]  # the required groups above it were checked just now
        if path[-1] in parent and _text_tables_problem(parent[path[-1]]):
            raise ExportFileError(f"the manifest is damaged: {'.'.join(path)} is not a table of texts per language")
    return head


SPAN_BYTES = 1 << 20


class Span(NamedTuple):
    """Whole record lines of an export: where they are and which record numbers they hold."""

    offset: int
    length: int
    first: int  # number of the first line in the span (the first record is 1)
    lines: int  # how many record lines it holds


class RecordReader:
    """Streams records from an export and checks count and digest when the stream ends.

    Lines that are not valid records are yielded as ``None`` (counted by the caller as
    malformed); after iteration, ``problems`` lists any mismatch with the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.manifest = read_manifest(path)
        self.problems: list[str] = []
        #: SHA-256 of the whole file, known once the records have been read (no second pass).
        self.file_sha256 = ""

    def __iter__(self) -> Iterator[Record | None]:
        for line in self.lines():
            yield parse_record(line)

    def lines(self) -> Iterator[bytes]:
        """The raw record lines, unparsed, newline removed; count and digest are checked when
        the stream ends (see ``spans``)."""
        with open(self.path, "rb") as fh:
            for span in self.spans():
                yield from read_span(fh.fileno(), span)

    def spans(self, size: int = SPAN_BYTES) -> Iterator[Span]:
        """The record lines as consecutive spans of whole lines, about ``size`` bytes each.

        The file is read in large blocks: the digests are updated block by block and line ends
        found with ``bytes.rfind``/``count``, so the cost here does not grow with the number of
        lines; worker processes read each span's lines themselves (``read_span``). When the
        stream ends, the record count and digest are compared with the manifest, and
        ``problems`` and ``file_sha256`` are set."""
        digest = hashlib.sha256()
        whole = hashlib.sha256()
        count = 0
        with open(self.path, "rb") as fh:
            head = fh.readline(MAX_LINE * 20)
            whole.update(head)
            offset, pending = len(head), 0  # pending: bytes read after the last line end
            while block := fh.read(size):
                digest.update(block)
                whole.update(block)
                cut = block.rfind(b"\n") + 1
                if not cut:  # no line end in this block: the line goes on
                    pending += len(block)
                    continue
                lines = block.count(b"\n", 0, cut)
                yield Span(offset, pending + cut, count + 1, lines)
                count += lines
                offset += pending + cut
                pending = len(block) - cut
            if pending:  # a last line without a line end
                yield Span(offset, pending, count + 1, 1)
                count += 1
        self.file_sha256 = whole.hexdigest()
        if count != self.manifest.get("records"):
            self.problems.append(f"manifest says {self.manifest.get('records')} records, file has {count}")
        if digest.hexdigest() != self.manifest.get("records_sha256"):
            self.problems.append("records digest does not match the manifest: the file was altered or cut")


def read_span(fd: int, span: Span) -> list[bytes]:
    """The record lines of a span, newline removed (read from an open file descriptor)."""
    data = os.pread(fd, span.length, span.offset)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return lines



def parse_record(line: bytes) -> Record | None:
    """One record line to a Record, or None when it is not one.

    The line goes through the strict JSON parser (:mod:`survey.core.strict_json`) and the
    envelope's base64 is decoded strictly (no stray characters, correct padding) by
    ``pybase64``: the same result as the standard library's ``binascii`` in strict mode, at a
    third of the cost, which matters at a hundred thousand records."""
    if len(line) > MAX_LINE:
        return None
    try:
        doc = strict_json.loads(line)
        channel = doc["channel"]
        envelope = pybase64.b64decode(doc["envelope"], validate=True)
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(channel, str):
        return None
    return Record(channel, envelope)


def digest_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
