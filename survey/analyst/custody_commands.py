"""``survey-analyst`` key custody: ``keygen --shares/--threshold``, ``recover``, ``shares check``,
``shares split`` and ``partial`` (docs/analyst.md, "Key custody"); their options are in
:mod:`survey.analyst.custody_options`.

No share or key is ever printed: shares go to their sheets and files only (0600), the rebuilt key
only to its passphrase-protected file."""

from __future__ import annotations

import argparse
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
from survey.analyst.terminal import UsageError, ask_passphrase, say
from survey.core import envelope


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
    say(f"export:  {args.export.name}: survey {survey['title']!r} ({survey['uid']}), "  # the manifest's text, shown safely
        f"{reader.manifest['records']} records, key {envelope.format_key_id(reader.manifest['key_id'])}")
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
