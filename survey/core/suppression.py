"""Small-count suppression of a one-way table: counts whose total is published.

Shared by the console (``survey.server.counts``: responses per link, total per survey) and the
analyst's tables (``survey.analyst.suppress``, which adds two-way tables and noise), so that both
hide small counts by one rule. The rule, for a threshold k:

1. Primary: every count below k. The analyst publishes zeros (``0 < n < k``); the console hides
   them too (``hide_zeros``: every ``n < k``), because a link given to one person would otherwise
   tell whether that person answered.
2. A table whose total is below k is hidden whole, zeros included (its total is hidden by the
   caller): with the zeros shown, a few hidden counts with a small total can only be 1 each.
3. Complements: published counts of at least k are hidden too, the *last* one in the list first,
   until the hidden counts include one of at least k and add up to at least
   ``2k - 1 + f·(h - 2)`` (h hidden counts; f = 0 when zeros are hidden, 1 when zeros are
   published, because then every hidden count but one is at least 1).
4. If no count is left to hide and that still does not hold, every count is hidden.

Why this is enough against someone who knows the rule and sees the published counts and the
total (the tests check it by enumerating every table of up to four counts, and the console's
pages likewise): let c be the first complement chosen, the last count of at least k outside the
primaries, so every published count stands before it in the list. Give one other hidden count any
value below k (at least f), every other one f, and c the rest of their sum: c is at least k (that
is what the sum condition buys), it is the only hidden count of at least k and still the last
count of at least k outside the primaries, so the rule hides exactly the same counts again with
the same sum and the same total. Hence every hidden count but c can be *any* count below k (0
too, when zeros are hidden), and c takes as many values. When every count is hidden, each split
of the total into one count of at least k and others below k gives the same again. The complement
is chosen by position, never by size: "the smallest published count" would tell the reader that
the complement is no larger than the counts still shown, which can pin a hidden count.

With zeros published and k = 2, the only small count is 1, so a hidden count that is not c can
only be 1: use k of 3 or more there.
"""

from __future__ import annotations

from collections.abc import Sequence

PUBLISHED = ""
PRIMARY = "primary"
COMPLEMENT = "complementary"


def suppress_1d(counts: Sequence[int], k: int, *, hide_zeros: bool = False) -> list[str]:
    """Status of each count of a one-way table whose total is published (see the module docstring).

    ``hide_zeros``: zeros are small counts too (the console); otherwise they are published (the
    analyst's tables)."""
    def small(n: int) -> bool:
        return n < k if hide_zeros else 0 < n < k

    total = sum(counts)
    if total < k:
        if total == 0 and not hide_zeros:
            return [PUBLISHED] * len(counts)
        return [PRIMARY if small(n) else COMPLEMENT for n in counts]
    status = [PRIMARY if small(n) else PUBLISHED for n in counts]
    hidden = [i for i, s in enumerate(status) if s == PRIMARY]
    if not hidden:
        return status
    floor = 0 if hide_zeros else 1

    def protected() -> bool:
        return (any(counts[i] >= k for i in hidden)
                and sum(counts[i] for i in hidden) >= 2 * k - 1 + floor * (len(hidden) - 2))

    for i in reversed(range(len(counts))):
        if protected():
            return status
        if status[i] == PUBLISHED and counts[i] >= k:
            status[i] = COMPLEMENT
            hidden.append(i)
    if protected():
        return status
    return [COMPLEMENT if s == PUBLISHED else s for s in status]
