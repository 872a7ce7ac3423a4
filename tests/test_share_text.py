"""A share as five checked lines: every single mistyped character is caught on its own line."""

from __future__ import annotations

import os

import pytest

from survey.analyst import share_text


def _lines() -> tuple[bytes, list[str]]:
    payload = os.urandom(share_text.PAYLOAD_SIZE)
    return payload, share_text.encode(payload).split("\n")


def test_the_text_reads_back_typed_loosely() -> None:
    payload, lines = _lines()
    assert share_text.decode("\n".join(lines)) == payload
    loose = "\n\n".join(line[:3] + line[3:].lower().replace("0", "o").replace("1", "l").replace(" ", "-") for line in lines)
    assert share_text.decode(loose) == payload
    unnumbered = "\n".join(line.split(": ", 1)[1] for line in lines)
    assert share_text.decode(unnumbered) == payload


def test_every_single_changed_character_is_named_on_its_line() -> None:
    _payload, lines = _lines()
    for no, line in enumerate(lines, start=1):
        prefix, body = line.split(": ")
        for at, char in enumerate(body):
            if char == " ":
                continue
            for other in share_text.ALPHABET.replace(char, ""):
                changed = [*lines[: no - 1], f"{prefix}: {body[:at]}{other}{body[at + 1:]}", *lines[no:]]
                with pytest.raises(share_text.ShareTextError) as caught:
                    share_text.decode("\n".join(changed))
                assert caught.value.line == no


def test_two_neighbours_swapped_are_caught() -> None:
    _payload, lines = _lines()
    prefix, body = lines[2].split(": ")
    chars = body.replace(" ", "")
    for at in range(len(chars) - 1):
        if chars[at] == chars[at + 1]:
            continue
        swapped = chars[:at] + chars[at + 1] + chars[at] + chars[at + 2:]
        with pytest.raises(share_text.ShareTextError, match="line 3"):
            share_text.decode("\n".join([*lines[:2], f"{prefix}: {swapped}", *lines[3:]]))


def test_lines_out_of_order_or_missing_are_named() -> None:
    _payload, lines = _lines()
    with pytest.raises(share_text.ShareTextError, match="line 2: is numbered 3"):
        share_text.decode("\n".join([lines[0], lines[2], lines[1], *lines[3:]]))
    unnumbered = [line.split(": ", 1)[1] for line in lines]
    with pytest.raises(share_text.ShareTextError, match="line 2"):
        share_text.decode("\n".join([unnumbered[0], unnumbered[2], unnumbered[1], *unnumbered[3:]]))
    with pytest.raises(share_text.ShareTextError, match="5 lines; 4"):
        share_text.decode("\n".join(lines[:4]))


def test_a_character_outside_the_alphabet_is_named() -> None:
    _payload, lines = _lines()
    with pytest.raises(share_text.ShareTextError, match="line 4: 'U'"):
        share_text.decode("\n".join([*lines[:3], "4: U" + lines[3][4:], lines[4]]))
