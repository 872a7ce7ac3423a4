"""``survey-analyst`` key custody: ``keygen --shares/--threshold``, ``recover``, ``shares check``
and ``partial`` (docs/analyst.md, "Key custody").

No share or key is ever printed: shares go to their sheets and files only (0600), the rebuilt key
only to its passphrase-protected file."""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from survey.analyst import share_text
from survey.analyst.key_shares import (
    RECOVERY,
    THRESHOLD,
    Share,
    ShareError,
    read_share_file,
    share_file_bytes,
    split_key,
    write_secret_file,
)
from survey.analyst.keys import KeyFileError, check_passphrase, write_key_pair
from survey.analyst.share_set import GivenShare, Rebuilt, rebuild
from survey.analyst.terminal import UsageError, ask_passphrase
from survey.core import envelope

_SPLIT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def _k_of_n(text: str) -> tuple[int, int]:
    match = _SPLIT.match(text)
    if not match:
        raise argparse.ArgumentTypeError("give K/N, for example 3/5")
    return int(match.group(1)), int(match.group(2))


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "trustee"


def _trustee_names(args: argparse.Namespace, n: int, k: int) -> list[str]:
    names = [s.strip() for s in args.trustees.split(",")] if args.trustees else [f"trustee {i}" for i in range(1, n + 1)]
    if len(names) != n or not all(names):
        raise UsageError(f"--trustees names {len(names)} people; the key is split {k}/{n}: give {n} names")
    return names


def _write_shares(private: ec.EllipticCurvePrivateKey, mode: int, k: int, n: int, names: list[str],
                  out: Path, name: str) -> list[str]:
    """Split ``private`` and write each trustee's sheet and file (0600); the lines to print."""
    out.mkdir(parents=True, exist_ok=True)
    stems = [f"{name}.share-{i}-{_file_stem(who)}" for i, who in enumerate(names, start=1)]
    for stem in stems:
        for ext in (".json", ".html"):
            if (out / (stem + ext)).exists():
                raise UsageError(f"{out / (stem + ext)} exists; refusing to overwrite a share")
    from survey.analyst.share_sheet import sheet_html  # segno: only for these commands

    kid = envelope.key_id_bytes(private.public_key())
    shares, public = split_key(private.private_numbers().private_value, k, n, mode, kid)
    written = []
    for share, who, stem in zip(shares, names, stems, strict=True):
        write_secret_file(out / f"{stem}.json", share_file_bytes(share, who, public))
        write_secret_file(out / f"{stem}.html", sheet_html(share, who).encode("utf-8"))
        written.append(f"  {share.index}. {who}: {out / stem}.html (print it) and {out / stem}.json")
    kind = ("threshold decryption: K trustees decrypt together with `survey-analyst partial`; "
            "the whole key exists nowhere" if mode == THRESHOLD else "recovery: K trustees rebuild the key with "
            "`survey-analyst recover`")
    return [f"shares:      any {k} of {n} ({kind})", *written]


def keygen_split(args: argparse.Namespace) -> int:
    """``keygen --shares K/N`` or ``--threshold K/N``: the key pair, split among N trustees."""
    mode = THRESHOLD if args.threshold else RECOVERY
    k, n = args.threshold or args.shares
    names = _trustee_names(args, n, k)
    if mode == THRESHOLD and args.keep_key:
        raise UsageError("--keep-key goes with --shares: with --threshold no whole key is kept anywhere")
    passphrase = ask_passphrase(confirm=True) if args.keep_key else None
    if passphrase is not None:
        check_passphrase(passphrase)
    private = ec.generate_private_key(ec.SECP256R1())
    try:
        files = write_key_pair(private, args.out_dir, args.name, passphrase)
    except KeyFileError as exc:
        raise UsageError(str(exc)) from exc
    lines = _write_shares(private, mode, k, n, names, args.out_dir, args.name)
    del private
    print(f"key id:      {envelope.format_key_id(files.key_id)}")
    print(f"public key:  {files.public}   (copy this into the server's keys/ folder)")
    print("\n".join(lines))
    if passphrase is not None:
        print(f"private key: {files.private}   (the analyst's daily copy, passphrase-protected)")
    else:
        print("private key: not written (no --keep-key)")
    print("Hand each trustee their sheet and file in person; delete your copies once they have them.")
    return 0


