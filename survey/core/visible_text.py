"""Control characters made visible: the one place that decides which characters of respondent text
and labels are shown as ``\\uXXXX`` text rather than passed on to a terminal, a spreadsheet, SPSS or
a browser, where they would act.

What is escaped, always:

* C0 controls U+0000..U+001F, among them ESC (terminal escape sequences), NUL, BEL, and TAB, CR and
  LF: in a single cell or a terminal line they split the value, move the cursor or start a new
  record when a CSV is re-split, so they are shown, not obeyed;
* DEL U+007F and the C1 controls U+0080..U+009F (CSI U+009B starts an escape sequence on its own);
* the bidirectional controls and isolates U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069,
  which reorder what follows (a U+202E makes ``exe.txt`` read as ``txt.exe``);
* the line and paragraph separators U+2028 and U+2029, which several programs treat as line breaks.

Joiners (U+200C, U+200D) stay: Arabic, Persian and emoji need them and they reorder nothing.

``line_breaks=True`` is for multi-line free text shown where a line break is harmless (a quoted CSV
cell, an HTML paragraph): CR LF and a lone CR become LF and LF is kept; every other character above
is still escaped.  The escape is written ``\\u`` and four lowercase hex digits (``\\u202e``), the
form Python, JSON and JavaScript read back; a backslash already in the text is left as it is, so the
output is for people, not for parsing back.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ALWAYS = "\x00-\x09\x0b-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029"
_ESCAPED = re.compile(f"[\n{_ALWAYS}]")
_ESCAPED_KEEPING_LF = re.compile(f"[{_ALWAYS}]")
_CR = re.compile("\r\n?")


def escape(char: str) -> str:
    """The visible form of one character: ``\\u`` and four lowercase hex digits."""
    return f"\\u{ord(char):04x}"


def _escape_match(match: re.Match[str]) -> str:
    return escape(match.group())


def visible(text: str, *, line_breaks: bool = False) -> str:
    """``text`` with every control character listed in the module's docstring shown as ``\\uXXXX``;
    with ``line_breaks``, line breaks are kept as LF."""
    if text.isprintable():  # every character escaped here is one Python does not call printable
        return text
    if line_breaks:
        return _ESCAPED_KEEPING_LF.sub(_escape_match, _CR.sub("\n", text))
    return _ESCAPED.sub(_escape_match, text)
