"""Benchmark of `survey-analyst report` against a bare loop of HPKE decryptions.

    .venv/bin/python benchmarks/analyst.py                       # 100,000 and 1,000,000 responses
    .venv/bin/python benchmarks/analyst.py --sizes 100000        # quicker
    .venv/bin/python benchmarks/analyst.py --workers 2 --dir /tmp/bench

For each size it builds an export of sealed demo-questionnaire responses (on every core), then
times, on the same number of processes:

- `report`: the real command in its own process (start-up, key loading, reading and checking the
  export, decryption, validation, scoring, CSVs, aggregates with suppression, charts, report);
- bare: `cryptography`'s HPKE decrypt of the same envelopes, already in memory, split across the
  same number of processes, timed from the first to the last decryption; run just before and
  just after each report (the machine's speed drifts) and averaged.

Each size is measured in rounds (bare, report, bare; ``--rounds``, default 3) and the median of
the rounds' ratios is printed with every round's figures: on this shared machine one report can
take a quarter longer than the next, so a single round is a lottery.

It prints both rates, their ratio (targets: report >= 0.6 of bare at 100,000 responses and
>= 0.7 at 1,000,000) and the report's peak memory:
the largest single process (getrusage of the children) and the peak sum over the process tree
(sampled from /proc). Target: peak memory at 1,000,000 no more than 1.2x that at 100,000.
Not part of the test suite."""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hpke, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from survey.analyst.keys import PASSPHRASE_ENV  # noqa: E402
from survey.core import envelope  # noqa: E402
from survey.core import export_format as exportfile  # noqa: E402
from survey.core import sealed_document as plaintext  # noqa: E402
from survey.core.questionnaire import load  # noqa: E402

PASSPHRASE = b"benchmark passphrase, not secret"
UID = "benchmark-survey"
CHANNELS = ("Street outreach", "Clinic", "Online", "Peer network")
BARRIERS = ("cost", "waiting_list", "distance", "staff_attitudes", "confidentiality")
CHUNK = 2000

_public: ec.EllipticCurvePublicKey | None = None


#: The report's rate over the bare HPKE loop's, at least, by export size (other sizes: 0.7).
TARGETS = {100_000: 0.6, 1_000_000: 0.7}


def _init_builder(public_pem: bytes) -> None:
    global _public
    _public = envelope.load_public_key_pem(public_pem)


def _build_chunk(args: tuple[int, int]) -> list[exportfile.Record]:
    seed, count = args
    assert _public is not None
    q = load(ROOT / "survey" / "core" / "questionnaires" / "demo.toml")
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        answers: dict[str, object] = {"needed_treatment": rng.choice(["yes", "no", "prefer_not_to_say"])}
        if answers["needed_treatment"] == "yes" and rng.random() < 0.8:
            answers["barriers"] = sorted(rng.sample(BARRIERS, rng.randint(1, 3)), key=BARRIERS.index)
        for code in ("treated_unfairly", "hide_recovery"):
            if rng.random() < 0.9:
                answers[code] = rng.randint(1, 5)
        if rng.random() < 0.85:
            answers["age"] = rng.randint(16, 99)
        if rng.random() < 0.2:
            answers["comment"] = "waiting lists were long " * rng.randint(1, 4)
        data = plaintext.encode(q, rng.choice(["en", "es", "de"]), answers)
        out.append(exportfile.Record(rng.choice(CHANNELS), envelope.seal(data, _public, UID)))
    return out


def build_export(path: Path, n: int, public_pem: bytes, workers: int) -> float:
    q = load(ROOT / "survey" / "core" / "questionnaires" / "demo.toml")
    public = envelope.load_public_key_pem(public_pem)
    manifest = {
        "survey": {"uid": UID, "title": "Benchmark"},
        "questionnaire": {"id": q.id, "version": q.version, "definition": q.source},
        "key_id": envelope.key_id(public),
    }
    jobs = [(seed, min(CHUNK, n - start)) for seed, start in enumerate(range(0, n, CHUNK))]
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(workers, initializer=_init_builder, initargs=(public_pem,)) as pool:
        records = (r for chunk in pool.imap(_build_chunk, jobs) for r in chunk)
        with open(path, "wb") as fh:
            exportfile.write(fh, manifest, records)
    return time.perf_counter() - t0