def cmd_shares_split(args: argparse.Namespace) -> int:
    """``shares split --key KEY``: new shares of an existing key (a trustee left; the others'
    old shares are destroyed). The key id, the server's key and every export stay as they are."""
    from survey.analyst.keys import load_private

    mode = THRESHOLD if args.threshold else RECOVERY
    k, n = args.threshold or args.shares
    names = _trustee_names(args, n, k)
    private = load_private(args.key, ask_passphrase(confirm=False))
    lines = _write_shares(private, mode, k, n, names, args.out_dir, args.name)
    kid = envelope.key_id(private.public_key())
    del private
    print(f"key id:      {envelope.format_key_id(kid)}   (unchanged)")
    print("\n".join(lines))
    print("These shares do not combine with the old ones. Every trustee destroys their old sheet and file now.")
    return 0


@dataclass(frozen=True)
class _Sources:
    files: list[Path]
    texts: list[Path]
    pictures: list[Path]
    typed: int


def _sources(args: argparse.Namespace) -> _Sources:
    found = _Sources(args.share_file or [], args.share_text or [], args.qr or [], args.typed or 0)
    if not (found.files or found.texts or found.pictures or found.typed):
        raise UsageError("give the shares: --share-file, --share-text, --qr or --typed N")
    return found


def _typed_shares(count: int) -> list[GivenShare]:
    """Shares typed on the terminal, line by line, each line checked as soon as it is entered."""
    given = []
    interactive = sys.stdin.isatty()
    for no in range(1, count + 1):
        lines: list[str] = []
        while len(lines) < share_text.LINES:
            position = len(lines) + 1
            if interactive:
                print(f"share {no}, line {position}: ", end="", file=sys.stderr, flush=True)
            raw = sys.stdin.readline()
            if not raw:
                raise UsageError(f"typed share {no} ended after {len(lines)} lines")
            if not raw.strip():
                continue
            try:
                share_text.check_line(raw, position)
            except share_text.ShareTextError as exc:
                if not interactive:
                    raise UsageError(f"typed share {no}, {exc}") from exc
                print(f"  {exc}: type that line again", file=sys.stderr)
                continue
            lines.append(raw)
        given.append(_given_text("\n".join(lines), f"typed share {no}"))
    return given


def _given_text(text: str, source: str) -> GivenShare:
    try:
        return GivenShare(Share.from_text(text), source)
    except share_text.ShareTextError as exc:
        raise UsageError(f"{source}: {exc}") from exc
    except ShareError as exc:
        raise UsageError(f"{source}: {exc}") from exc


def _gather(sources: _Sources) -> list[GivenShare]:
    given: list[GivenShare] = []
    for path in sources.files:
        try:
            found = read_share_file(path)
        except ShareError as exc:
            raise UsageError(f"{path.name}: {exc}") from exc
        given.append(GivenShare(found.share, path.name, found.trustee, found.public))
    for path in sources.texts:
        given.append(_given_text(path.read_text(encoding="utf-8", errors="replace"), path.name))
    if sources.pictures:
        from survey.analyst.share_scan import read_qr_text  # zxing-cpp and Pillow: only here

        for path in sources.pictures:
            try:
                text = read_qr_text(path)
            except ShareError as exc:
                raise UsageError(str(exc)) from exc
            given.append(_given_text(text, f"the QR code in {path.name}"))
    given.extend(_typed_shares(sources.typed))
    return given


def _expected_key_id(args: argparse.Namespace) -> bytes | None:
    if args.public:
        return envelope.key_id_bytes(envelope.load_public_key_pem(args.public.read_bytes()))
    if args.key_id:
        digits = re.sub(r"\s", "", args.key_id).lower()
        if not re.fullmatch(r"[0-9a-f]{16}", digits):
            raise UsageError("--key-id is 16 hex digits (spaces allowed), as keygen printed it")
        return bytes.fromhex(digits)
    return None


def _rebuild(args: argparse.Namespace) -> Rebuilt:
    given = _gather(_sources(args))
    try:
        return rebuild(given, _expected_key_id(args))
    except ShareError as exc:
        raise UsageError(str(exc)) from exc


def cmd_recover(args: argparse.Namespace) -> int:
    rebuilt = _rebuild(args)
    private = ec.derive_private_key(rebuilt.private_value, ec.SECP256R1())
    try:
        files = write_key_pair(private, args.out_dir, args.name, ask_passphrase(confirm=True))
    except KeyFileError as exc:
        raise UsageError(str(exc)) from exc
    print(f"key id:      {envelope.format_key_id(files.key_id)}  (rebuilt from {', '.join(g.name for g in rebuilt.used)})")
    print(f"private key: {files.private}   (passphrase-protected)")
    print(f"public key:  {files.public}")
    return 0


