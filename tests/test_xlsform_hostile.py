"""Hostile XLSForms: refused or inert, never a crash, with bounded memory (measured in a subprocess)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from survey.server.xlsform_import import FormRefused, read_xlsform
from survey.server.xlsform_limits import MAX_SURVEY_ROWS
from tests.xlsform_files import EN, MINIMAL_CHOICES, MINIMAL_SETTINGS, MINIMAL_SURVEY, workbook

#: Reads the file named in argv[1]; prints the problems and the peak of memory Python allocated
#: while reading it (tracemalloc, kB; zlib's and libxml's buffers are C allocations it does not see,
#: but they are bounded by the sizes the zip declares, which the refusal checks first).
_MEASURE = """
import json, sys, tracemalloc
from survey.server.xlsform_import import FormRefused, read_xlsform
data = open(sys.argv[1], "rb").read()
tracemalloc.start()
try:
    read_xlsform(data)
    problems = []
except FormRefused as exc:
    problems = exc.problems
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({"problems": problems, "grown_kb": peak // 1024}))
"""
#: Peak memory an import may add (the file is read once, then rows as dictionaries).
MAX_GROWTH_KB = 64 * 1024


def measured(tmp_path: Path, data: bytes) -> dict[str, object]:
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True,
                          timeout=120, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def zip_of_zeros(member: str, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open(member, "w") as f:
            chunk = b"<a>" + b"\0" * (1024 * 1024 - 3)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return out.getvalue()


def test_a_50_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    data = b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024)
    result = measured(tmp_path, data)
    assert result["problems"] == ["the file is 50.0 MB; an XLSForm here may be at most 2 MB"]
    assert isinstance(result["grown_kb"], int) and result["grown_kb"] < MAX_GROWTH_KB


def test_a_zip_bomb_declaring_its_size_is_refused_unopened(tmp_path: Path) -> None:
    data = zip_of_zeros("xl/worksheets/sheet1.xml", 300 * 1024 * 1024)
    assert len(data) < 2 * 1024 * 1024  # it passes the size check: 300 MB packed small
    result = measured(tmp_path, data)
    assert result["problems"] == [
        "the workbook unpacks to 300 MB; at most 8 MB are read (is it a compressed bomb?)"]
    assert isinstance(result["grown_kb"], int) and result["grown_kb"] < MAX_GROWTH_KB


def _lie_about_sizes(data: bytes, declared: int) -> bytes:
    """The zip with every member's uncompressed size (local header and central directory) set to
    ``declared``: a bomb that hides how much it holds."""
    raw = bytearray(data)
    i = 0
    while (i := raw.find(b"PK\x03\x04", i)) != -1:
        struct.pack_into("<I", raw, i + 22, declared)
        i += 4
    i = 0
    while (i := raw.find(b"PK\x01\x02", i)) != -1:
        struct.pack_into("<I", raw, i + 24, declared)
        i += 4
    return bytes(raw)


def test_a_zip_bomb_lying_about_its_size_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    real = workbook(MINIMAL_SURVEY, MINIMAL_CHOICES, MINIMAL_SETTINGS)
    # Our real workbook's parts, but a first worksheet that inflates to 300 MB and says 1 kB.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(real)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as f:
                f.write(src.read(info)[:-len("</worksheet>")])
                chunk = b"<!--" + b"a" * (1024 * 1024 - 7) + b"-->"
                for _ in range(300):
                    f.write(chunk)
                f.write(b"</worksheet>")
    lying = _lie_about_sizes(out.getvalue(), 1024)
    assert len(lying) < 2 * 1024 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(lying)).infolist()) < 64 * 1024
    result = measured(tmp_path, lying)
    assert result["problems"] and "not an XLSForm workbook pyxform can read" in str(result["problems"])
    assert isinstance(result["grown_kb"], int) and result["grown_kb"] < MAX_GROWTH_KB


def test_ten_thousand_rows_are_refused_with_bounded_memory(tmp_path: Path) -> None:
    survey = [{"type": "begin_group", "name": "main", EN: "Main"}]
    survey += [{"type": "text", "name": f"q{i}", EN: f"Question {i}?"} for i in range(10_000)]
    survey.append({"type": "end_group", "name": "main"})
    result = measured(tmp_path, workbook(survey, settings=MINIMAL_SETTINGS))
    assert result["problems"] == [f"survey sheet: 10002 rows; at most {MAX_SURVEY_ROWS} are read"]
    assert isinstance(result["grown_kb"], int) and result["grown_kb"] < MAX_GROWTH_KB


def test_a_formula_in_a_label_is_never_evaluated() -> None:
    # openpyxl writes a cell starting with '=' as a formula without a cached value: nothing to read.
    survey = [dict(r) for r in MINIMAL_SURVEY]
    survey[1][EN] = "=HYPERLINK(\"http://attacker.example\", \"Click\")"
    with pytest.raises(FormRefused) as caught:
        read_xlsform(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS))
    assert caught.value.problems == [
        "survey sheet, row 3, column label: there is no text in the default language (English (en))"]


def test_script_in_a_label_is_kept_as_text() -> None:
    survey = [dict(r) for r in MINIMAL_SURVEY]
    survey[1][EN] = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    q = read_xlsform(workbook(survey, MINIMAL_CHOICES, MINIMAL_SETTINGS)).questionnaire
    assert q.question("q1").text == "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04garbage", workbook([{"x": "y"}])])
def test_garbage_is_refused_not_crashed(data: bytes) -> None:
    with pytest.raises(FormRefused):
        read_xlsform(data)


CELLS = ["", "x", "q1", "yn", "select_one yn", "select_multiple yn", "select_one nope", "integer", "text", "note",
         "begin_group", "end_group", "begin group", "calculate", "yes", "no", "${q1} = 'yes'", "selected(${q1}, 'yes')",
         ". >= 1 and . <= 3", "string-length(.) <= 5", "likert", "randomize=true", "1", "-1", "é", "=1+1", "main",
         "<b>", "((", "${nope}", "count-selected(.) > 1", "prefer_not_to_say"]
COLUMNS = ["type", "name", EN, "label::Bosanski (bs)", "hint::English (en)", "required", "relevant", "constraint",
           "constraint_message::English (en)", "appearance", "parameters", "prefer_not_to_say", "score_items"]


@pytest.mark.parametrize("seed", range(60))
def test_random_forms_are_imported_or_refused_never_crash(seed: int) -> None:
    import random

    rng = random.Random(seed)
    survey = [dict(r) for r in MINIMAL_SURVEY]
    for _ in range(rng.randint(1, 6)):
        row = {c: rng.choice(CELLS) for c in rng.sample(COLUMNS, rng.randint(1, len(COLUMNS)))}
        survey.insert(rng.randint(0, len(survey)), row)
    choices = [dict(r) for r in MINIMAL_CHOICES]
    if rng.random() < 0.5:
        choices.append({"list_name": rng.choice(CELLS), "name": rng.choice(CELLS), EN: rng.choice(CELLS)})
    settings = {k: rng.choice(CELLS) if rng.random() < 0.3 else v for k, v in MINIMAL_SETTINGS.items()}
    try:
        read_xlsform(workbook(survey, choices, settings))
    except FormRefused as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
