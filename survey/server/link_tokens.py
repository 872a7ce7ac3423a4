"""Link tokens that can be read from paper and typed on a phone.

A new token is 20 characters of Crockford's base32 alphabet (digits and upper-case letters
without I, L, O and U): 20 x 5 = 100 random bits, more than the 96 bits of the tokens made before
(16 characters of URL-safe base64, ``secrets.token_urlsafe(12)``). It is stored as those 20
characters and printed in groups of four, ``7KQM-2XHP-9RDT-4VBN-Q0ZC``.

Reading one back forgives what people do with paper: any case, hyphens and spaces anywhere, and
the look-alikes O (read as 0) and I or L (read as 1). U is in no token and is refused, like any
other character outside the alphabet. Why not 12 characters, as the issue suggested: 12 Crockford
characters are 60 bits, 36 bits fewer than the tokens already printed; 20 is the shortest length
with at least 96 bits (19 characters are 95).

Tokens made before keep their address: they are looked up exactly as written (case-sensitive).
An old token has 16 characters and a new one 20, so one address never names two links.

The respondent's pages keep the stored form in their own addresses; what is printed or shown
for sharing (survey.server.qr.respondent_url) is the grouped form.
"""

from __future__ import annotations

import math
import re
import secrets

#: Crockford's base32: no I, L, O or U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
GROUP = 4
#: Random bits in a new token (100); the tokens made before had 96.
BITS = LENGTH * int(math.log2(len(ALPHABET)))
OLD_BITS = 96

#: What people may write for each character: lower case, and the look-alikes of 0 and 1.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: Separators a reader may type or a printer may add: hyphens (and the dashes phones put
#: for them) and spaces.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_CANONICAL = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
#: What ``secrets.token_urlsafe(12)`` made before this format (URL-safe base64, exact case).
_OLD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_token() -> str:
    """A new token in its stored (canonical) form: 20 characters, no hyphens."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def canonical(text: str) -> str | None:
    """The stored form of a new token as someone typed it, or None if it cannot be one."""
    if len(text) > 64:
        return None
    candidate = _SEPARATORS.sub("", text).upper().translate(_READ_AS)
    return candidate if _CANONICAL.fullmatch(candidate) else None


def is_new(token: str) -> bool:
    return _CANONICAL.fullmatch(token) is not None


def grouped(token: str) -> str:
    """``7KQM-2XHP-9RDT-4VBN-Q0ZC`` for a new token; an old token as it is."""
    if not is_new(token):
        return token
    return "-".join(token[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def stored_forms(text: str) -> list[str]:
    """The stored tokens an address may name: itself (an old token, exact case) and its
    canonical form (a new token, however typed). Empty when it can be neither."""
    forms = [text] if _OLD.fullmatch(text) else []
    new = canonical(text)
    if new is not None and new not in forms:
        forms.append(new)
    return forms
