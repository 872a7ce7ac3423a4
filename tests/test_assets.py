"""Subresource integrity: the hashes `flask --app wsgi assets hashes` publishes are those of the
files the server sends (minified at start-up), the ones the respondent page's tags demand, and,
for what the page carries inline, the ones its Content-Security-Policy allows."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from survey.server.web.assets import INLINE_PREFIX, csp_hash
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
    # seal.js, fetched by respond.js when the respondent starts answering, through a tag it makes
    # from the form's data-seal-src and data-seal-integrity.
    for form in re.findall(r"<form\b[^>]*>", page):
        url = _attr(form, "data-seal-src")
        if url is not None:
            pinned[Path(url.split("?")[0]).name] = (url, _attr(form, "data-seal-integrity"))
    return pinned


def test_published_hashes_match_served_files_and_page_integrity_attributes(app: Flask, analyst_key: AnalystKey) -> None:
    published = _published(app, analyst_key)
    assert {"respond.js", "seal.js", "respond.css", INLINE_PREFIX + "respond.css", INLINE_PREFIX + "respond-early.js"} <= set(published)
    client = app.test_client()
    for name, digest in published.items():
        if not name.startswith(INLINE_PREFIX):
            assert _sri(_fetch(client, f"/static/{name}")) == digest, name

    _uid, token = add_survey(app)
    response = client.get(f"/s/{token}")
    page = response.get_data(as_text=True)
    pinned = _pinned(page)
    assert {"respond.js", "seal.js"} <= set(pinned)
    for name, (url, integrity) in pinned.items():
        assert integrity == published[name], name  # every script and style is pinned
        assert _sri(_fetch(client, url)) == integrity, name
    # What the page carries inline is what was published, and what its policy allows.
    inline = re.findall(r"<style>(.*?)</style>", page, re.S) + re.findall(r"<script>(.*?)</script>", page, re.S)
    named = [name for text in inline for name, digest in published.items() if digest == csp_hash(text)]
    assert len(named) == len(inline) and named[:2] == [f"{INLINE_PREFIX}respond.css", f"{INLINE_PREFIX}respond-early.js"]
    for text in inline:
        assert f"'{csp_hash(text)}'" in response.headers["Content-Security-Policy"]


def test_served_assets_are_minified_and_still_whole(app: Flask) -> None:
    """Comments and spaces go (the phone pays for every byte), the code stays: every function and
    rule of the source is still there."""
    client = app.test_client()
    for name in ("respond.js", "seal.js", "respond.css"):
        source = (ROOT / "survey/server/static" / name).read_text()
        served = _fetch(client, f"/static/{name}").decode()
        assert len(served) < 0.85 * len(source), name
        assert "//" not in served.replace("://", "") if name == "respond.css" else "/**" not in served, name
        words = set(re.findall(r"function ([A-Za-z]+)|(\.[a-z-]+) *\{", source))
        for function, rule in words:
            assert (function or rule) in served, (name, function or rule)


def test_an_asset_altered_after_start_up_fails_the_integrity_the_page_demands(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    """The hashes are fixed when the server starts (and published): a seal.js changed in the
    server's memory afterwards is served, but the page still demands the published hash, which
    the served bytes no longer have, so a browser refuses to run it."""
    published = _published(app, analyst_key)
    bodies = app.extensions["assets"].bodies
    altered = bodies["seal.js"] + b"\n// altered by a compromised server\n"
    bodies["seal.js"] = altered  # the running server now serves the altered file

    client = app.test_client()
    _uid, token = add_survey(app)
    pinned = _pinned(client.get(f"/s/{token}").get_data(as_text=True))
    url, integrity = pinned["seal.js"]
    served = _fetch(client, url)
    assert served == altered  # what is served is the altered file ...
    assert integrity == published["seal.js"]  # ... but the page demands the published hash ...
    assert _sri(served) != integrity  # ... which the served bytes do not have
    url, integrity = pinned["respond.js"]
    assert _sri(_fetch(client, url)) == integrity == published["respond.js"]  # the rest still match
