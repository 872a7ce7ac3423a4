"""Shared fixtures: analyst keys, apps on SQLite or a real PostgreSQL, a live server process."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey import create_app
from survey.analyst.keys import generate
from survey.server.database import session, upgrade
from survey.server.surveys import create_link, create_survey

if TYPE_CHECKING:
    import psycopg
    from playwright.sync_api import Browser, BrowserContext
    from psycopg.rows import TupleRow

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "test passphrase, not secret"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
ARTIFACTS = ROOT / "test-artifacts"


@dataclass(frozen=True)
class AnalystKey:
    keys_dir: Path
    private: Path
    key_id: str


def make_key(base: Path, name: str) -> AnalystKey:
    """A real analyst key pair: the private key offline, the public key in a keys/ folder."""
    files = generate(base / "offline", name, PASSPHRASE.encode())
    keys_dir = base / "keys"
    keys_dir.mkdir()
    shutil.copy(files.public, keys_dir / files.public.name)
    return AnalystKey(keys_dir, files.private, files.key_id)


@pytest.fixture(scope="session")
def analyst_key(tmp_path_factory: pytest.TempPathFactory) -> AnalystKey:
    return make_key(tmp_path_factory.mktemp("analyst"), "analyst")


@pytest.fixture(scope="session")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> AnalystKey:
    """A second analyst's key, for wrong-key tests."""
    return make_key(tmp_path_factory.mktemp("other"), "other")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_databases: tests using the `app` fixture run twice, [sqlite] and [postgresql] "
        "(the latter marked `postgres`), each on a fresh database",
    )