# -- the bare loop ----------------------------------------------------------------------------

_SUITE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
_bare_envelopes: list[bytes] = []
_bare_key: ec.EllipticCurvePrivateKey | None = None


def _bare_slice(args: tuple[int, int]) -> tuple[int, float, float]:
    start, stop = args
    key = _bare_key
    assert key is not None
    header_info = envelope.INFO_LABEL + b"\x00"
    uid = UID.encode()
    t0 = time.perf_counter()
    for env in _bare_envelopes[start:stop]:
        _SUITE.decrypt(env[envelope.HEADER_SIZE:], key, info=header_info + env[: envelope.HEADER_SIZE] + uid)
    t1 = time.perf_counter()
    return stop - start, t0, t1


def bare_rate(path: Path, key: ec.EllipticCurvePrivateKey, workers: int, limit: int) -> float:
    """Decryptions per second with envelopes already in memory, on ``workers`` processes."""
    global _bare_envelopes, _bare_key
    _bare_envelopes = [r.envelope for _i, r in zip(range(limit), exportfile.RecordReader(path), strict=False) if r]
    _bare_key = key
    n = len(_bare_envelopes)
    step = -(-n // workers)
    slices = [(i, min(i + step, n)) for i in range(0, n, step)]
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(abs, range(workers * 4))  # processes up before timing
        t0 = time.perf_counter()
        results = pool.map(_bare_slice, slices, chunksize=1)
        wall = time.perf_counter() - t0
    _bare_envelopes = []
    return sum(r[0] for r in results) / wall


# -- the report run ---------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident memory (kB) of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


# A small parent for the command: its RUSAGE_CHILDREN maxrss is the command's largest process
# (a child forked from this benchmark would count this process's memory, copied before the exec),
# and it times the command itself, so that its own start-up is not counted.
WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:])\n"
    "t = time.perf_counter() - t\n"
    "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
)