def cmd_shares_check(args: argparse.Namespace) -> int:
    rebuilt = _rebuild(args)
    print(f"OK: {', '.join(g.name for g in rebuilt.used)} rebuild key "
          f"{envelope.format_key_id(rebuilt.key_id.hex())}; nothing was written.")
    if _expected_key_id(args) is None:
        print("Compare that key id with the one the coordinators see (or give --key-id / --public to have it compared).")
    return 0


def cmd_partial(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    from survey.analyst.partial import PartialError, compute
    from survey.analyst.progress import Progress
    from survey.core.export_format import RecordReader

    try:
        share = read_share_file(args.share)
    except ShareError as exc:
        raise UsageError(f"{args.share.name}: {exc}") from exc
    if args.out.exists():
        raise UsageError(f"{args.out} exists; refusing to overwrite it")
    reader = RecordReader(args.export)
    survey = reader.manifest["survey"]
    print(f"export:  {args.export.name}: survey {survey['title']!r} ({survey['uid']}), "
          f"{reader.manifest['records']} records, key {envelope.format_key_id(reader.manifest['key_id'])}", file=sys.stderr)
    progress = Progress(int(reader.manifest["records"]))
    try:
        summary = compute(reader, share, args.out, args.workers, progress.update)
    except PartialError as exc:
        raise UsageError(str(exc)) from exc
    progress.done()
    print(f"{summary.partials} partial decryptions of {summary.records} records by share {share.share.index}"
          + (f" ({share.trustee})" if share.trustee else ""), file=sys.stderr)
    print(f"{args.export.name}: sha256 {summary.file_sha256}", file=sys.stderr)
    print(f"wrote {args.out}: give it to the coordinating analyst only (with K-1 others it opens this export)",
          file=sys.stderr)
    return 0


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
    split.add_argument("--shares", type=_k_of_n, metavar="K/N",
                       help="also split the private key into N trustees' shares, any K of which rebuild it")
    split.add_argument("--threshold", type=_k_of_n, metavar="K/N",
                       help="split the key among N trustees, K of whom decrypt together; no whole key is kept")
    keygen.add_argument("--trustees", help="the N trustees' names, comma-separated (printed on their sheets)")
    keygen.add_argument("--keep-key", action="store_true",
                        help="with --shares: also write the passphrase-protected private key for daily work")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    recover = sub.add_parser("recover", help="rebuild the private key from K trustees' shares")
    _share_inputs(recover)
    recover.add_argument("--out-dir", type=Path, default=Path("."), help="folder for the rebuilt key files")
    recover.add_argument("--name", default="analyst", help="file name stem (default: analyst)")
    recover.set_defaults(func=cmd_recover)
    shares = sub.add_parser("shares", help="key shares: check that a set rebuilds the key, or split a key anew")
    shares_sub = shares.add_subparsers(dest="shares_command", required=True)
    split = shares_sub.add_parser("split", help="new shares of an existing private key (after a trustee leaves)")
    split.add_argument("--key", type=Path, required=True, help="the private key (PEM), e.g. as `recover` wrote it")
    split.add_argument("--out-dir", type=Path, default=Path("."), help="folder for the new shares")
    split.add_argument("--name", default="analyst", help="file name stem (default: analyst)")
    how = split.add_mutually_exclusive_group(required=True)
    how.add_argument("--shares", type=_k_of_n, metavar="K/N", help="recovery shares, any K of N rebuild the key")
    how.add_argument("--threshold", type=_k_of_n, metavar="K/N", help="threshold shares, K of N decrypt together")
    split.add_argument("--trustees", help="the N trustees' names, comma-separated")
    split.set_defaults(func=cmd_shares_split)
    check = shares_sub.add_parser("check", help="dry run: prove the shares rebuild the key (writes nothing)")
    _share_inputs(check)
    check.set_defaults(func=cmd_shares_check)
    partial = sub.add_parser("partial", help="a trustee's partial decryption of an export (threshold custody)")
    partial.add_argument("export", type=Path, help="export file from the server")
    partial.add_argument("--share", type=Path, required=True, help="your share file (.json)")
    partial.add_argument("--out", type=Path, required=True, help="partial decryption file to write")
    partial.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                         help="processes (default: all cores)")
    partial.set_defaults(func=cmd_partial)
