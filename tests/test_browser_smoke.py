"""The no-JavaScript path in real Chromium at phone size."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.conftest import AnalystKey, LiveServer, add_survey, artifact, export_survey, run_analyst
from tests.helpers import plain_submit, read_rows

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_no_js_phone_submission_decrypts_exactly(app: Flask, live_server: LiveServer, phone_no_js: BrowserContext, analyst_key: AnalystKey, tmp_path: Path) -> None:
    uid, token = add_survey(app)
    page = phone_no_js.new_page()
    bodies: list[bytes] = []
    page.on("request", lambda r: bodies.append(r.post_data_buffer or b""))
    page.goto(f"{live_server.url}/s/{token}")
    # The plain form is in pages (survey/server/respond/paging.py): answer what each page shows.
    checks = ["#needed_treatment-0", "#barriers-1", "#treated_unfairly-4"]
    fills = {"#age": "29", "#comment": "canary-e2e-4411"}
    while page.is_hidden("#review"):
        for box in checks:
            if page.is_visible(box):
                page.check(box)
        for field, text in fills.items():
            if page.is_visible(field):
                page.fill(field, text)
        plain_submit(page)
    page.screenshot(path=str(artifact("no-js-filled.png")), full_page=True)
    page.click("[data-submit]")  # "Send my answers"
    page.wait_for_url("**/thanks**")
    assert "Thank you" in page.content()
    export = export_survey(app, uid, tmp_path / "e.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    [row] = read_rows(tmp_path / "o.csv")
    assert (row["needed_treatment"], row["barriers"], row["treated_unfairly"], row["age"], row["comment"]) == (
        "yes", "waiting_list", "5", "29", "canary-e2e-4411")
    assert any(b"canary-e2e-4411" in b for b in bodies)  # without JS the form is posted as is
