"""Crash benchmark: under load, SIGKILL gunicorn (master and workers) several times and restart it;
afterwards every submission that got a 201 must be in the export, and the database must pass its
integrity check.

    .venv/bin/python benchmarks/crash.py [--kills 5] [--db sqlite postgresql] [--clients 4]

Bounded: about 1.5 s of load between kills, only on 127.0.0.1. Prints the figures; exits 1 on any loss.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import http.client
import multiprocessing as mp
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import Server, exported_digests, make_site, seal_many


def crash_client(port: int, path: str, bodies: list[bytes], stop: Any, out: mp.Queue[dict[str, Any]]) -> None:
    """Send each body once, in order, until told to stop; a body whose request failed is not
    acknowledged (it may or may not have been stored) and is not sent again."""
    acked: list[str] = []
    failures = 0
    for body in bodies:
        if stop.is_set():
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", path, body=body, headers={"Content-Type": "application/octet-stream"})
            response = conn.getresponse()
            response.read()
            conn.close()
        except (OSError, http.client.HTTPException):  # a kill can cut a response mid-way
            failures += 1
            time.sleep(0.02)
            continue
        if response.status == 201:
            acked.append(hashlib.sha256(body).hexdigest())
        else:
            failures += 1
    out.put({"acked": acked, "failures": failures})


def integrity(site: Any) -> str:
    if site.url.startswith("sqlite"):
        with sqlite3.connect(site.url.removeprefix("sqlite:///")) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(site.url)
    with psycopg.connect(host=url.query["host"], port=int(url.query["port"]), user="postgres",
                         dbname=url.database) as conn:
        # A full read of every row and index of the table: fails if a page is damaged.
        rows = conn.execute("SELECT count(*) FROM (SELECT id, envelope FROM responses ORDER BY id) t").fetchone()
        conn.execute("REINDEX TABLE responses")
        return f"ok (read {rows[0] if rows else 0} rows, reindexed)"


def crash(kind: str, kills: int, clients: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    site = make_site(kind)
    server = Server(site)
    try:
        bodies = [seal_many(site, 1500, c) for c in range(clients)]
        server.start()
        ctx = mp.get_context("fork")
        stop, queue = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=crash_client, args=(server.port, f"/s/{site.token}/sealed", b, stop, queue))
                 for b in bodies]
        for p in procs:
            p.start()
        for _ in range(kills):
            time.sleep(rng.uniform(0.8, 2.0))
            server.kill()
            time.sleep(rng.uniform(0.05, 0.3))
            server.start()
        time.sleep(1.0)
        stop.set()
        results = [queue.get(timeout=120) for _ in procs]
        for p in procs:
            p.join()
        server.stop()
        acked = collections.Counter(d for r in results for d in r["acked"])
        exported = exported_digests(site)
        missing = sum((acked - exported).values())
        return {"db": kind, "kills": kills, "acknowledged": sum(acked.values()), "exported": sum(exported.values()),
                "missing": missing, "failed_requests": sum(r["failures"] for r in results),
                "integrity": integrity(site)}
    finally:
        server.stop()
        for stop_db in site.cleanup:
            stop_db()
        shutil.rmtree(site.base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    failed = False
    for kind in args.db:
        r = crash(kind, min(args.kills, 20), args.clients, args.seed)
        print(f"{kind}: {r['kills']} SIGKILLs of gunicorn under load; acknowledged {r['acknowledged']}, "
              f"in export {r['exported']} (extra = stored but unacknowledged when killed: "
              f"{r['exported'] - r['acknowledged'] + r['missing']}), lost {r['missing']}; "
              f"requests without an answer {r['failed_requests']}; integrity: {r['integrity']}")
        failed = failed or r["missing"] > 0 or not r["integrity"].startswith("ok")
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
