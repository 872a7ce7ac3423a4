"""visible(): the one function that shows control characters as \\uXXXX text."""

from __future__ import annotations

import pytest

from survey.core.visible_text import visible

CONTROLS = ([chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
            + ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
               "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029"])


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_is_shown_as_its_code(char: str) -> None:
    assert visible(f"a{char}b") == f"a\\u{ord(char):04x}b"


def test_ordinary_text_of_every_script_is_left_alone() -> None:
    text = "Zdravo, šta je novo? Привіт مرحبا بك \u200c\u200d 👩\u200d👧 ½ « » — €"
    assert visible(text) == text
    assert visible(text, line_breaks=True) == text


def test_escape_sequence_cannot_reach_a_terminal() -> None:
    assert visible("\x1b]0;pwned\x07\x1b[2J\x9b31m") == "\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m"


def test_line_breaks_kept_only_when_asked_and_normalised() -> None:
    assert visible("one\r\ntwo\rthree\nfour") == "one\\u000d\\u000atwo\\u000dthree\\u000afour"
    assert visible("one\r\ntwo\rthree\nfour\t\u202e", line_breaks=True) == "one\ntwo\nthree\nfour\\u0009\\u202e"
