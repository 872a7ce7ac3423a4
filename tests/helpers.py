"""Small helpers shared by tests."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import func, select

from survey.server.database import session
from survey.server.models import Response

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: A complete, valid no-JavaScript submission of the demo questionnaire.
DEMO_FORM: dict[str, str | list[str]] = {
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


def js_answer_demo(page: Page, at_step: Callable[[str], object] | None = None) -> None:
    """Answer the demo questionnaire as DEMO_FORM with JavaScript on, one screen at a time,
    ending on the review screen. ``at_step(name)`` runs on each screen before moving on."""
    def step(name: str) -> None:
        if at_step is not None:
            at_step(name)

    page.wait_for_selector("html.enhanced")
    step("1-services")
    page.check("#needed_treatment-0")
    page.wait_for_selector("#q-barriers:not([hidden])")
    page.check("#barriers-0")
    page.check("#barriers-4")
    page.click("[data-submit]")
    page.wait_for_selector("#section-stigma:not([hidden])")
    step("2-stigma")
    page.check("#treated_unfairly-3")
    page.check("#hide_recovery-5")
    page.click("[data-submit]")
    page.wait_for_selector("#section-about:not([hidden])")
    step("3-about")
    page.fill("#age", "34")
    page.fill("#comment", str(DEMO_FORM["comment"]))
    page.click("[data-submit]")
    page.wait_for_selector("#review:not([hidden])")
    step("4-review")


def review_text(page: Page) -> str:
    """Open "Check your answers" on the last step (collapsed, empty until opened) and read it."""
    page.click("[data-review-details] summary")
    page.wait_for_selector("[data-review-list] .review-row")
    return page.inner_text("[data-review-list]")


def plain_submit(page: Page, button: str = "[data-submit]") -> None:
    """Press a button of the plain form (no JavaScript) and wait until the page it posts to has
    loaded: a page still loading may look as if a question were not on it, and a form posted
    before it is whole would miss answers."""
    page.click(button)
    page.wait_for_load_state()


def plain_answer_demo(page: Page, at_page: Callable[[str], object] | None = None) -> None:
    """Answer the demo questionnaire as DEMO_FORM without JavaScript, a page at a time (each page
    the answer to the post of the one before), ending on "Send your answers". ``at_page(name)``
    runs on each page before it is answered."""
    number = 0
    while not page.is_visible("#review"):
        number += 1
        assert number < 10, "the plain form never reached its last page"
        if at_page is not None:
            at_page(f"page {number}")
        for name, value in DEMO_FORM.items():
            if not page.is_visible(f"#q-{name}"):
                continue
            for v in value if isinstance(value, list) else [value]:
                if name in ("age", "comment"):
                    page.fill(f"#{name}", v)
                else:
                    page.check(f'input[name="{name}"][value="{v}"]')
        plain_submit(page)
