"""A trustee's partial decryption of one export: the file ``survey-analyst partial`` writes.

    line 1      JSON header: format, version, the export's survey uid, records and records_sha256
                (from its manifest, checked against the file), key id, the trustee's index and
                name, and the key's public shares (:class:`survey.analyst.key_shares.PublicShares`)
    R × 65      one entry per record line of the export, in the export's order: the partial point
                ``s_i·E`` (uncompressed) of that record's envelope, or 65 zero bytes when the record
                has no envelope sealed to this key (malformed, or sealed to another key)
    last line   JSON trailer: the proofs, one per block of records,
                ``[export offset, export length, first record, records, proof hex]``
                (:mod:`survey.analyst.dleq`; the block is a span of the export's bytes)

Fixed-size entries let each worker read its span's entries with one ``pread``. A partial alone
opens nothing: K trustees' partials of the same record are needed to make its DH value.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.analyst.dleq import PROOF_SIZE
from survey.analyst.group import POINT_SIZE
from survey.analyst.key_shares import PublicShares, ShareError
from survey.core import strict_json

FORMAT = "run-survey partial decryption"
FORMAT_VERSION = 1
ENTRY_SIZE = POINT_SIZE
NO_ENTRY = bytes(ENTRY_SIZE)
MAX_HEADER = 64 * 1024


class PartialFileError(ValueError):
    """A partial file that is not one, is damaged, or does not belong with the export."""


@dataclass(frozen=True)
class BlockProof:
    offset: int  # where the block's record lines are in the export
    length: int
    first: int  # number of its first record (the export's first record is 1)
    lines: int
    proof: bytes


@dataclass(frozen=True)
class PartialHeader:
    survey_uid: str
    records: int
    records_sha256: str
    key_id: str
    trustee: int
    trustee_name: str
    public: PublicShares

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "survey_uid": self.survey_uid,
                "records": self.records, "records_sha256": self.records_sha256, "key_id": self.key_id,
                "trustee": {"index": self.trustee, "name": self.trustee_name}, **self.public.to_json()}

    @property
    def label(self) -> str:
        """How messages name the trustee: ``trustee 2 (Bob)``."""
        return f"trustee {self.trustee}" + (f" ({self.trustee_name})" if self.trustee_name else "")

    def context(self) -> bytes:
        """What each block's proof is bound to besides its records."""
        return json.dumps([self.survey_uid, self.records_sha256, self.key_id, self.trustee,
                           self.public.points[self.trustee].hex()]).encode()


def block_context(context: bytes, offset: int, length: int, first: int, lines: int) -> bytes:
    """A block's proof context: the partial's context and where the block is in the export."""
    return context + f"|{offset}|{length}|{first}|{lines}".encode()


@dataclass(frozen=True)
class PartialFile:
    path: Path
    header: PartialHeader
    entries_offset: int
    proofs: tuple[BlockProof, ...]


def header_line(header: PartialHeader) -> bytes:
    return json.dumps(header.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def trailer_line(proofs: list[BlockProof]) -> bytes:
    rows = [[p.offset, p.length, p.first, p.lines, p.proof.hex()] for p in proofs]
    return json.dumps({"proofs": rows}, separators=(",", ":")).encode("ascii") + b"\n"


def _header(doc: object) -> PartialHeader:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PartialFileError("not a partial decryption file")
    if doc.get("format_version") != FORMAT_VERSION:
        raise PartialFileError(f"partial format version {doc.get('format_version')} is not supported")
    try:
        trustee = doc["trustee"]
        header = PartialHeader(str(doc["survey_uid"]), int(doc["records"]), str(doc["records_sha256"]),
                               str(doc["key_id"]), int(trustee["index"]), str(trustee.get("name", "")),
                               PublicShares.from_json(doc))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PartialFileError(f"the header is damaged ({exc})") from exc
    if header.trustee not in header.public.points or header.records < 0:
        raise PartialFileError("the header is damaged (trustee index or record count)")
    return header


def _proofs(doc: object, records: int) -> tuple[BlockProof, ...]:
    try:
        assert isinstance(doc, dict)
        proofs = tuple(BlockProof(int(o), int(n), int(f), int(c), bytes.fromhex(p)) for o, n, f, c, p in doc["proofs"])
    except (AssertionError, KeyError, TypeError, ValueError) as exc:
        raise PartialFileError("the proofs at the end of the file are damaged") from exc
    expected = 1
    for p in proofs:
        if p.first != expected or p.lines < 1 or len(p.proof) != PROOF_SIZE:
            raise PartialFileError("the proofs at the end of the file are damaged")
        expected += p.lines
    if expected != records + 1:
        raise PartialFileError("the proofs do not cover every record")
    return proofs


def read(path: Path) -> PartialFile:
    """A partial file's header and proofs, checked for shape (the entries are read by workers)."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(MAX_HEADER)
            header = _header(strict_json.loads(first))
            entries_offset = len(first)
            fh.seek(entries_offset + header.records * ENTRY_SIZE)
            trailer = fh.read()  # one short line per block of about 700 records
            proofs = _proofs(strict_json.loads(trailer), header.records)
    except strict_json.JSONError as exc:
        raise PartialFileError(f"{path.name}: not a partial decryption file, or cut short") from exc
    except (PartialFileError, ShareError) as exc:
        raise PartialFileError(f"{path.name}: {exc}") from exc
    size = os.stat(path).st_size
    if size != entries_offset + header.records * ENTRY_SIZE + len(trailer):
        raise PartialFileError(f"{path.name}: the file is longer or shorter than its header says")
    return PartialFile(path, header, entries_offset, proofs)
