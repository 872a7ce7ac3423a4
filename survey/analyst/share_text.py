"""A key share as text a person can read, type and check line by line.

The share's 50 bytes are written in Crockford's base32 (digits and capitals without I, L, O, U, so
nothing looks like anything else; typing is case-blind and O/I/L are read as 0/1/1) as five lines
of sixteen characters in groups of four, each line followed by two check characters:

    1: 7ZQK 3M9P X2RT V8WA  4H
    2: ...

The check characters are a CRC-10 (polynomial x¹⁰+x⁹+x⁵+x⁴+x+1) over the line's number and its
sixteen characters (80 bits). A CRC of degree 10 catches every error burst of up to 10 bits, so
every single wrong character (5 bits) and every swap of two neighbours (10 bits) is caught, on
the line where it is, as the person types it; a line typed in the wrong place fails too, because
its number is part of the check. The last five bytes of the share are a SHA-256 check over the
rest (see :mod:`survey.analyst.key_shares`), which catches what slips through the lines' checks.
The QR code on the sheet holds exactly these lines, so one parser reads typed, scanned and filed
shares.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
PAYLOAD_SIZE = 50
LINES = 5
LINE_CHARS = 16
CHECK_CHARS = 2
_CRC_POLY = 0x233  # x^10 + x^9 + x^5 + x^4 + x + 1 (CRC-10/ATM)
_NUMBERED = re.compile(r"^\s*(\d+)\s*[:.)]\s*(.*)$")


class ShareTextError(ValueError):
    """Share text that cannot be read, with the line at fault when there is one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


def _crc10(values: list[int], line_no: int) -> int:
    crc = 0
    bits = [(line_no >> b) & 1 for b in range(7, -1, -1)]
    for v in values:
        bits.extend((v >> b) & 1 for b in range(4, -1, -1))
    for bit in bits:
        top = (crc >> 9) & 1
        crc = (crc << 1) & 0x3FF
        if top ^ bit:
            crc ^= _CRC_POLY & 0x3FF
    return crc


def _check_chars(values: list[int], line_no: int) -> str:
    crc = _crc10(values, line_no)
    return ALPHABET[crc >> 5] + ALPHABET[crc & 31]


def encode(payload: bytes) -> str:
    """The five checked lines (joined by newlines) for a 50-byte share."""
    if len(payload) != PAYLOAD_SIZE:
        raise ValueError(f"a share is {PAYLOAD_SIZE} bytes")
    number = int.from_bytes(payload, "big")
    chars = [ALPHABET[(number >> (5 * i)) & 31] for i in range(LINES * LINE_CHARS - 1, -1, -1)]
    lines = []
    for no in range(1, LINES + 1):
        part = chars[(no - 1) * LINE_CHARS : no * LINE_CHARS]
        groups = " ".join("".join(part[i : i + 4]) for i in range(0, LINE_CHARS, 4))
        lines.append(f"{no}: {groups}  {_check_chars([_VALUE[c] for c in part], no)}")
    return "\n".join(lines)


def check_line(raw: str, position: int) -> list[int]:
    """The sixteen values of line ``position`` as typed (its number optional), or
    ``ShareTextError`` at once when a character is not one of the alphabet's or the line does not
    match its check characters."""
    numbered = _NUMBERED.match(raw)
    no, body = (int(numbered.group(1)), numbered.group(2)) if numbered else (position, raw)
    if no != position:
        raise ShareTextError(f"is numbered {no}: the lines are out of order or one is missing", position)
    chars = re.sub(r"[\s\-]", "", body).upper()
    if len(chars) != LINE_CHARS + CHECK_CHARS:
        raise ShareTextError(f"has {len(chars)} characters; each line has {LINE_CHARS} and "
                             f"{CHECK_CHARS} check characters", no)
    bad = [c for c in chars if c not in _VALUE]
    if bad:
        raise ShareTextError(f"{bad[0]!r} is not one of the share's characters", no)
    values = [_VALUE[c] for c in chars[:LINE_CHARS]]
    if _check_chars(values, no) != "".join(ALPHABET[_VALUE[c]] for c in chars[LINE_CHARS:]):
        raise ShareTextError("does not match its check characters: a character on this line is "
                             "mistyped or unreadable", no)
    return values


def decode(text: str) -> bytes:
    """The 50 bytes back from the five lines, typed or scanned: spaces, dashes and case do not
    matter; a line may carry its number (``3:``). Raises ``ShareTextError`` naming the line."""
    rows = [line for line in text.splitlines() if line.strip()]
    if len(rows) != LINES:
        raise ShareTextError(f"a share has {LINES} lines; {len(rows)} were given")
    number = 0
    for position, raw in enumerate(rows, start=1):
        for v in check_line(raw, position):
            number = number << 5 | v
    return number.to_bytes(PAYLOAD_SIZE, "big")
