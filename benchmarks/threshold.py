"""Benchmark of threshold decryption (K = 3) against the single-key report, on one export.

    .venv/bin/python benchmarks/threshold.py                     # 100,000 responses, 3 rounds
    .venv/bin/python benchmarks/threshold.py --size 20000 --rounds 1

It splits a new key 3/5 (`survey-analyst keygen --shares 3/5 --keep-key`, so the whole key exists
for the comparison), builds an export of sealed demo-questionnaire responses (benchmarks/analyst.py),
then in each round times, on the same number of processes and the same export:

- bare: `cryptography`'s HPKE decrypt of the envelopes, already in memory (benchmarks/analyst.py);
- `report --key`: the ordinary single-key report, the real command in its own process;
- `partial` for trustees 1, 2 and 3: each trustee's step, the real command;
- `report --partials`: the combining report from those three partials.

Rates are records per second of wall time of each command (start-up included, for all alike).
Targets: each trustee's `partial` >= 0.3 of the bare loop; the combining report >= 0.5 of the
single-key report. The median of the rounds' ratios is printed with every round. Not part of the
test suite."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from analyst import PASSPHRASE, bare_rate, build_export  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from survey.analyst.keys import PASSPHRASE_ENV  # noqa: E402

TRUSTEES = (1, 2, 3)


def analyst(*args: str | Path) -> float:
    """Run ``survey-analyst ARGS`` in its own process; its wall time in seconds."""
    env = {**os.environ, PASSPHRASE_ENV: PASSPHRASE.decode(), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "survey.analyst.cli", *map(str, args)],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"survey-analyst {args[0]} failed:\n{result.stderr}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--dir", type=Path, default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="threshold-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    keys = work / "keys"
    analyst("keygen", "--out-dir", keys, "--name", "bench", "--shares", "3/5", "--keep-key")
    key_path = keys / "bench.key.pem"
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=PASSPHRASE)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    shares = {int(p.name.split("-")[1]): p for p in keys.glob("bench.share-*.json")}
    n, workers = args.size, args.workers
    export = work / f"export-{n}.jsonl"
    built = build_export(export, n, (keys / "bench.pub.pem").read_bytes(), workers)
    print(f"workers: {workers} process(es) on {os.cpu_count()} core(s); folder {work}")
    print(f"{n:,} responses: export built in {built:.1f}s ({export.stat().st_size / 1e6:,.0f} MB); K = 3 of 5")
    trustee_ratios: dict[int, list[float]] = {t: [] for t in TRUSTEES}
    combine_ratios: list[float] = []
    figures: dict[str, list[float]] = {"bare": [], "single": [], "combining": [], **{f"partial {t}": [] for t in TRUSTEES}}
    for round_no in range(1, args.rounds + 1):
        bare_before = bare_rate(export, key, workers, n)
        single = n / analyst("report", export, "--key", key_path, "--out", work / "single", "--workers", workers)
        partial_rates = {}
        for t in TRUSTEES:
            out = work / f"partial-{t}.bin"
            out.unlink(missing_ok=True)
            partial_rates[t] = n / analyst("partial", export, "--share", shares[t], "--out", out, "--workers", workers)
        combining = n / analyst("report", export, "--partials", *[work / f"partial-{t}.bin" for t in TRUSTEES],
                                "--out", work / "combined", "--workers", workers)
        bare_after = bare_rate(export, key, workers, n)
        bare = (bare_before + bare_after) / 2
        for name in ("responses.csv", "aggregates.csv"):
            assert (work / "single" / name).read_bytes() == (work / "combined" / name).read_bytes(), name
        figures["bare"].append(bare)
        figures["single"].append(single)
        figures["combining"].append(combining)
        for t in TRUSTEES:
            figures[f"partial {t}"].append(partial_rates[t])
            trustee_ratios[t].append(partial_rates[t] / bare)
        combine_ratios.append(combining / single)
        trustees = ", ".join(f"{t}: {partial_rates[t]:,.0f}/s ({partial_rates[t] / bare:.2f})" for t in TRUSTEES)
        print(f"  round {round_no}: bare HPKE loop {bare:,.0f}/s (before {bare_before:,.0f}, after {bare_after:,.0f}); "
              f"single-key report {single:,.0f}/s; combining report {combining:,.0f}/s "
              f"({combining / single:.2f} of single); partial per trustee {trustees}", flush=True)
    med = {name: statistics.median(values) for name, values in figures.items()}
    print(f"\nmedians of {args.rounds} round(s), {n:,} responses, {workers} processes:")
    print(f"  bare HPKE loop          {med['bare']:>9,.0f} decryptions/s")
    print(f"  single-key report       {med['single']:>9,.0f} responses/s ({med['single'] / med['bare']:.2f} of bare)")
    for t in TRUSTEES:
        print(f"  partial, trustee {t}      {med[f'partial {t}']:>9,.0f} records/s   "
              f"ratio to bare {statistics.median(trustee_ratios[t]):.2f} (target >= 0.30)")
    print(f"  combining report        {med['combining']:>9,.0f} responses/s   "
          f"ratio to single-key report {statistics.median(combine_ratios):.2f} (target >= 0.50; "
          f"rounds {min(combine_ratios):.2f}..{max(combine_ratios):.2f})")
    sizes = [os.stat(work / f"partial-{t}.bin").st_size for t in TRUSTEES]
    print(f"  partial file size       {statistics.median(sizes) / 1e6:,.1f} MB ({statistics.median(sizes) / n:.0f} bytes/record)")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
