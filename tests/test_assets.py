"""Subresource integrity: the hashes `flask --app wsgi assets hashes` publishes are those of the
files the server sends, and the ones the respondent page's tags demand."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from flask import Flask

from tests.conftest import ROOT, AnalystKey, add_survey

TAG = re.compile(r"<(?:script|link)\b[^>]*>")


def _attr(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return found.group(1) if found else None


def _published(app: Flask, analyst_key: AnalystKey) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": app.config["SETTINGS"].database_url,
           "SURVEY_KEYS_DIR": str(analyst_key.keys_dir), "SECRET_KEY": "assets-test"}
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "assets", "hashes"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    published = {}
    for line in out.splitlines():
        digest, name = line.split()
        published[name] = digest
    return published


def test_published_hashes_match_served_files_and_page_integrity_attributes(app: Flask, analyst_key: AnalystKey) -> None:
    published = _published(app, analyst_key)
    assert {"respond.css", "seal.js"} <= set(published)
    client = app.test_client()
    for name, digest in published.items():
        served = client.get(f"/static/{name}")
        assert served.status_code == 200
        assert "sha384-" + base64.b64encode(hashlib.sha384(served.get_data()).digest()).decode() == digest, name

    _uid, token = add_survey(app)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    checked = set()
    for tag in TAG.findall(page):
        url = _attr(tag, "src") or (_attr(tag, "href") if 'rel="stylesheet"' in tag else None)
        if url is None:
            continue
        name = Path(url.split("?")[0]).name
        assert _attr(tag, "integrity") == published[name], tag  # every script and style is pinned
        served = client.get(url.replace("&amp;", "&"))
        assert "sha384-" + base64.b64encode(hashlib.sha384(served.get_data()).digest()).decode() == published[name]
        checked.add(name)
    assert {"respond.css", "seal.js"} <= checked


def test_an_altered_asset_no_longer_matches_its_published_hash(tmp_path: Path) -> None:
    from survey.server.web.assets import STATIC_DIR, sri

    copy = tmp_path / "seal.js"
    copy.write_bytes((STATIC_DIR / "seal.js").read_bytes() + b"\n// altered by a compromised server\n")
    assert sri(copy) != sri(STATIC_DIR / "seal.js")
