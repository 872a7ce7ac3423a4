"""``survey-analyst``: the analyst's offline command (keygen, decrypt, report; key custody in
:mod:`survey.analyst.custody_commands`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from cryptography.hazmat.primitives.asymmetric import ec

from survey.analyst.custody_options import add_commands as add_custody_commands
from survey.analyst.custody_options import add_keygen_options, command
from survey.analyst.keys import KeyFileError, generate, load_private
from survey.analyst.per_person import WARNING
from survey.analyst.terminal import UsageError, ask_passphrase, say
from survey.analyst.unsealing import Unsealing, WholeKeys
from survey.core import envelope
from survey.core.export_format import ExportFileError, RecordReader
from survey.core.languages import LANGUAGES
from survey.core.questionnaire import DefinitionError, Questionnaire, parse


def cmd_keygen(args: argparse.Namespace) -> int:
    if args.shares or args.threshold:
        return command("keygen_split")(args)
    if args.trustees or args.keep_key:
        raise UsageError("--trustees and --keep-key go with --shares K/N or --threshold K/N")
    files = generate(args.out_dir, args.name, ask_passphrase(confirm=True))
    print(f"key id:      {envelope.format_key_id(files.key_id)}")
    print(f"public key:  {files.public}   (copy this into the server's keys/ folder)")
    print(f"private key: {files.private}   (keep it offline; it is the only way to read answers)")
    return 0


def load_keys(paths: list[Path]) -> dict[bytes, ec.EllipticCurvePrivateKey]:
    passphrase = ask_passphrase(confirm=False)
    keys: dict[bytes, ec.EllipticCurvePrivateKey] = {}
    for path in paths:
        key = load_private(path, passphrase)
        keys[envelope.key_id_bytes(key.public_key())] = key
    return keys


def export_questionnaire(reader: RecordReader) -> Questionnaire:
    q = reader.manifest.get("questionnaire", {})
    try:
        return parse(q.get("definition", ""), f"questionnaire in {reader.path.name}")
    except DefinitionError as exc:
        raise UsageError(str(exc)) from exc


def unsealing_for(args: argparse.Namespace, readers: list[RecordReader]) -> tuple[Unsealing, list[str]]:
    """The whole keys (``--key``, checked against every export at once) or the trustees' partials
    (``--partials``, matched to the exports), and the key ids they stand for."""
    if args.partials:
        from survey.analyst.partial_file import PartialFileError  # PyCryptodome: only with partials
        from survey.analyst.partial_match import partials_for

        try:
            return partials_for(readers, args.partials), sorted({str(r.manifest["key_id"]) for r in readers})
        except PartialFileError as exc:
            raise UsageError(str(exc)) from exc
    keys = load_keys(args.key)
    for reader in readers:
        check_key(reader, keys)
    return WholeKeys(tuple(k.private_numbers().private_value for k in keys.values())), sorted(k.hex() for k in keys)


def check_key(reader: RecordReader, keys: dict[bytes, ec.EllipticCurvePrivateKey]) -> None:
    """Fail at once, before any record, when no given key is the one the export is sealed to."""
    wanted = str(reader.manifest.get("key_id", ""))
    held = {kid.hex() for kid in keys}
    if wanted not in held:
        raise UsageError(
            f"wrong key: {reader.path.name} is sealed to key {envelope.format_key_id(wanted)}, "
            f"but the key given is {', '.join(envelope.format_key_id(k) for k in sorted(held))}"
        )


def cmd_decrypt(args: argparse.Namespace) -> int:
    """Responses only: the same ``responses.csv`` as ``report`` writes, by the same pipeline."""
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    reader = RecordReader(args.export)
    q = export_questionnaire(reader)
    unsealing, key_ids = unsealing_for(args, [reader])
    from survey.analyst.outcome import Outcome, Settings
    from survey.analyst.pipeline import Outputs, decrypt_exports

    outcome = Outcome(Settings(workers=args.workers), [], key_ids, [q])
    with open(args.out, "w", newline="", encoding="utf-8") as responses:
        decrypt_exports([reader], unsealing, outcome, Outputs(responses))
    say(f"{outcome.valid} responses decrypted and valid")
    examples = {reason: detail for _rid, reason, detail in reversed(outcome.examples)}
    for reason, count in sorted(outcome.rejected.items()):
        example = examples.get(reason, "")
        say(f"{count} rejected: {reason}" + (f" (e.g. {example})" if example else ""))
    for problem in outcome.problems:
        say(f"WARNING: {problem}")
    for line in outcome.export_digests():
        say(line)
    say(f"wrote {args.out}")
    say(f"{args.out.name}: {WARNING}")
    return 1 if outcome.problems else 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.k < 2:
        raise UsageError("--k must be at least 2")
    from survey.analyst.output_formats import check_size, parse_formats  # refused before the passphrase is asked

    formats = parse_formats(args.formats)
    if args.epsilon is not None and not args.epsilon > 0:
        raise UsageError("--epsilon must be a positive number")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    readers = [RecordReader(path) for path in args.export]
    check_size(formats, sum(int(reader.manifest.get("records", 0) or 0) for reader in readers))
    first_export: dict[str, Path] = {}
    for reader in readers:  # the manifest's shape was checked when it was read
        uid = reader.manifest["survey"]["uid"]
        if uid in first_export:
            raise UsageError(
                f"{first_export[uid].name} and {reader.path.name} are both exports of survey {uid!r}: "
                "an export holds every response the survey has had so far, so those responses would be "
                "counted twice. Give only the latest export of each survey.")
        first_export[uid] = reader.path
    questionnaires: dict[str, Questionnaire] = {}
    for reader in readers:
        q = export_questionnaire(reader)
        if questionnaires.setdefault(q.key, q).source != q.source:
            raise UsageError(f"{reader.path.name}: {q.key} has another definition than in an earlier export")
    unsealing, key_ids = unsealing_for(args, readers)
    from survey.analyst import report  # numpy, the worker pool and (later) matplotlib: only for this command
    from survey.analyst.outcome import Settings

    settings = Settings(k=args.k, epsilon=args.epsilon, workers=args.workers, lang=args.lang, formats=formats)
    outcome = report.build(readers, list(questionnaires.values()), unsealing, key_ids, args.out, settings)
    report.print_summary(outcome, args.out)
    return 1 if outcome.problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="survey-analyst",
        description="Offline tools for the analyst: make the key pair, decrypt exports, build reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="make the analyst key pair (once)")
    keygen.add_argument("--out-dir", type=Path, default=Path("."), help="folder for the two key files")
    keygen.add_argument("--name", default="analyst", help="file name stem (default: analyst)")
    add_keygen_options(keygen)
    keygen.set_defaults(func=cmd_keygen)
    decrypt = sub.add_parser("decrypt", help="decrypt an export into a CSV of responses")
    decrypt.add_argument("export", type=Path, help="export file from the server")
    _unsealing_options(decrypt)
    decrypt.add_argument("--out", type=Path, required=True, help="CSV file to write (the columns of report's responses.csv)")
    decrypt.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                         help="processes for decryption (default: all cores)")
    decrypt.set_defaults(func=cmd_decrypt)
    rep = sub.add_parser("report", help="decrypt exports into CSVs, aggregates safe to publish and a report")
    rep.add_argument("export", type=Path, nargs="+", help="export file(s): surveys or waves, same or other questionnaires")
    _unsealing_options(rep)
    rep.add_argument("--out", type=Path, required=True, help="folder to write the outputs into")
    rep.add_argument("--k", type=int, default=10, help="smallest count that is published (default 10)")
    rep.add_argument("--epsilon", type=float, default=None,
                        help="add differentially private noise to published counts, with this ε per count")
    rep.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="processes for decryption (default: all cores)")
    rep.add_argument("--lang", choices=list(LANGUAGES), default="en", metavar="LANG",
                     help=f"language of report.html and of the labels ({', '.join(LANGUAGES)}; default en)")
    rep.add_argument("--formats", default="csv", metavar="LIST",
                     help="files to write besides the CSVs, comma-separated: csv, xlsx, sav, dta (default csv; "
                          'xlsx, sav and dta need `pip install "run-survey[stats]"`)')
    rep.set_defaults(func=cmd_report)
    add_custody_commands(sub)
    return parser


def _unsealing_options(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--key", type=Path, action="append", help="private key (PEM); may repeat")
    how.add_argument("--partials", type=Path, nargs="+", metavar="PARTIAL",
                     help="threshold custody: the partial decryptions of K (or more) trustees, instead of a key")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, KeyFileError, ExportFileError) as exc:
        say(f"survey-analyst: {exc}")
        return 2
    except OSError as exc:
        say(f"survey-analyst: {exc.filename}: {exc.strerror}")
        return 2


def run() -> NoReturn:
    """The console entry point. Every file is closed by the time ``main`` returns, so the process
    exits at once instead of tearing down every module (a few tenths of a second once matplotlib
    is loaded)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
