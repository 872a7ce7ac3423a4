"""CSV cells a spreadsheet cannot run, whatever separator it splits them on.

Every CSV the project writes (the analyst's responses, scores, rejected, aggregates and codebook
files; the console's counts spreadsheet; the codebook documents) builds its cells with ``cell``.

The rule, for text (answers, channel labels, titles, labels, codes, messages):

1. control characters are made visible first (:func:`survey.core.visible_text.visible`, keeping
   line breaks as LF): no TAB, CR, ESC or bidirectional control is left in the cell;
2. the text is cut into *fragments* at every character a reader may split on: ``,`` ``;`` (Excel
   and LibreOffice in most European locales), TAB (no longer present after step 1, listed for
   completeness) and LF (a CSV re-split line by line). The first fragment starts at the start of
   the cell;
3. in every fragment, leading white space and ``"`` are skipped (a reader may trim spaces or take
   the fragment for a quoted field) and, if the next character is a formula trigger, a ``'`` is
   put just before it: ``x;=cmd|' /C calc'!A0`` becomes ``x;'=cmd|' /C calc'!A0``.

Why it is enough: a spreadsheet runs a cell only when the cell's text, after the reader has split
the line and removed the field's quotes and spaces, starts with a trigger. Whichever of ``,``
``;`` TAB or LF the reader splits on, and whether it honours the CSV's quotes or not, each cell it
makes starts at the start of one of our cells or just after a separator character inside one, that
is at the start of a fragment; quotes and spaces are skipped as the reader would, and what follows
is then either not a trigger or our ``'``, which makes Excel, LibreOffice and Google Sheets read
the rest as text. Quoting every cell would not be enough on its own (a reader splitting on ``;``
does not see the commas' quotes where we put them, see tests/test_csv_separators.py), so the
writers keep the csv module's minimal quoting.

Triggers: ``=`` ``+`` ``-`` ``@`` (each starts a formula in Excel or LibreOffice), TAB and CR
(OWASP's list: a leading TAB or CR is dropped by some readers, exposing what follows), and their
fullwidth forms ``＝`` ``＋`` ``－`` ``＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20): Excel with an East
Asian input method turns fullwidth operators into ASCII ones when it reads a cell's input, and the
cost of a ``'`` before such a rare character is nil.

Numbers stay numbers: ``cell`` tells them by their Python type. An ``int`` or ``float`` is a value
the project computed or validated (a score, a count, a mean, a whole-number answer checked against
the question's range) and is written as it is, so ``-0.5`` stays a negative number; everything
else (``str`` above all, including a number a respondent typed as text) is text and goes through
the rule.
"""

from __future__ import annotations

import numbers
import re

from survey.core.visible_text import visible

#: What may start a formula (see the module's docstring for the fullwidth forms).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Where a reader may cut a cell into several.
SEPARATORS = (",", ";", "\t", "\n")

_TRIGGERS = "=+\\-@\t\r\uff1d\uff0b\uff0d\uff20"
_ANY_TRIGGER = re.compile(f"[{_TRIGGERS}]")
#: A separator, then spaces (not a line break, itself a separator) and quotes, before a trigger.
_INNER = re.compile(f'([,;\\t\\n](?:[^\\S\\n]|")*)(?=[{_TRIGGERS}])')
#: The same at the start of the cell.
_START = re.compile(f'((?:[^\\S\\n]|")*)(?=[{_TRIGGERS}])')


def text_cell(text: str) -> str:
    """A CSV cell for text from outside the code (see the module's docstring)."""
    text = visible(text, line_breaks=True)
    if _ANY_TRIGGER.search(text) is None:  # most answers: nothing to do
        return text
    text = _INNER.sub(r"\1'", text)
    return _START.sub(r"\1'", text, count=1) if _START.match(text) else text


def cell(value: object) -> str:
    """A CSV cell for ``value``: "" for None, a whole or floating-point number (numpy's too, not
    ``bool``) as the number it is, anything else as text through ``text_cell``."""
    if value is None:
        return ""
    if isinstance(value, float | numbers.Integral) and not isinstance(value, bool):
        return str(value)  # a number the project computed (numpy's too): never a formula, stays a number
    return text_cell(str(value))
