"""Subresource integrity: the hashes `flask --app wsgi assets hashes` publishes are those of the
files the server sends, and the ones the respondent page's tags demand."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

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


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def _fetch(client: FlaskClient, url: str) -> bytes:
    """The body as a browser checks it: asked with gzip, as phones ask, and decoded."""
    served = client.get(url.replace("&amp;", "&"), headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200, url
    body = served.get_data()
    return gzip.decompress(body) if served.headers.get("Content-Encoding") == "gzip" else body


def _pinned(page: str) -> dict[str, tuple[str, str | None]]:
    """File name → (URL, integrity attribute) of every script and stylesheet tag of a page."""
    pinned = {}
    for tag in TAG.findall(page):
        url = _attr(tag, "src") or (_attr(tag, "href") if 'rel="stylesheet"' in tag else None)
        if url is not None:
            pinned[Path(url.split("?")[0]).name] = (url, _attr(tag, "integrity"))
    return pinned


def test_published_hashes_match_served_files_and_page_integrity_attributes(app: Flask, analyst_key: AnalystKey) -> None:
    published = _published(app, analyst_key)
    assert {"respond.css", "seal.js"} <= set(published)
    client = app.test_client()
    for name, digest in published.items():
        assert _sri(_fetch(client, f"/static/{name}")) == digest, name

    _uid, token = add_survey(app)
    pinned = _pinned(client.get(f"/s/{token}").get_data(as_text=True))
    assert {"respond.css", "seal.js"} <= set(pinned)
    for name, (url, integrity) in pinned.items():
        assert integrity == published[name], name  # every script and style is pinned
        assert _sri(_fetch(client, url)) == integrity, name


def test_an_asset_altered_after_start_up_fails_the_integrity_the_page_demands(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    """The hashes are fixed when the server starts (and published): a seal.js changed on the
    server afterwards is served, but the page still demands the published hash, which the
    served bytes no longer have, so a browser refuses to run it."""
    published = _published(app, analyst_key)
    altered_dir = tmp_path / "static"
    assert app.static_folder is not None
    shutil.copytree(app.static_folder, altered_dir)
    altered = (altered_dir / "seal.js").read_bytes() + b"\n// altered by a compromised server\n"
    (altered_dir / "seal.js").write_bytes(altered)
    app.static_folder = str(altered_dir)  # the running server now serves the altered file

    client = app.test_client()
    _uid, token = add_survey(app)
    pinned = _pinned(client.get(f"/s/{token}").get_data(as_text=True))
    url, integrity = pinned["seal.js"]
    served = _fetch(client, url)
    assert served == altered  # what is served is the altered file ...
    assert integrity == published["seal.js"]  # ... but the page demands the published hash ...
    assert _sri(served) != integrity  # ... which the served bytes do not have
    url, integrity = pinned["respond.css"]
    assert _sri(_fetch(client, url)) == integrity == published["respond.css"]  # the rest still match
