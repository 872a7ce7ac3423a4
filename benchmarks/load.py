"""Load benchmark: valid sealed submissions through gunicorn (2 workers, 127.0.0.1), on SQLite and
on PostgreSQL, against a bare 204 endpoint measured in the same run with the same client.

    .venv/bin/python benchmarks/load.py [--seconds 10] [--clients 4] [--db sqlite postgresql]

For each database it prints requests per second, p50 and p99 latency of both, their ratio, the
errors, and whether every acknowledged submission (201) is in the export made afterwards with
`flask --app wsgi export`. Bounded: each phase runs for --seconds, only on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.core import sealed_document as plaintext  # noqa: E402
from survey.core.envelope import load_public_key_pem, seal  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSPHRASE = "benchmark passphrase, not secret"
BARE_PATH = "/__bench/204"  # served by benchmarks/bare_app.py
FLASK_BARE_PATH = "/__bench/flask-204"


# -- set-up: keys, databases, the server ---------------------------------------------------------


@dataclass
class Site:
    """A database with one survey and link, and the environment to serve it."""

    base: Path
    url: str
    env: dict[str, str]
    survey_uid: str
    token: str
    public_pem: bytes
    cleanup: list[Any] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres(base: Path) -> tuple[str, Any]:
    """A private PostgreSQL (initdb + pg_ctl as the postgres user), Unix socket only; returns
    (database URL, stop function)."""
    base.mkdir(parents=True, exist_ok=True)
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(sock, "postgres", "postgres")
    port = free_port()
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-A", "trust", "-U", "postgres", "-D", str(data)],
                   check=True, capture_output=True)
    subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                    "-o", f"-k {sock} -p {port} -c listen_addresses='' -c fsync=on -c max_connections=50",
                    "start"], check=True, capture_output=True)
    import psycopg

    name = "bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(host=str(sock), port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def stop() -> None:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)

    return f"postgresql+psycopg://postgres@/{name}?host={sock}&port={port}", stop


def make_site(kind: str, root: str | None = None) -> Site:
    from survey import create_app
    from survey.analyst.keys import generate
    from survey.server.database import session, upgrade
    from survey.server.surveys import create_link, create_survey

    base = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-", dir=root))
    # The postgres user must reach its socket folder inside, hence 0o755.
    os.chmod(base, 0o755)  # nosec B103
    keys = generate(base / "offline", "bench", PASSPHRASE.encode())
    keys_dir = base / "keys"
    keys_dir.mkdir()
    shutil.copy(keys.public, keys_dir / keys.public.name)
    cleanup: list[Any] = []
    if kind == "postgresql":
        url, stop = start_postgres(base / "pg")
        cleanup.append(stop)
    else:
        url = f"sqlite:///{base / 'instance' / 'survey.db'}"
    (base / "instance").mkdir(exist_ok=True)
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "SURVEY_KEYS_DIR": str(keys_dir), "SECRET_KEY": "benchmark",
           "SURVEY_SUBMIT_LIMIT": "0", "TMPDIR": str(base), "PYTHONUNBUFFERED": "1"}
    app = create_app({"instance_path": base / "instance", "database_url": url, "keys_dir": keys_dir})
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["demo@1"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Benchmark", ["en"])
        link = create_link(s, survey, "Benchmark link")
        s.commit()
        uid, token = survey.uid, link.token
    app.extensions["survey_engine"].dispose()
    return Site(base, url, env, uid, token, keys.public.read_bytes(), cleanup)


class Server:
    """gunicorn with the project's config, in its own process group so it can be killed whole."""

    def __init__(self, site: Site, workers: int = 2, port: int | None = None) -> None:
        self.site = site
        self.workers = workers
        self.port = port or free_port()
        self.log = site.base / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
               f"127.0.0.1:{self.port}", "--workers", str(self.workers), "benchmarks.bare_app:app"]
        with open(self.log, "ab") as fh:
            self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.site.env, stdout=fh, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text()[-2000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", BARE_PATH)
                if conn.getresponse().status == 204:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a power cut, as far as the app knows."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


def exported_digests(site: Site) -> collections.Counter[str]:
    """SHA-256 of every envelope in a fresh `flask --app wsgi export`."""
    out = site.base / "export.jsonl"
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "export", site.survey_uid, "--out", str(out)],
                   cwd=ROOT, env=site.env, check=True, capture_output=True, timeout=300)
    lines = out.read_bytes().splitlines()
    manifest = json.loads(lines[0])
    digests = collections.Counter(hashlib.sha256(base64.b64decode(json.loads(line)["envelope"])).hexdigest()
                                  for line in lines[1:])
    assert manifest["records"] == sum(digests.values())
    return digests


