"""The analyst installs without the web stack, and requirements.lock says what is installed.

`pip install .` (no extras) is what the analyst runs on an offline laptop: it must bring the
analyst's tool and the core only, and that must be enough to build a report. The lock is what
`make` installs and what pip-audit audits, so it must match pyproject.toml and the environment."""

from __future__ import annotations

import os
import subprocess
import tomllib
import venv
from importlib import metadata
from pathlib import Path

from flask import Flask
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import PASSPHRASE, ROOT, AnalystKey, add_survey, export_survey
from tests.helpers import DEMO_FORM, read_rows

LOCK = ROOT / "requirements.lock"
SELF = canonicalize_name("run-survey")


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += [Requirement(r) for r in extra]
    return [r for r in wanted if canonicalize_name(r.name) != SELF]


def test_the_lock_pins_every_declared_dependency_at_a_version_it_allows() -> None:
    pins = _locked()
    problems = []
    for req in _declared():
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in the lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} does not satisfy {req}")
    assert not problems, f"requirements.lock is stale (run `make lock`): {problems}"


def test_the_lock_is_exactly_what_is_installed() -> None:
    """What pip-audit audits is what runs: no installed package missing from the lock, none extra."""
    installed: dict[str, str] = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    for tool in ("pip", "setuptools", "wheel", SELF):  # `pip freeze` leaves these out
        installed.pop(tool, None)
    pins = _locked()
    missing = sorted(f"{n}=={v}" for n, v in installed.items() if pins.get(n) != v)
    extra = sorted(f"{n}=={v}" for n, v in pins.items() if installed.get(n) != v)
    assert not missing and not extra, (
        f"requirements.lock and this environment differ: installed but not locked {missing}, "
        f"locked but not installed {extra}. Run `make lock` after changing pyproject.toml.")


def test_pip_install_without_extras_gives_a_working_analyst_and_no_web_stack(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app)
    client = app.test_client()
    for _ in range(3):
        assert client.post(f"/s/{token}", data=DEMO_FORM).status_code == 303
    export = export_survey(app, uid, tmp_path / "export.jsonl")

    env_dir = tmp_path / "analyst-venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
                             capture_output=True, text=True, env=clean, timeout=540)
    assert install.returncode == 0, install.stderr[-3000:]

    # Away from the source tree, so that only the installed package can be imported.
    for module in ("flask", "sqlalchemy", "wtforms", "flask_babel", "gunicorn", "psycopg", "alembic",
                   "openpyxl", "pyreadstat", "pandas"):  # the [stats] extra is not in the base install either
        probe = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, text=True,
                               env=clean, cwd=tmp_path)
        assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr, f"{module} is installed"
    report = subprocess.run(
        [str(env_dir / "bin" / "survey-analyst"), "report", str(export), "--key", str(analyst_key.private),
         "--out", str(tmp_path / "out"), "--k", "2", "--workers", "1"],
        capture_output=True, text=True, env={**clean, "SURVEY_ANALYST_PASSPHRASE": PASSPHRASE},
        cwd=tmp_path, timeout=300,
    )
    assert report.returncode == 0, report.stderr
    assert "3 responses decrypted and valid" in report.stderr
    assert len(read_rows(tmp_path / "out" / "responses.csv")) == 3
    assert (tmp_path / "out" / "report.html").stat().st_size > 1000
    where = subprocess.run([str(python), "-c", "import survey; print(survey.__file__)"],
                           capture_output=True, text=True, env=clean, cwd=tmp_path)
    assert str(env_dir) in where.stdout, "the test must run the installed copy, not the source tree"

    # The statistical formats need the [stats] extra: asked for without it, refused with the way to install it,
    # before any record is decrypted or any output written (the passphrase is there: nothing else stops it).
    for formats in ("sav", "csv,xlsx", "dta"):
        refused = subprocess.run(
            [str(env_dir / "bin" / "survey-analyst"), "report", str(export), "--key", str(analyst_key.private),
             "--out", str(tmp_path / "out-stats"), "--formats", formats],
            capture_output=True, text=True, env={**clean, "SURVEY_ANALYST_PASSPHRASE": PASSPHRASE}, cwd=tmp_path,
            stdin=subprocess.DEVNULL, timeout=300,
        )
        assert refused.returncode == 2, refused.stderr
        assert 'pip install "run-survey[stats]"' in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
        assert not (tmp_path / "out-stats").exists()