#: The engines a `both_databases` test runs on; the PostgreSQL run carries the `postgres` mark.
DATABASES = [pytest.param("sqlite", id="sqlite"),
             pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test on both engines when its module (or it) is marked `both_databases`, or when it
    asks for `any_db_app`; every other test gets the default, an SQLite file in tmp_path."""
    if "database" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("both_databases") or "any_db_app" in metafunc.fixturenames:
        metafunc.parametrize("database", DATABASES, indirect=True)


@dataclass(frozen=True)
class PgServer:
    """The session's PostgreSQL: call it for the URL of a new, empty database; drop that again."""

    sock: Path
    port: int

    def _admin(self) -> psycopg.Connection[TupleRow]:
        import psycopg

        return psycopg.connect(host=str(self.sock), port=self.port, user="postgres", dbname="postgres",
                               autocommit=True)

    def __call__(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={self.sock}&port={self.port}"

    def drop(self, url: str) -> None:
        """Drop a database made by this server (its buffers need not be flushed at shutdown)."""
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        assert name is not None and name.startswith("t_"), url
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    """A real PostgreSQL started for the test session; yields a factory of fresh database URLs."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL binaries missing: run `make test`, which installs them")
    base = Path(tempfile.mkdtemp(prefix="pg-"))
    shutil.chown(base, "postgres", "postgres") if os.geteuid() == 0 else None
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(sock, "postgres", "postgres")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    port = free_port()
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-A", "trust", "-U", "postgres", "-D", str(data)],
                   check=True, capture_output=True)
    subprocess.run(
        [*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
         "-o", f"-k {sock} -p {port} -c listen_addresses='' -c fsync=on", "start"],
        check=True, capture_output=True,
    )
    try:
        yield PgServer(sock, port)
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def build_app(tmp_path: Path, keys: AnalystKey, database_url: str | None = None, **extra: object) -> Flask:
    instance = tmp_path / "instance"
    url = database_url or f"sqlite:///{instance / 'survey.db'}"
    upgrade_url = url
    instance.mkdir(parents=True, exist_ok=True)
    upgrade(upgrade_url)
    # No reshuffle schedule unless a test asks for one: its thread would outlive the test's database.
    return create_app({"testing": True, "instance_path": instance, "database_url": url,
                       "keys_dir": keys.keys_dir, "reshuffle_minutes": 0, **extra})


class LinkOptions(TypedDict, total=False):
    """create_link's optional settings."""

    expires_on: dt.date | None
    response_cap: int | None
    requires_code: bool


def add_survey(app: Flask, questionnaire: str = "demo@1", label: str = "Street outreach",
               **link_opts: Unpack[LinkOptions]) -> tuple[str, str]:
    """Create a survey with one link, offered in every language the server has; returns (survey
    uid, link token)."""
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"][questionnaire]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Test survey",
                               list(app.extensions["survey_languages"]))
        link = create_link(s, survey, label, **link_opts)
        s.commit()
        return survey.uid, link.token


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """The engine of this test's database: "sqlite" unless parametrised (see pytest_generate_tests)."""
    return str(getattr(request, "param", "sqlite"))


def fresh_database(request: pytest.FixtureRequest, engine: str) -> str | None:
    """A new, empty database on ``engine`` for ``request``'s fixture (of any scope), dropped when
    that fixture ends: a PostgreSQL database on the session's server, or None for build_app's
    SQLite file. A module-scoped fixture runs on both engines with ``params=DATABASES``."""
    if engine != "postgresql":
        return None
    server: PgServer = request.getfixturevalue("pg_server")
    url = server()
    request.addfinalizer(lambda: server.drop(url))
    return url


@pytest.fixture
def database_url(database: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh database on the test's engine (see :func:`fresh_database`)."""
    return fresh_database(request, database)


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(tmp_path: Path, analyst_key: AnalystKey, database_url: str | None) -> Iterator[AppFactory]:
    """build_app on this test's database (``make_app(count_threshold=7)``); engines closed after."""
    made: list[Flask] = []

    def make(**extra: object) -> Flask:
        made.append(build_app(tmp_path, analyst_key, database_url, **extra))
        return made[-1]

    yield make
    for built in made:
        built.extensions["reshuffler"].stop()
        built.extensions["survey_engine"].dispose()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """The app on a fresh database: SQLite, or both engines in a `both_databases` module."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def any_db_app(app: Flask) -> Flask:
    """The app on SQLite and, in a second run, on a real PostgreSQL server, in any module."""
    return app


def run_analyst(*args: str | Path, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    """The real analyst command, in its own process, as the analyst would run it."""
    env = {**os.environ, "SURVEY_ANALYST_PASSPHRASE": passphrase}
    return subprocess.run([sys.executable, "-m", "survey.analyst.cli", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


def export_survey(app: Flask, survey_uid: str, out: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["export", survey_uid, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@dataclass
class LiveServer:
    url: str
    log: Path
    tmpdir: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(env: dict[str, str], log: Path, tmpdir: Path, gunicorn: bool = False, workers: int = 1) -> LiveServer:
    """The app in a real server process (Werkzeug's, as `make run` uses, or gunicorn)."""
    port = free_port()
    tmpdir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **env, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
    if gunicorn:
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "wsgi:app"]
    else:
        cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)]
    fh = open(log, "ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("server did not start")
    return LiveServer(f"http://127.0.0.1:{port}", log, tmpdir, proc, full_env)


@pytest.fixture
def live_server(tmp_path: Path, app: Flask, analyst_key: AnalystKey) -> Iterator[LiveServer]:
    """A real server process on the `app` fixture's database (SQLite in tmp_path)."""
    settings = app.config["SETTINGS"]
    env = {
        "DATABASE_URL": settings.database_url,
        "SURVEY_KEYS_DIR": str(analyst_key.keys_dir),
        "SECRET_KEY": settings.secret_key,
        "FLASK_DEBUG": "0",
    }
    server = start_server(env, tmp_path / "server.log", tmp_path / "server-tmp")
    yield server
    server.stop()


# -- real Chromium through Playwright -------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no downloaded browser)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh 360×640 phone-sized browser context with JavaScript on."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    yield context
    context.close()


@pytest.fixture
def phone_no_js(browser: Browser) -> Iterator[BrowserContext]:
    """The same, with JavaScript disabled."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    yield context
    context.close()


def artifact(name: str) -> Path:
    """Where a test saves a screenshot or file for people to look at (test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
