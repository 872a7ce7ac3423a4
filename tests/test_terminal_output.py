"""Nothing an export carried reaches the analyst's terminal as it is: escape sequences and
bidirectional controls in a manifest's title or uid are shown as ``\\uXXXX`` text."""

from __future__ import annotations

import re
from pathlib import Path

from survey.analyst.terminal import printable
from survey.core import export_format
from tests.conftest import run_analyst

CONTROLS = re.compile("[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]")
TITLE = "Wave \x1b]0;owned\x07\x1b[2J \u202egpj.exe"


def test_printable_shows_every_control_and_keeps_every_script() -> None:
    assert printable(TITLE) == "Wave \\u001b]0;owned\\u0007\\u001b[2J \\u202egpj.exe"
    assert printable("line\nnext\u200b\ufeff") == "line\\u000anext\\u200b\\ufeff"
    assert printable("Zdravo, Привіт, مرحبا, 😀") == "Zdravo, Привіт, مرحبا, 😀"


def test_partial_prints_a_hostile_title_and_uid_visibly(tmp_path: Path) -> None:
    made = run_analyst("keygen", "--out-dir", tmp_path, "--name", "net", "--shares", "2/3")
    assert made.returncode == 0, made.stderr
    key_id = re.search(r"key id:\s+([0-9a-f ]+)", made.stdout)
    assert key_id is not None
    export = tmp_path / "hostile.jsonl"
    with open(export, "wb") as fh:
        export_format.write(fh, {"survey": {"uid": "uid\x1b[31m", "title": TITLE},
                                 "questionnaire": {"id": "demo", "version": 1, "definition": ""},
                                 "key_id": key_id.group(1).replace(" ", "")}, [])
    share = next(tmp_path.glob("net.share-*.json"))
    result = run_analyst("partial", export, "--share", share, "--out", tmp_path / "p.bin", "--workers", "1")
    output = result.stdout + result.stderr
    assert not CONTROLS.search(output), CONTROLS.findall(output)
    assert "\\u202egpj.exe" in output and "uid\\u001b[31m" in output, output


def test_the_statistics_files_count_as_per_person_data() -> None:
    """report --formats writes report.xlsx (a responses sheet), responses.sav and responses.dta."""
    from survey.analyst.per_person import per_person, summary_line

    written = ["report.html", "aggregates.csv", "codebook.csv", "run.json", "responses.csv", "scores.csv",
               "rejected.csv", "report.xlsx", "responses.sav", "responses.dta"]
    assert per_person(written) == ["rejected.csv", "report.xlsx", "responses.csv", "responses.dta",
                                   "responses.sav", "scores.csv"]
    assert summary_line(written).startswith("rejected.csv, report.xlsx, responses.csv, responses.dta, responses.sav, "
                                            "scores.csv: per-person data")
