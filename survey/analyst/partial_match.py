"""Matching trustees' partial decryption files to the exports they were made for, before any
record is read: every check here names the file (and trustee) at fault."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from survey.analyst.combine import PartialSet, TrusteePartial
from survey.analyst.partial_file import PartialFile, PartialFileError, read
from survey.analyst.unsealing import Partials
from survey.core.envelope import format_key_id
from survey.core.export_format import RecordReader


def _public_record(p: PartialFile) -> str:
    return json.dumps(p.header.public.to_json(), sort_keys=True)


def _describe(p: PartialFile) -> str:
    return f"{p.path.name} ({p.header.label})"


def partials_for(readers: list[RecordReader], paths: list[Path]) -> Partials:
    """The partials of each export, checked: made for that very export (its survey and records
    digest), of the key it is sealed to, one per trustee, agreeing on the key's public shares, and
    at least K of them. ``PartialFileError`` otherwise."""
    files = [read(path) for path in paths]
    mine: dict[str, list[PartialFile]] = {}
    for reader in readers:
        m = reader.manifest
        mine[str(reader.path)] = [p for p in files if (p.header.survey_uid, p.header.records_sha256)
                                  == (m["survey"]["uid"], m["records_sha256"])]
    claimed = {p.path for found in mine.values() for p in found}
    for p in files:
        if p.path not in claimed:
            raise PartialFileError(f"{_describe(p)} is a partial of another export (survey {p.header.survey_uid!r}, "
                                   f"{p.header.records} records), not of {', '.join(r.path.name for r in readers)}")
    return Partials({str(r.path): _one_export(r, mine[str(r.path)]) for r in readers})


def _one_export(reader: RecordReader, mine: list[PartialFile]) -> PartialSet:
    name = reader.path.name
    if not mine:
        raise PartialFileError(f"no partial decryption given for {name}")
    votes = Counter(_public_record(p) for p in mine)
    if len(votes) > 1:
        top, top_n = votes.most_common(1)[0]
        odd = [p for p in mine if _public_record(p) != top]
        who = ", ".join(_describe(p) for p in odd)
        if top_n > len(mine) - top_n:
            raise PartialFileError(f"{who} carries other public shares than the other partials: it was altered "
                                   "or made with another key's share")
        raise PartialFileError(f"the partials for {name} disagree on the key's public shares ({who} and the rest): "
                               "give the partials of trustees whose share files came from the same key ceremony")
    public = mine[0].header.public
    if public.key_id.hex() != reader.manifest["key_id"]:
        raise PartialFileError(f"the partials for {name} are of key {format_key_id(public.key_id.hex())}, but it is "
                               f"sealed to key {format_key_id(reader.manifest['key_id'])}")
    seen: dict[int, PartialFile] = {}
    for p in mine:
        if p.header.trustee in seen:
            raise PartialFileError(f"{_describe(seen[p.header.trustee])} and {_describe(p)} are both trustee "
                                   f"{p.header.trustee}'s: give each trustee's partial once")
        seen[p.header.trustee] = p
        if p.header.records != reader.manifest["records"]:
            raise PartialFileError(f"{_describe(p)} has {p.header.records} records, {name} {reader.manifest['records']}")
    if len(seen) < public.k:
        have = ", ".join(p.header.label for p in sorted(mine, key=lambda p: p.header.trustee))
        raise PartialFileError(f"{name} needs the partials of {public.k} trustees of {public.n}; {len(seen)} given "
                               f"({have}). Fewer than {public.k} open nothing; nothing was decrypted.")
    trustees = tuple(TrusteePartial(p.header.trustee, p.header.label, str(p.path), p.entries_offset,
                                    public.points[p.header.trustee], p.header.context(), p.proofs)
                     for p in sorted(mine, key=lambda p: p.header.trustee))
    return PartialSet(public.key_id, public.public_key, public.k, public.n, trustees)
