"""How long the reshuffle (survey/server/reshuffle.py) takes, against copying the same file.

    .venv/bin/python benchmarks/reshuffle.py                  # 10,000 and 100,000 responses
    .venv/bin/python benchmarks/reshuffle.py --sizes 20000

For each size it builds an SQLite database through the real schema (migrations) holding that many
responses of a typical envelope size (1,117 bytes: a 1 KiB padded plaintext sealed), times one
reshuffle (VACUUM, then the write-ahead log emptied), and, as the baseline measured in the same run,
a plain copy of the database file with fsync. The reshuffle window of docs/threat-model.md is the
schedule's interval plus this time. Not part of the test suite."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from survey.server.database import make_engine, upgrade  # noqa: E402
from survey.server.models import Link, Response, Survey  # noqa: E402
from survey.server.reshuffle import reshuffle  # noqa: E402

ENVELOPE_BYTES = 1117


def build(folder: Path, responses: int) -> Path:
    path = folder / "survey.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Survey), [{"id": 1, "uid": "bench", "title": "bench", "questionnaire_id": "demo",
                                       "questionnaire_version": 1, "key_id": "0" * 16, "languages": "en",
                                       "is_open": True}])
        conn.execute(insert(Link), [{"id": 1, "survey_id": 1, "token": "bench", "label": "bench",
                                     "revoked": False, "requires_code": False}])
        for start in range(0, responses, 5000):
            conn.execute(insert(Response), [
                {"id": secrets.token_hex(16), "survey_id": 1, "link_id": 1, "received_on": dt.date.today(),
                 "key_id": "0" * 16, "envelope": secrets.token_bytes(ENVELOPE_BYTES)}
                for _ in range(start, min(start + 5000, responses))])
    engine.dispose()
    return path


def copy_seconds(path: Path) -> float:
    target = path.with_suffix(".copy")
    started = time.perf_counter()
    shutil.copyfile(path, target)
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = build(Path(tmp), size)
            megabytes = path.stat().st_size / 1e6
            copy = copy_seconds(path)
            engine = make_engine(f"sqlite:///{path}")
            done = reshuffle(engine)
            engine.dispose()
            print(f"{size:>9,} responses, {megabytes:,.0f} MB: reshuffle {done.seconds:.2f} s "
                  f"({megabytes / done.seconds:,.0f} MB/s); copy with fsync {copy:.2f} s; "
                  f"ratio reshuffle/copy {done.seconds / copy:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
