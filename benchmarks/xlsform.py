"""How long XLSForm export and import take, and the Python memory an import peaks at.

    .venv/bin/python benchmarks/xlsform.py

Times, for each built-in questionnaire in all 13 languages, writing its XLSForm
(survey/server/xlsform_export.py) and reading it back (survey/server/xlsform_import.py: pyxform's
reader and builder, then our definition), and the same for the largest form the import takes (2,000
survey rows: 1,998 text questions in one group). The baseline in the same run is pyxform's own
conversion of the same file to an XForm (what ODK and Kobo do with it). Not part of the test suite."""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyxform.xls2xform import convert  # noqa: E402

from survey.core.languages import LANGUAGES  # noqa: E402
from survey.core.questionnaire import load_directory  # noqa: E402
from survey.server.questionnaire_texts import translations_for  # noqa: E402
from survey.server.xlsform_export import xlsform_bytes  # noqa: E402
from survey.server.xlsform_import import read_xlsform  # noqa: E402
from tests.xlsform_files import EN, workbook  # noqa: E402


def timed(label: str, data: bytes, export_s: float | None = None) -> None:
    start = time.perf_counter()
    convert(data, file_type=".xlsx")
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    read_xlsform(data)
    seconds = time.perf_counter() - start
    tracemalloc.start()  # a second read for the memory: tracing slows it several times over
    read_xlsform(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    written = f"export {export_s * 1000:6.0f} ms  " if export_s is not None else " " * 19
    print(f"{label:<22} {len(data) / 1024:7.0f} kB  {written}import {seconds * 1000:6.0f} ms  "
          f"(pyxform's XForm conversion {baseline * 1000:6.0f} ms)  import peak {peak / 1024 / 1024:5.1f} MB (traced)")


def main() -> None:
    for key, q in load_directory().items():
        translations = translations_for(q, list(LANGUAGES))
        start = time.perf_counter()
        data = xlsform_bytes(q, "en", list(LANGUAGES), translations)
        timed(key, data, time.perf_counter() - start)
    rows = [{"type": "begin_group", "name": "g", EN: "G"}]
    rows += [{"type": "text", "name": f"q{i}", EN: f"Question {i}?"} for i in range(1998)]
    rows.append({"type": "end_group", "name": "g"})
    timed("2,000 rows", workbook(rows, settings={"form_id": "big"}))


if __name__ == "__main__":
    main()
