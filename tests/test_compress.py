"""Gzip on the wire for respondent pages and static files only (survey/compress.py)."""

from __future__ import annotations

import gzip
import re

from flask import Flask

from tests.conftest import add_survey
from tests.helpers import DEMO_FORM

GZIP = {"Accept-Encoding": "gzip, deflate"}
FORM_TOKEN = re.compile(rb'name="form_token" value="[^"]*"')


def test_respondent_pages_and_static_files_are_gzipped_when_the_browser_accepts_it(app: Flask) -> None:
    _uid, token = add_survey(app)
    client = app.test_client()
    for url in (f"/s/{token}", "/static/respond.js", "/static/seal.js", "/static/respond.css"):
        plain = client.get(url)
        packed = client.get(url, headers=GZIP)
        assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
        # The same page but for the form's random token (survey/server/sent_forms.py).
        assert FORM_TOKEN.sub(b"", gzip.decompress(packed.data)) == FORM_TOKEN.sub(b"", plain.data)
        assert len(packed.data) < len(plain.data) / 2
        assert "Content-Encoding" not in plain.headers


def test_posts_and_console_pages_are_never_compressed(app: Flask) -> None:
    _uid, token = add_survey(app)
    client = app.test_client()
    errors = client.post(f"/s/{token}", data={**DEMO_FORM, "age": "150"}, headers=GZIP)
    assert errors.status_code == 400 and "Content-Encoding" not in errors.headers
    console = client.get("/console/login", headers=GZIP)
    assert console.status_code == 200 and "Content-Encoding" not in console.headers
