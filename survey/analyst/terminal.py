"""What every ``survey-analyst`` command shares at the terminal: usage errors, the passphrase
prompt, and text made safe to print."""

from __future__ import annotations

import getpass
import os
import sys
from typing import IO

from survey.analyst.keys import MIN_PASSPHRASE, PASSPHRASE_ENV
from survey.core.visible_text import escape, visible


class UsageError(Exception):
    """A problem the analyst can fix; printed without a traceback."""


def ask_passphrase(confirm: bool) -> bytes:
    """The key file's passphrase: from ``SURVEY_ANALYST_PASSPHRASE``, or asked on the terminal
    (twice, and at least 12 characters, for a new key file)."""
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env is not None:
        return from_env.encode("utf-8")
    if not sys.stdin.isatty():
        raise UsageError(f"no terminal to ask for the passphrase: set {PASSPHRASE_ENV}")
    first = getpass.getpass("Passphrase for the private key: ")
    if confirm:
        if len(first) < MIN_PASSPHRASE:
            raise UsageError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
        if getpass.getpass("Same passphrase again: ") != first:
            raise UsageError("the two passphrases differ; nothing was written")
    return first.encode("utf-8")


def printable(text: str) -> str:
    """Text for the analyst's terminal: control characters (escape sequences among them) shown as
    ``\\uXXXX`` (:func:`survey.core.visible_text.visible`), and so is any other character Python
    does not call printable (format characters, unassigned code points), never sent to the
    terminal as they are."""
    shown = visible(text)
    if shown.isprintable():
        return shown
    return "".join(c if c.isprintable() else escape(c) for c in shown)


def say(text: str, stream: IO[str] | None = None) -> None:
    """Print one line to the analyst's terminal (stderr unless told) through ``printable``: every
    line that may hold something an export carried (a respondent's code, a label, a file name)
    goes through here."""
    print(printable(text), file=sys.stderr if stream is None else stream)
