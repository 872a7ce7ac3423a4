"""Static assets with their Subresource Integrity hashes, computed once at start-up.

`flask --app wsgi assets hashes` prints the same hashes, so anyone can compare the files a live
server sends with the published ones."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Flask, url_for

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PUBLISHED = ("respond.css", "respond-early.js", "respond.js", "seal.js", "console.css", "console.js")


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def compute(directory: Path = STATIC_DIR) -> dict[str, str]:
    return {name: sri(directory / name) for name in PUBLISHED if (directory / name).exists()}


def version(sri_hash: str) -> str:
    """A short URL-safe token of the file's hash, for cache-busting query strings."""
    return sri_hash[7:19].replace("+", "-").replace("/", "_")


def init_app(app: Flask) -> None:
    hashes = compute()
    app.extensions["asset_sri"] = hashes

    def asset_url(name: str) -> str:
        # The hash in the query makes a changed file a new URL, so caches never mix versions.
        return url_for("static", filename=name, v=version(hashes.get(name, "")))

    def asset_sri(name: str) -> str:
        return hashes.get(name, "")

    app.jinja_env.globals.update(asset_url=asset_url, asset_sri=asset_sri)