def run_report(export: Path, key_path: Path, out: Path, workers: int,
               formats: str = "csv") -> tuple[float, float, int, int]:
    """Wall time, time of the decryption phase (from the command's own summary), peak RSS of the
    largest process (kB), peak RSS summed over the tree (kB)."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "survey.analyst.cli", "report", str(export),
           "--key", str(key_path), "--out", str(out), "--workers", str(workers),
           *(["--formats", formats] if formats != "csv" else [])]
    env = {**os.environ, PASSPHRASE_ENV: PASSPHRASE.decode(), "PYTHONPATH": str(ROOT)}
    peak = [0]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.join()
    seconds, maxrss, code = stdout.split()[-3:]
    wall = float(seconds)
    if code != "0":
        raise SystemExit(f"report failed:\n{stderr}")
    phase = re.search(r"records read in ([0-9.]+)s", stderr)
    return wall, float(phase.group(1)) if phase else wall, int(maxrss), peak[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--dir", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--bare-limit", type=int, default=100_000, help="records in the bare loop (default 100,000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="bare loop / report / bare loop rounds per size; the median ratio is reported (default 3)")
    parser.add_argument("--formats", default=None, metavar="LIST",
                        help="also run each round's report with `--formats LIST` (e.g. csv,xlsx,sav,dta) and print "
                             "the time it adds to the CSV-only report of the same round")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="analyst-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    key_path = work / "bench.key.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(PASSPHRASE)))
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    print(f"workers: {args.workers} process(es) on {os.cpu_count()} core(s); folder {work}")
    results = {}
    for n in args.sizes:
        export = work / f"export-{n}.jsonl"
        built = build_export(export, n, public_pem, args.workers)
        print(f"\n{n:,} responses: export built in {built:.1f}s ({export.stat().st_size / 1e6:,.0f} MB)")
        # The machine's speed drifts (shared cores): each round times the bare loop just before
        # and just after the report and compares the report with their mean; the rounds' median
        # ratio is the figure (one slow or fast moment does not decide it).
        ratios, phases, rates, bares, peak_rss, peak_tree = [], [], [], [], 0, 0
        extra: list[float] = []
        for round_no in range(1, args.rounds + 1):
            bare_before = bare_rate(export, key, args.workers, min(n, args.bare_limit))
            wall, phase, maxrss, tree = run_report(export, key_path, work / f"report-{n}", args.workers)
            bare_after = bare_rate(export, key, args.workers, min(n, args.bare_limit))
            bare = (bare_before + bare_after) / 2
            counts = json.loads((work / f"report-{n}" / "run.json").read_text())["counts"]
            assert counts["valid"] == n, counts
            ratios.append(n / wall / bare)
            phases.append(n / phase / bare)
            rates.append(n / wall)
            bares.append(bare)
            peak_rss, peak_tree = max(peak_rss, maxrss), max(peak_tree, tree)
            print(f"  round {round_no}: report {wall:.1f}s, {n / wall:,.0f} responses/s end to end "
                  f"(decryption phase {phase:.1f}s, {n / phase:,.0f}/s); bare loop {bare:,.0f}/s "
                  f"(before {bare_before:,.0f}/s, after {bare_after:,.0f}/s); ratio {ratios[-1]:.2f} "
                  f"(phase alone {phases[-1]:.2f})", flush=True)
            if args.formats:
                # Bracketed like the bare loop: CSV only just before and just after, their mean the baseline.
                with_formats, _phase, formats_rss, _tree = run_report(
                    export, key_path, work / f"report-{n}-formats", args.workers, args.formats)
                csv_after, _phase, _rss, _tree = run_report(export, key_path, work / f"report-{n}", args.workers)
                baseline = (wall + csv_after) / 2
                extra.append(with_formats - baseline)
                print(f"  round {round_no}: report --formats {args.formats} {with_formats:.1f}s, "
                      f"{extra[-1]:+.1f}s ({with_formats / baseline:.2f}x) against CSV only "
                      f"({wall:.1f}s before, {csv_after:.1f}s after); largest process {formats_rss / 1024:,.0f} MB",
                      flush=True)
        results[n] = (statistics.median(rates), statistics.median(bares), peak_rss, peak_tree)
        print(f"  report: median {statistics.median(rates):,.0f} responses/s end to end; bare HPKE loop "
              f"({min(n, args.bare_limit):,} records): median {statistics.median(bares):,.0f} decryptions/s")
        print(f"  ratio report/bare, median of {len(ratios)} round(s): {statistics.median(ratios):.2f} end to end "
              f"(target >= {TARGETS.get(n, 0.7):.2f}; rounds {min(ratios):.2f}..{max(ratios):.2f}); "
              f"decryption phase alone {statistics.median(phases):.2f}")
        print(f"  peak memory: largest process {peak_rss / 1024:,.0f} MB; whole process tree {peak_tree / 1024:,.0f} MB")
        if extra:
            print(f"  --formats {args.formats} adds, median of {len(extra)} round(s): {statistics.median(extra):.1f}s "
                  f"({statistics.median(extra) / n * 1e6:.0f} µs per response)")
        export.unlink()
    if len(results) > 1:
        small, big = min(results), max(results)
        print(f"\npeak memory {big:,} vs {small:,}: largest process "
              f"{results[big][2] / results[small][2]:.2f}x, process tree {results[big][3] / results[small][3]:.2f}x "
              "(target <= 1.2x)")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
