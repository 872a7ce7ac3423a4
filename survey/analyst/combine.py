"""Threshold decryption: opening envelopes from K trustees' partials, inside the one pipeline.

For record j, trustee i's partial is ``P_i = y_i·E`` (its share times the envelope's encapsulated
point). With ``c_i = Δ·λ_i`` (:func:`survey.analyst.shamir.integer_coefficients`: whole numbers of
a few bits, because the shares are of ``x·Δ⁻¹``), ``Σ c_i·P_i = Δ·(Σ λ_i·y_i)·E = x·E``: the DH
value, without a full scalar multiplication per trustee: the K points are combined with shared
doublings (:class:`survey.analyst.group.SmallCombination`, about a dozen doublings and additions
for 3 of 5). From there the receiver's side of RFC
9180 runs as usual (:mod:`survey.core.hpke_schedule`).

The AEAD tag checks the result: a wrong partial makes the envelope fail to open. Only then are the
proofs of the trustees used checked (one batched DLEQ proof per block of records,
:mod:`survey.analyst.dleq`), so the common case costs no proof checking at all; a trustee whose
proof fails is named, and when more than K partials were given the record is tried again without
that trustee."""

from __future__ import annotations

import bisect
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from survey.analyst import dleq, group, shamir
from survey.analyst.decrypt import WrongPartialError
from survey.analyst.partial_file import NO_ENTRY, BlockProof, block_context
from survey.core import envelope, hpke_schedule
from survey.core.export_format import Span, parse_record, read_span

_ENC_END = envelope.HEADER_SIZE + envelope.ENC_SIZE
_ENTRY = len(NO_ENTRY)


@dataclass(frozen=True)
class TrusteePartial:
    """One trustee's partial file of one export, as a worker needs it."""

    index: int
    label: str
    path: str
    entries_offset: int
    public_share: bytes
    context: bytes
    proofs: tuple[BlockProof, ...]


@dataclass(frozen=True)
class PartialSet:
    """The partials given for one export (sorted by trustee index; at least K)."""

    key_id: bytes
    public_key: bytes
    k: int
    n: int
    trustees: tuple[TrusteePartial, ...]


class _Files:
    """Open descriptors of a worker, for the life of the process."""

    fds: dict[str, int] = {}
    verdicts: dict[tuple[str, int], bool] = {}  # (partial path, block) -> proof holds
    coefficients: dict[tuple[int, ...], group.SmallCombination] = {}
    contexts: dict[bytes, bytes] = {}  # header + survey -> key schedule context
    firsts: dict[str, list[int]] = {}  # partial path -> first record of each proof block
    caught = False  # whether any proof has failed in this process


def _fd(path: str) -> int:
    fd = _Files.fds.get(path)
    if fd is None:
        fd = _Files.fds[path] = os.open(path, os.O_RDONLY)
    return fd


def _combination(indices: tuple[int, ...], n: int) -> group.SmallCombination:
    found = _Files.coefficients.get(indices)
    if found is None:
        c = shamir.integer_coefficients(indices, n)
        found = _Files.coefficients[indices] = group.SmallCombination([c[i] for i in indices])
    return found


