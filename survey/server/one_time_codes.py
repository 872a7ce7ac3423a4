"""One-time access codes: short, easy to read aloud, stored only as a keyed hash and a used flag.

A code row has no time and no reference to any response; spending a code is an
``UPDATE ... WHERE used = false`` in the same transaction that stores the response, so a code is
spent only when a response is stored, and only once even when two phones send it at once."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.server.models import AccessCode, Link

#: No look-alikes: no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
ALPHABET = "ACDEFHJKMNPQRTWXY3479"
GROUP = 5
#: 21**10 ≈ 1.7e13 codes per link (44 bits). With 1000 unused codes on a link, a guess is right
#: once in 1.7e10 tries; at the most wrong codes the code step allows a link (code_step.py), that is
#: decades of guessing (tests/test_code_guessing.py).
LENGTH = 10
#: Codes made before codes grew to 10 characters (8, in groups of 4) are printed and handed out:
#: they still work until used.
LENGTHS = frozenset({8, LENGTH})
MAX_BATCH = 1000
_NOT_CODE = re.compile(r"[^0-9A-Z]")


def normalise(code: str) -> str:
    """Upper case, spaces and dashes dropped: ``acdef 347xy`` and ``ACDEF-347XY`` are the same code."""
    return _NOT_CODE.sub("", code.upper())[: LENGTH * 2]


def well_formed(code: str) -> bool:
    normal = normalise(code)
    return len(normal) in LENGTHS and all(c in ALPHABET for c in normal)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def code_hash(secret: str, link_id: int, code: str) -> str:
    """HMAC-SHA256 of the normalised code, bound to its link, under a key derived from the app secret."""
    key = hmac.new(secret.encode(), b"run-survey access code v1", hashlib.sha256).digest()
    return hmac.new(key, f"{link_id}:{normalise(code)}".encode(), hashlib.sha256).hexdigest()


def generate(s: Session, secret: str, link: Link, count: int) -> list[str]:
    """Make ``count`` new codes for ``link``; the plain codes are returned once and never stored."""
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"between 1 and {MAX_BATCH} codes at a time")
    codes: dict[str, str] = {}
    while len(codes) < count:
        code = new_code()
        digest = code_hash(secret, link.id, code)
        if digest not in codes and s.get(AccessCode, digest) is None:
            codes[digest] = code
    s.add_all(AccessCode(code_hash=digest, link_id=link.id, used=False) for digest in codes)
    s.flush()
    return list(codes.values())


def usable(s: Session, secret: str, link: Link, code: str) -> bool:
    """True when ``code`` belongs to ``link`` and is not used yet (spends nothing)."""
    if not well_formed(code):
        return False
    row = s.get(AccessCode, code_hash(secret, link.id, code))
    return row is not None and row.link_id == link.id and not row.used


def tally(s: Session, link: Link) -> tuple[int, int]:
    """(codes made, codes used) for a link. The console shows only the first: codes used count
    responses, and beside the link's count they would tell how many came without a code."""
    made, used = s.execute(
        select(func.count(), func.count().filter(AccessCode.used.is_(True))).where(AccessCode.link_id == link.id)
    ).one()
    return int(made), int(used)
