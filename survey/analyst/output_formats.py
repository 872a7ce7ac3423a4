"""``report --formats``: which files besides the CSVs, whether their libraries are installed, and
writing them once every export has been read.

The CSV files (responses, scores, rejected, aggregates, codebook) are always written: they are the
run's record (run.json holds their digests). ``xlsx``, ``sav`` and ``dta`` need the ``[stats]``
extra (openpyxl; pyreadstat with pandas), which ``pip install .`` leaves out so the base install
stays small; asking for them without it is refused before any record is decrypted."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from survey.analyst.terminal import UsageError

if TYPE_CHECKING:  # the command line asks for parse_formats before loading numpy and the pipeline
    from survey.analyst.answer_row import AnswerRow
    from survey.analyst.labels import Labels
    from survey.core.questionnaire import Questionnaire

CSV = "csv"
#: Every format ``--formats`` takes, and the modules each needs beyond the base install.
FORMATS: dict[str, tuple[str, ...]] = {
    CSV: (),
    "xlsx": ("openpyxl",),
    "sav": ("pyreadstat", "pandas"),
    "dta": ("pyreadstat", "pandas"),
}
FILE_NAMES = {"xlsx": "report.xlsx", "sav": "responses.sav", "dta": "responses.dta"}
INSTALL_HINT = 'pip install "run-survey[stats]"'
#: The most responses an XLSX sheet holds (Excel's 1,048,576 rows, less the header).
MAX_XLSX_RESPONSES = 1_048_575


def parse_formats(text: str) -> tuple[str, ...]:
    """``csv,xlsx,sav,dta`` (any order, any case, spaces allowed) to the formats, CSV first; an
    unknown or missing name, or a format whose libraries are not installed, is a UsageError."""
    wanted = [part.strip().lower() for part in text.split(",")]
    unknown = [part for part in wanted if part not in FORMATS]
    if unknown or not wanted:
        shown = ", ".join(repr(u) for u in unknown) or "nothing"
        raise UsageError(f"--formats: unknown format {shown}; give a comma-separated list of {', '.join(FORMATS)}")
    chosen = tuple(dict.fromkeys([CSV, *wanted]))
    for fmt in chosen:
        missing = [m for m in FORMATS[fmt] if importlib.util.find_spec(m) is None]
        if missing:
            raise UsageError(
                f"--formats {fmt} needs {', '.join(missing)}, which this installation lacks: "
                f"install the statistical formats with `{INSTALL_HINT}`")
    return chosen


def check_size(formats: Sequence[str], responses: int) -> None:
    """Refuse, before anything is decrypted, an XLSX file that cannot hold ``responses`` rows."""
    if "xlsx" in formats and responses > MAX_XLSX_RESPONSES:
        raise UsageError(f"--formats xlsx: {responses:,} records do not fit in a sheet of an XLSX file "
                         f"(at most {MAX_XLSX_RESPONSES:,}); use sav, dta or csv for this many")


def extra_files(formats: Sequence[str]) -> list[str]:
    """The names of the files ``formats`` adds to the CSVs."""
    return [FILE_NAMES[f] for f in formats if f in FILE_NAMES]


def write_formats(
    formats: Sequence[str], out: Path, questionnaires: Sequence[Questionnaire], labels: Mapping[str, Labels],
    rows: Sequence[AnswerRow], aggregates: Sequence[Sequence[object]],
) -> list[str]:
    """Write the files of ``formats`` other than CSV into ``out``; their names. ``aggregates`` are
    the rows of aggregates.csv, header first, with unformatted values."""
    from survey.analyst.variables import VariableSet

    extra = [f for f in formats if f != CSV]
    if not extra:
        return []
    variables = VariableSet(questionnaires, labels, labels[questionnaires[0].key])
    written = []
    for fmt in extra:
        path = out / FILE_NAMES[fmt]
        if fmt == "xlsx":
            from survey.analyst.xlsx_output import write_xlsx

            check_size(formats, len(rows))  # the manifests' counts were checked before decryption

            write_xlsx(path, questionnaires, labels, variables, rows, aggregates)
        elif fmt == "sav":
            from survey.analyst.stats_output import write_sav

            write_sav(path, variables, rows)
        else:
            from survey.analyst.stats_output import write_dta

            write_dta(path, variables, rows)
        written.append(path.name)
    return written
