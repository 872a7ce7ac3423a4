"""XLSForm workbooks written in tests with openpyxl, independently of our export."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

Sheet = Sequence[Mapping[str, str]]


def workbook(survey: Sheet, choices: Sheet = (), settings: Mapping[str, str] | None = None,
             extra_sheets: Mapping[str, Sheet] | None = None) -> bytes:
    """An .xlsx with a survey sheet, and choices and settings sheets if given (columns in the order
    they first appear in the rows)."""
    wb = Workbook()
    sheets: dict[str, Sheet] = {"survey": survey}
    if choices:
        sheets["choices"] = choices
    if settings is not None:
        sheets["settings"] = [settings]
    sheets.update(extra_sheets or {})
    first = True
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet(title)
        assert ws is not None
        ws.title = title
        first = False
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(columns)
        for r in rows:
            ws.append([r.get(c) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


EN = "label::English (en)"

#: The smallest form we import: one group, one question.
MINIMAL_SURVEY: list[dict[str, str]] = [
    {"type": "begin_group", "name": "main", EN: "Main"},
    {"type": "select_one yn", "name": "q1", EN: "Did you get help?"},
    {"type": "end_group", "name": "main"},
]
MINIMAL_CHOICES: list[dict[str, str]] = [
    {"list_name": "yn", "name": "yes", EN: "Yes"},
    {"list_name": "yn", "name": "no", EN: "No"},
]
MINIMAL_SETTINGS = {"form_id": "local_help", "version": "1", "default_language": "English (en)"}
