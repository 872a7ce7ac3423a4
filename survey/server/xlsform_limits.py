"""What an uploaded XLSForm may weigh, checked before pyxform or openpyxl open it.

An .xlsx file is a zip archive: a small upload can declare gigabytes of XML (a zip bomb), and a
big one costs memory in openpyxl. So the file's own size, the number of its members and the sum
of their *declared* uncompressed sizes are checked from the zip's central directory first;
Python's zipfile never inflates a member past its declared size, so these bounds hold while
pyxform reads. The row limits bound what pyxform's reader keeps per sheet.
"""

from __future__ import annotations

import io
import zipfile

#: The largest .xlsx file taken (our biggest instrument with 13 languages is about 50 kB).
MAX_FORM_BYTES = 2 * 1024 * 1024
#: The most members an .xlsx archive may have, and the most XML they may declare in all.
MAX_MEMBERS = 64
MAX_UNCOMPRESSED_BYTES = 8 * 1024 * 1024
#: The most rows of the survey sheet and of the choices sheet.
MAX_SURVEY_ROWS = 2000
MAX_CHOICE_ROWS = 10000


class FormTooLarge(ValueError):
    """The upload is not an .xlsx file of a size this platform reads."""


def check_container(data: bytes) -> None:
    """Refuse ``data`` unless it is a zip archive small enough, before anything parses it."""
    if len(data) > MAX_FORM_BYTES:
        raise FormTooLarge(
            f"the file is {len(data) / 1024 / 1024:.1f} MB; an XLSForm here may be at most "
            f"{MAX_FORM_BYTES // 1024 // 1024} MB"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FormTooLarge("the file is not an .xlsx workbook (save it from your spreadsheet as .xlsx)") from exc
    if len(members) > MAX_MEMBERS:
        raise FormTooLarge(f"the workbook has {len(members)} parts; at most {MAX_MEMBERS} are read")
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise FormTooLarge(
            f"the workbook unpacks to {declared / 1024 / 1024:.0f} MB; at most "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB are read (is it a compressed bomb?)"
        )
