"""Reading an export in spans of whole lines (what the report's workers are given)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from survey.core.export_format import Record, RecordReader, parse_record, read_span, record_line, write

MANIFEST = {"survey": {"uid": "s", "title": "t"}, "questionnaire": {"id": "demo", "version": 1, "definition": ""},
            "key_id": "00"}


def _export(path: Path, n: int) -> list[bytes]:
    records = [Record(f"channel {i}", os.urandom(40 + i % 7)) for i in range(n)]
    buffer = io.BytesIO()
    write(buffer, MANIFEST, records)
    path.write_bytes(buffer.getvalue())
    return [record_line(r).rstrip(b"\n") for r in records]


def _read(reader: RecordReader, size: int) -> tuple[list[bytes], list[tuple[int, int]]]:
    lines: list[bytes] = []
    numbers = []
    fd = os.open(reader.path, os.O_RDONLY)
    try:
        for span in reader.spans(size):
            got = read_span(fd, span)
            assert len(got) == span.lines
            numbers.append((span.first, span.lines))
            lines.extend(got)
    finally:
        os.close(fd)
    return lines, numbers


def _channel(line: bytes) -> str:
    record = parse_record(line)
    assert record is not None
    return record.channel


@pytest.mark.parametrize("size", [1, 7, 100, 1 << 20])
def test_spans_cover_every_line_once_in_order(tmp_path: Path, size: int) -> None:
    expected = _export(tmp_path / "e.jsonl", 57)
    reader = RecordReader(tmp_path / "e.jsonl")
    lines, numbers = _read(reader, size)
    assert lines == expected
    assert [_channel(line) for line in lines] == [f"channel {i}" for i in range(57)]
    first = 1
    for start, count in numbers:
        assert start == first and count >= 1
        first += count
    assert reader.problems == []
    assert reader.file_sha256 and len(reader.file_sha256) == 64


@pytest.mark.parametrize("size", [5, 1 << 20])
def test_a_cut_file_keeps_its_last_partial_line_and_is_flagged(tmp_path: Path, size: int) -> None:
    path = tmp_path / "e.jsonl"
    expected = _export(path, 10)
    path.write_bytes(path.read_bytes()[:-25])  # cut inside the last line: no line end
    reader = RecordReader(path)
    lines, _numbers = _read(reader, size)
    assert lines[:9] == expected[:9] and lines[9] == expected[9][:-24]
    assert parse_record(lines[9]) is None
    assert any("digest does not match" in p for p in reader.problems)


def test_blank_and_crlf_lines_count_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    expected = _export(path, 3)
    head, *_ = path.read_bytes().split(b"\n", 1)
    path.write_bytes(head + b"\n" + expected[0] + b"\r\n\n" + expected[1] + b"\n" + expected[2] + b"\n")
    reader = RecordReader(path)
    lines, _numbers = _read(reader, 1 << 20)
    assert len(lines) == 4 and lines[1] == b""
    parsed = [parse_record(line) for line in lines]
    assert parsed[0] == parse_record(expected[0])  # the JSON path takes the \r
    assert parsed[1] is None
    assert any("manifest says 3 records, file has 4" in p for p in reader.problems)


def test_fast_path_and_json_path_agree(tmp_path: Path) -> None:
    record = Record("Street outreach", os.urandom(64))
    line = record_line(record).rstrip(b"\n")
    spaced = line.replace(b'","envelope":"', b'", "envelope": "')
    assert parse_record(line) == parse_record(spaced) == record
    escaped = record_line(Record('say "hi"\t', b"x")).rstrip(b"\n")
    assert parse_record(escaped) == Record('say "hi"\t', b"x")
    assert parse_record(line.replace(b'"envelope":"', b'"envelope":"!')) is None  # not base64
