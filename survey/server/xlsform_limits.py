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

from flask_babel import gettext

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
        raise FormTooLarge(gettext("the file is %(size)s MB; an XLSForm here may be at most %(most)s MB",
                                   size=f"{len(data) / 1024 / 1024:.1f}", most=MAX_FORM_BYTES // 1024 // 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FormTooLarge(gettext("the file is not an .xlsx workbook (save it from your spreadsheet as .xlsx)")) from exc
    if len(members) > MAX_MEMBERS:
        raise FormTooLarge(gettext("the workbook has %(parts)s parts; at most %(most)s are read", parts=len(members),
                                   most=MAX_MEMBERS))
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise FormTooLarge(gettext("the workbook unpacks to %(size)s MB; at most %(most)s MB are read (is it a "
                                   "compressed bomb?)", size=f"{declared / 1024 / 1024:.0f}",
                                   most=MAX_UNCOMPRESSED_BYTES // 1024 // 1024))
