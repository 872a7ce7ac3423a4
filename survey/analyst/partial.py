"""``survey-analyst partial``: one trustee's contribution to decrypting an export, on every core.

For each record whose envelope is sealed to the shared key, the trustee's share ``s_i`` times the
envelope's encapsulated point ``E`` (:class:`survey.analyst.group.SecretMultiplier`), with a
batched DLEQ proof per span of records (:mod:`survey.analyst.dleq`) that lets the combining
analyst name this trustee if an entry is wrong. Nothing is decrypted here and the share never
leaves this machine; the file written is :mod:`survey.analyst.partial_file`."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from survey.analyst import dleq, group
from survey.analyst.key_shares import ShareFile, write_secret_file
from survey.analyst.partial_file import NO_ENTRY, BlockProof, PartialHeader, block_context, header_line, trailer_line
from survey.core import envelope
from survey.core.export_format import RecordReader, Span, parse_record, read_span


class PartialError(ValueError):
    """The export and the share do not go together, or the export is damaged."""


@dataclass(frozen=True)
class _Job:
    secret: int
    key_id: bytes
    context: bytes
    export: str


class _Trustee:
    job: _Job | None = None
    multiplier: group.SecretMultiplier | None = None
    fd = -1


def _init(job: _Job) -> None:
    _Trustee.job = job
    _Trustee.multiplier = group.SecretMultiplier(job.secret)
    _Trustee.fd = os.open(job.export, os.O_RDONLY)


def _block(span: Span) -> tuple[bytes, BlockProof, int]:
    job, multiplier = _Trustee.job, _Trustee.multiplier
    assert job is not None and multiplier is not None
    entries = bytearray()
    pairs: list[tuple[int, bytes, bytes]] = []
    bases: list[group.Point] = []
    for number, line in enumerate(read_span(_Trustee.fd, span), span.first):
        entry = NO_ENTRY
        record = parse_record(line)
        if record is not None:
            try:
                if envelope.parse_header(record.envelope).key_id == job.key_id:
                    enc = bytes(record.envelope[envelope.HEADER_SIZE : envelope.HEADER_SIZE + envelope.ENC_SIZE])
                    entry, base = multiplier.partial(enc)
                    pairs.append((number, enc, entry))
                    bases.append(base)
            except (envelope.EnvelopeError, group.PointError):
                entry = NO_ENTRY
        entries += entry
    proof = (dleq.prove(job.secret, block_context(job.context, *span), pairs, bases) if pairs
             else bytes(dleq.PROOF_SIZE))
    return bytes(entries), BlockProof(span.offset, span.length, span.first, span.lines, proof), len(pairs)


@dataclass(frozen=True)
class Summary:
    records: int
    partials: int
    file_sha256: str


def compute(reader: RecordReader, share: ShareFile, out: Path, workers: int,
            progress: Callable[[int], None] = lambda _n: None) -> Summary:
    """Write the partial of ``share`` for every record of ``reader`` into ``out`` (created 0600;
    removed again if anything fails)."""
    manifest = reader.manifest
    if manifest["key_id"] != share.share.key_id_hex:
        raise PartialError(f"{reader.path.name} is sealed to key {envelope.format_key_id(manifest['key_id'])}, "
                           f"but this is a share of key {envelope.format_key_id(share.share.key_id_hex)}")
    header = PartialHeader(manifest["survey"]["uid"], manifest["records"], manifest["records_sha256"],
                           manifest["key_id"], share.share.index, share.trustee, share.public)
    job = _Job(share.share.value, share.share.key_id, header.context(), str(reader.path))
    write_secret_file(out, header_line(header))
    try:
        proofs, partials, done = _run(reader, job, out, workers, progress)
        if reader.problems:
            raise PartialError(f"{reader.path.name}: {'; '.join(reader.problems)}: ask for a fresh export")
        with open(out, "ab") as fh:
            fh.write(trailer_line(proofs))
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return Summary(done, partials, reader.file_sha256)


def _run(reader: RecordReader, job: _Job, out: Path, workers: int,
         progress: Callable[[int], None]) -> tuple[list[BlockProof], int, int]:
    proofs: list[BlockProof] = []
    counts = [0, 0]
    with open(out, "ab") as fh:
        def handle(result: tuple[bytes, BlockProof, int]) -> None:
            entries, proof, made = result
            fh.write(entries)
            proofs.append(proof)
            counts[0] += made
            counts[1] += proof.lines
            progress(counts[1])

        if workers <= 1:
            _init(job)
            for span in reader.spans():
                handle(_block(span))
            return proofs, counts[0], counts[1]
        window: deque[Future[tuple[bytes, BlockProof, int]]] = deque()
        with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(job,)) as pool:
            for span in reader.spans():
                window.append(pool.submit(_block, span))
                if len(window) >= 3 * workers:
                    handle(window.popleft().result())
            while window:
                handle(window.popleft().result())
    return proofs, counts[0], counts[1]
