"""Rebuilding the private key from a set of shares, naming the share at fault when it fails.

Each share has already passed its own checks (the per-line check characters and the whole-share
check, :mod:`survey.analyst.share_text`), so what can still be wrong is the *set*: a share of
another key, two copies of one share, too few shares, or a share whose checks hold but whose value
is not the one dealt (altered on purpose, or made with the same key id by someone else). The last
is found exactly when a share file's public shares are at hand (each share is checked against its
own public share); otherwise, when more than K shares are given, by rebuilding from every K of
them: the share in every failing subset and in no succeeding one is named."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from survey.analyst.key_shares import PublicShares, Share, ShareError, key_id_of_value, rebuild_value
from survey.analyst.shamir import ORDER, lagrange_at
from survey.core.envelope import format_key_id


@dataclass(frozen=True)
class GivenShare:
    """A share as the analyst gave it: where it came from (named in every message)."""

    share: Share
    source: str
    trustee: str = ""
    public: PublicShares | None = None

    @property
    def name(self) -> str:
        who = f" ({self.trustee})" if self.trustee else ""
        return f"share {self.share.index}{who} from {self.source}"


@dataclass(frozen=True)
class Rebuilt:
    private_value: int
    key_id: bytes
    used: list[GivenShare]


def rebuild(given: list[GivenShare], key_id: bytes | None = None) -> Rebuilt:
    """The private key from ``given``, or ``ShareError`` naming what is wrong.

    ``key_id``: the key the shares must rebuild; by default the one most of the shares name."""
    if not given:
        raise ShareError("no shares were given")
    wanted = key_id or Counter(g.share.key_id for g in given).most_common(1)[0][0]
    for g in given:
        if g.share.key_id != wanted:
            raise ShareError(f"{g.name} is a share of key {format_key_id(g.share.key_id_hex)}, not of key "
                             f"{format_key_id(wanted.hex())}: it belongs to another key")
    first = given[0].share
    for g in given:
        if (g.share.k, g.share.n) != (first.k, first.n):
            raise ShareError(f"{g.name} is one of a {g.share.k}-of-{g.share.n} split, {given[0].name} of a "
                             f"{first.k}-of-{first.n} split: they are not from the same split of the key")
    by_index: dict[int, GivenShare] = {}
    for g in given:
        seen = by_index.get(g.share.index)
        if seen is not None and seen.share != g.share:
            raise ShareError(f"{seen.name} and {g.name} are both share {g.share.index} but differ: "
                             "one of them was altered")
        by_index.setdefault(g.share.index, g)
    distinct = [by_index[i] for i in sorted(by_index)]
    k = first.k
    if len(distinct) < k:
        have = ", ".join(g.name for g in distinct)
        raise ShareError(f"key {format_key_id(wanted.hex())} needs {k} different shares of its {first.n}; "
                         f"only {len(distinct)} were given ({have}). Nothing was rebuilt.")
    record = next((g.public for g in distinct if g.public is not None and g.public.key_id == wanted), None)
    if record is not None:
        for g in distinct:
            if not record.holds(g.share):
                raise ShareError(f"{g.name} is not the share that key {format_key_id(wanted.hex())} "
                                 "dealt at its index: it was altered or made for another key")
    for subset in combinations(distinct, k):
        value = rebuild_value([s.share for s in subset])
        if key_id_of_value(value) == wanted:
            _check_the_rest(distinct, subset, wanted)
            return Rebuilt(value, wanted, list(subset))
        if len(distinct) == k:
            break
    names = ", ".join(g.name for g in distinct)
    hint = ("" if len(distinct) > k else
            " Their checks hold, so one was altered or made for another key; give one more share "
            "(or a share file, which carries the public shares) to find which.")
    raise ShareError(f"the shares ({names}) do not rebuild key {format_key_id(wanted.hex())}.{hint}")


def _check_the_rest(distinct: list[GivenShare], good: tuple[GivenShare, ...], wanted: bytes) -> None:
    """Every share beyond the K that rebuilt the key must be the value their polynomial has at its
    index (interpolated from the K): otherwise it is named."""
    used = {g.share.index for g in good}
    for other in distinct:
        if other.share.index in used:
            continue
        lam = lagrange_at(sorted(used), other.share.index)
        expected = sum(lam[g.share.index] * g.share.value for g in good) % ORDER
        if expected != other.share.value:
            raise ShareError(f"{other.name} does not fit the others: it was altered or made for another key "
                             f"(the other shares rebuild key {format_key_id(wanted.hex())})")