class SpanCombiner:
    """Opens the envelopes of one span of an export (``__call__(number, envelope)``, the
    pipeline's ``Unseal``); ``wrong`` counts, per trustee, records whose partial failed its proof."""

    def __init__(self, partials: PartialSet, survey_uid: str, export: str, span: Span) -> None:
        self._set = partials
        self._uid = survey_uid
        self._export = export
        self._first = span.first
        self._entries = [os.pread(_fd(t.path), span.lines * _ENTRY, t.entries_offset + (span.first - 1) * _ENTRY)
                         for t in partials.trustees]
        self.wrong: Counter[str] = Counter()

    def _schedule_context(self, envelope_bytes: bytes) -> bytes:
        head = bytes(envelope_bytes[: envelope.HEADER_SIZE])
        key = head + self._uid.encode()
        context = _Files.contexts.get(key)
        if context is None:
            header = envelope.parse_header(envelope_bytes)
            if header.key_id != self._set.key_id:
                raise envelope.WrongKeyError(header.key_id_hex)  # as envelope.Opener says it
            context = _Files.contexts[key] = hpke_schedule.key_schedule_context(envelope.hpke_info(head, self._uid))
        else:
            envelope.check_body(envelope_bytes)
        return context

    def __call__(self, number: int, envelope_bytes: bytes) -> bytes:
        context = self._schedule_context(envelope_bytes)
        enc = bytes(envelope_bytes[envelope.HEADER_SIZE : _ENC_END])
        ciphertext = bytes(envelope_bytes[_ENC_END:])
        at = (number - self._first) * _ENTRY
        entries = {t.index: e[at : at + _ENTRY] for t, e in zip(self._set.trustees, self._entries, strict=True)}
        trustees = self._set.trustees
        missing = [t for t in trustees if entries[t.index] == NO_ENTRY]
        usable = [t for t in trustees if entries[t.index] != NO_ENTRY]
        if _Files.caught:  # trustees already caught in this block go last: used only if no one else is left
            usable.sort(key=lambda t: (self._known_bad(t, number), t.index))
        wrong: list[TrusteePartial] = []
        while len(usable) >= self._set.k:
            subset = usable[: self._set.k]
            try:
                points = [group.decode(entries[t.index]) for t in subset]
                dh = group.x_bytes(_combination(tuple(t.index for t in subset), self._set.n).apply(points))
                padded = hpke_schedule.open_from_dh(dh, enc, self._set.public_key, context, ciphertext)
            except (InvalidTag, group.PointError):
                bad = [t for t in subset if not self._proof_holds(t, number)]
                if not bad:
                    raise envelope.OpenError(envelope.DOES_NOT_OPEN) from None
                for t in bad:
                    self.wrong[t.label] += 1
                wrong.extend(bad)
                usable = [t for t in usable if t not in bad]
                continue
            return envelope.unpad(padded)
        if wrong:
            raise WrongPartialError(f"{', '.join(t.label for t in wrong)}: the partial fails its proof for this "
                                    "record's block")
        try:
            group.decode(enc)
        except group.PointError:  # no trustee could make a partial: the envelope is broken, not a partial
            raise envelope.OpenError(envelope.DOES_NOT_OPEN) from None
        names = ", ".join(t.label for t in missing)
        raise WrongPartialError(f"{names} gave no partial for this record, which has an envelope for the key")

    def _block(self, trustee: TrusteePartial, number: int) -> int:
        firsts = _Files.firsts.get(trustee.path)
        if firsts is None:
            firsts = _Files.firsts[trustee.path] = [p.first for p in trustee.proofs]
        return bisect.bisect_right(firsts, number) - 1

    def _known_bad(self, trustee: TrusteePartial, number: int) -> bool:
        return _Files.verdicts.get((trustee.path, self._block(trustee, number))) is False

    def _proof_holds(self, trustee: TrusteePartial, number: int) -> bool:
        block = self._block(trustee, number)
        verdict = _Files.verdicts.get((trustee.path, block))
        if verdict is None:
            verdict = _Files.verdicts[(trustee.path, block)] = _check_block(trustee, trustee.proofs[block], self._export)
            if not verdict:
                _Files.caught = True
        return verdict


def _check_block(trustee: TrusteePartial, block: BlockProof, export: str) -> bool:
    """Whether the trustee's proof holds for every entry of ``block`` (against the export's own
    envelopes, read again from the export file)."""
    lines = read_span(_fd(export), Span(block.offset, block.length, block.first, block.lines))
    data = os.pread(_fd(trustee.path), block.lines * _ENTRY, trustee.entries_offset + (block.first - 1) * _ENTRY)
    if len(lines) != block.lines or len(data) != block.lines * _ENTRY:
        return False
    pairs: list[tuple[int, bytes, bytes]] = []
    for i, line in enumerate(lines):
        entry = data[i * _ENTRY : (i + 1) * _ENTRY]
        if entry == NO_ENTRY:
            continue
        record = parse_record(line)
        if record is None or len(record.envelope) < _ENC_END:
            return False
        pairs.append((block.first + i, bytes(record.envelope[envelope.HEADER_SIZE : _ENC_END]), entry))
    context = block_context(trustee.context, block.offset, block.length, block.first, block.lines)
    return dleq.verify(trustee.public_share, context, pairs, block.proof)


def wrong_partials(counts: Counter[str]) -> Sequence[str]:
    """The problems to report for trustees whose partials failed their proofs."""
    return [f"{label}'s partial decryption fails its proof ({n} record(s) did not open with it): ask {label} to "
            "run `survey-analyst partial` again on this export, or give another trustee's partial"
            for label, n in sorted(counts.items())]