def seal_many(site: Site, count: int, seed: int) -> list[bytes]:
    """``count`` distinct valid envelopes, sealed before the clock starts."""
    from survey.core.questionnaire import load_directory

    q = load_directory()["demo@1"]
    public = load_public_key_pem(site.public_pem)
    return [seal(plaintext.encode(q, "en", {"needed_treatment": "yes", "age": 18 + (i % 60),
                                            "comment": f"benchmark {seed}-{i}"}), public, site.survey_uid)
            for i in range(count)]


# -- the client ------------------------------------------------------------------------------------


def client_loop(port: int, path: str, bodies: list[bytes], seconds: float, expect: int,
                out: mp.Queue[dict[str, Any]]) -> None:
    """POST bodies (one each, in order, cycling if needed) until time is up; report latencies,
    errors, and the digests of the bodies the server acknowledged."""
    latencies: list[float] = []
    errors: collections.Counter[str] = collections.Counter()
    acked: list[str] = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        body = bodies[i % len(bodies)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=body, headers={"Content-Type": "application/octet-stream"})
            response = conn.getresponse()
            response.read()
            conn.close()
        except OSError as exc:
            errors[type(exc).__name__] += 1
            time.sleep(0.01)
            continue
        latencies.append(time.perf_counter() - t0)
        if response.status == expect:
            if expect == 201:
                acked.append(hashlib.sha256(body).hexdigest())
        else:
            errors[f"HTTP {response.status}"] += 1
    out.put({"latencies": latencies, "errors": dict(errors), "acked": acked})


def run_clients(port: int, path: str, bodies: list[list[bytes]], seconds: float, expect: int) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    queue: mp.Queue[dict[str, Any]] = ctx.Queue()
    procs = [ctx.Process(target=client_loop, args=(port, path, b, seconds, expect, queue)) for b in bodies]
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r["latencies"])
    errors: collections.Counter[str] = collections.Counter()
    for r in results:
        errors.update(r["errors"])
    return {
        "count": len(latencies),
        "rate": len(latencies) / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else float("nan"),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan"),
        "errors": dict(errors),
        "acked": [d for r in results for d in r["acked"]],
    }


def bench(kind: str, seconds: float, clients: int, root: str | None = None) -> dict[str, Any]:
    site = make_site(kind, root)
    server = Server(site)
    try:
        # Enough distinct envelopes that none is sent twice at the rates seen on small machines.
        per_client = int(os.environ.get("BENCH_ENVELOPES_PER_CLIENT", "2500"))
        bodies = [seal_many(site, per_client, c) for c in range(clients)]
        server.start()
        bare = run_clients(server.port, BARE_PATH, bodies, seconds, 204)
        flask_bare = run_clients(server.port, FLASK_BARE_PATH, bodies, seconds, 204)
        submit = run_clients(server.port, f"/s/{site.token}/sealed", bodies, seconds, 201)
        server.stop()
        exported = exported_digests(site)
        missing = collections.Counter(submit["acked"]) - exported
        return {"db": kind, "bare": bare, "flask_bare": flask_bare, "submit": submit,
                "exported": sum(exported.values()),
                "acknowledged": len(submit["acked"]), "missing": sum(missing.values())}
    finally:
        server.stop()
        for stop in site.cleanup:
            stop()
        shutil.rmtree(site.base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase (max 120)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--dir", default=None,
                        help="where the databases live (default: the temp dir; /dev/shm shows the cost "
                             "without the disk's fsync, which is not durable against power loss)")
    args = parser.parse_args(argv)
    seconds = min(args.seconds, 120.0)
    failed = False
    print(f"gunicorn, 2 workers (gthread), 127.0.0.1; {args.clients} client processes; {seconds:.0f} s per phase; "
          f"databases under {args.dir or tempfile.gettempdir()}")
    print(f"{'database':<11} {'endpoint':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  errors")
    for kind in args.db:
        r = bench(kind, seconds, args.clients, args.dir)
        for name, label in (("bare", "bare 204"), ("flask_bare", "Flask 204"), ("submit", "sealed submit")):
            m = r[name]
            print(f"{kind:<11} {label:<16} {m['rate']:>8.1f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f}  {m['errors'] or 0}")
        ratio = r["submit"]["rate"] / r["bare"]["rate"] if r["bare"]["rate"] else 0.0
        flask_ratio = r["submit"]["rate"] / r["flask_bare"]["rate"] if r["flask_bare"]["rate"] else 0.0
        print(f"{kind:<11} ratio submit/bare = {ratio:.2f} (target 0.5 on SQLite); submit/Flask 204 = "
              f"{flask_ratio:.2f}; acknowledged {r['acknowledged']}, in export {r['exported']}, "
              f"missing {r['missing']}")
        target = 0.5 if kind == "sqlite" else 0.0
        if r["missing"] or r["submit"]["errors"] or r["bare"]["errors"] or r["flask_bare"]["errors"] or ratio < target:
            failed = True
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
