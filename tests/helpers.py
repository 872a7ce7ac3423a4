"""Small helpers shared by tests."""

from __future__ import annotations

import csv
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from survey.db import session
from survey.models import Response

#: A complete, valid no-JavaScript submission of the demo questionnaire.
DEMO_FORM = {
    "needed_treatment": "yes",
    "barriers": ["cost", "confidentiality"],
    "treated_unfairly": "4",
    "hide_recovery": "prefer_not_to_say",
    "age": "34",
    "comment": "canary-7f3a9c waiting list was months long",
}
#: The row survey-analyst must give back for DEMO_FORM.
DEMO_ROW = {
    "needed_treatment": "yes",
    "barriers": "cost;confidentiality",
    "treated_unfairly": "4",
    "hide_recovery": "prefer_not_to_say",
    "age": "34",
    "comment": "canary-7f3a9c waiting list was months long",
}


def count_responses(app: Flask) -> int:
    with app.app_context():
        return int(session().scalar(select(func.count()).select_from(Response)) or 0)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
