"""The options of ``survey-analyst``'s key custody commands. The commands themselves
(:mod:`survey.analyst.custody_commands`, with PyCryptodome) are imported only when one runs, so
``report`` and ``decrypt`` with a whole key start no slower."""

from __future__ import annotations

import argparse
import importlib
import os
import re
from collections.abc import Callable
from pathlib import Path

_SPLIT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def k_of_n(text: str) -> tuple[int, int]:
    match = _SPLIT.match(text)
    if not match:
        raise argparse.ArgumentTypeError("give K/N, for example 3/5")
    return int(match.group(1)), int(match.group(2))


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The custody command ``name``, imported when it is called."""
    def run(args: argparse.Namespace) -> int:
        found: Callable[[argparse.Namespace], int] = getattr(importlib.import_module("survey.analyst.custody_commands"), name)
        return found(args)

    return run


def _share_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--share-file", type=Path, action="append", help="a trustee's share file (.json); may repeat")
    parser.add_argument("--share-text", type=Path, action="append",
                        help="a text file holding a share's five lines (as on the sheet, or the QR code's text); may repeat")
    parser.add_argument("--qr", type=Path, action="append", help="a photo or scan of a share sheet's QR code; may repeat")
    parser.add_argument("--typed", type=int, metavar="N", help="type N shares on the terminal, line by line")
    expected = parser.add_mutually_exclusive_group()
    expected.add_argument("--key-id", help="the key id the shares must rebuild (as printed by keygen)")
    expected.add_argument("--public", type=Path, help="the public key (PEM) the shares must rebuild")


def add_keygen_options(keygen: argparse.ArgumentParser) -> None:
    split = keygen.add_mutually_exclusive_group()
    split.add_argument("--shares", type=k_of_n, metavar="K/N",
                       help="also split the private key into N trustees' shares, any K of which rebuild it")
    split.add_argument("--threshold", type=k_of_n, metavar="K/N",
                       help="split the key among N trustees, K of whom decrypt together; no whole key is kept")
    keygen.add_argument("--trustees", help="the N trustees' names, comma-separated (printed on their sheets)")
    keygen.add_argument("--keep-key", action="store_true",
                        help="with --shares: also write the passphrase-protected private key for daily work")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    recover = sub.add_parser("recover", help="rebuild the private key from K trustees' shares")
    _share_inputs(recover)
    recover.add_argument("--out-dir", type=Path, default=Path("."), help="folder for the rebuilt key files")
    recover.add_argument("--name", default="analyst", help="file name stem (default: analyst)")
    recover.set_defaults(func=command("cmd_recover"))
    shares = sub.add_parser("shares", help="key shares: check that a set rebuilds the key, or split a key anew")
    shares_sub = shares.add_subparsers(dest="shares_command", required=True)
    split = shares_sub.add_parser("split", help="new shares of an existing private key (after a trustee leaves)")
    split.add_argument("--key", type=Path, required=True, help="the private key (PEM), e.g. as `recover` wrote it")
    split.add_argument("--out-dir", type=Path, default=Path("."), help="folder for the new shares")
    split.add_argument("--name", default="analyst", help="file name stem (default: analyst)")
    how = split.add_mutually_exclusive_group(required=True)
    how.add_argument("--shares", type=k_of_n, metavar="K/N", help="recovery shares, any K of N rebuild the key")
    how.add_argument("--threshold", type=k_of_n, metavar="K/N", help="threshold shares, K of N decrypt together")
    split.add_argument("--trustees", help="the N trustees' names, comma-separated")
    split.set_defaults(func=command("cmd_shares_split"))
    check = shares_sub.add_parser("check", help="dry run: prove the shares rebuild the key (writes nothing)")
    _share_inputs(check)
    check.set_defaults(func=command("cmd_shares_check"))
    partial = sub.add_parser("partial", help="a trustee's partial decryption of an export (threshold custody)")
    partial.add_argument("export", type=Path, help="export file from the server")
    partial.add_argument("--share", type=Path, required=True, help="your share file (.json)")
    partial.add_argument("--out", type=Path, required=True, help="partial decryption file to write")
    partial.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                         help="processes (default: all cores)")
    partial.set_defaults(func=command("cmd_partial"))
