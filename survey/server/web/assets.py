"""Static assets: minified once at start-up, served from memory, pinned by hashes.

A slow phone pays for every byte and every round trip, so the files of ``static/`` are minified
when the server starts (rjsmin, rcssmin: comments and spaces go, nothing is renamed) and the
respondent pages carry their stylesheet and first script inline, in the one answer that renders
the first question. Integrity, as before:

- a file fetched by a page (``<script src>``, ``<link rel=stylesheet>``) carries a Subresource
  Integrity hash (sha384) of the bytes served;
- an inline ``<style>`` or ``<script>`` is allowed by its sha256 in the Content-Security-Policy
  (``'sha256-…'``, never ``'unsafe-inline'``; survey.server.web.headers builds the header).

`flask --app wsgi assets hashes` prints both, so anyone can compare what a live server sends with
the published hashes."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
from flask import Flask, Response, current_app, request, url_for
from markupsafe import Markup

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PUBLISHED = ("respond.css", "respond-early.js", "respond.js", "seal.js", "expression.js", "console.css", "console.js")
#: Inlined into every respondent page: what the first paint needs (the layout, and the class that
#: says whether the questionnaire will be shown step by step), so nothing is fetched before it;
#: and the questionnaire page's condition evaluator (about 1 KB, cheaper than a request).
INLINE = ("respond.css", "respond-early.js", "expression.js")
#: Which CSP directive allows each inline asset.
DIRECTIVE = {".css": "style-src", ".js": "script-src"}
MIMETYPES = {".css": "text/css", ".js": "text/javascript"}
INLINE_PREFIX = "inline:"
MINIFY: dict[str, Callable[[str], str]] = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def minified(path: Path) -> bytes:
    """The file as served: minified (scripts and stylesheets), ending with one newline."""
    text = path.read_text(encoding="utf-8")
    minify = MINIFY.get(path.suffix)
    return (minify(text).strip() + "\n").encode() if minify else text.encode()


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def csp_hash(text: str) -> str:
    """The CSP source that allows exactly this inline element's text."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def inline_text(name: str, data: bytes) -> str:
    text = data.decode().strip()
    closing = "</style" if name.endswith(".css") else "</script"
    if closing in text.lower():
        raise ValueError(f"{name} cannot be inlined: it contains {closing}")
    return text


@dataclass(frozen=True)
class Assets:
    """The published files as served (minified), their SRI hashes, and the inline texts."""

    bodies: dict[str, bytes]
    hashes: dict[str, str] = field(default_factory=dict)
    inline: dict[str, str] = field(default_factory=dict)

    def csp_sources(self) -> dict[str, list[str]]:
        """CSP directive → the hashes of the inline elements it must allow."""
        sources: dict[str, list[str]] = {}
        for name, text in self.inline.items():
            sources.setdefault(DIRECTIVE[Path(name).suffix], []).append(f"'{csp_hash(text)}'")
        return sources


def load(directory: Path = STATIC_DIR) -> Assets:
    bodies = {name: minified(directory / name) for name in PUBLISHED if (directory / name).exists()}
    return Assets(
        bodies=bodies,
        hashes={name: sri(data) for name, data in bodies.items()},
        inline={name: inline_text(name, bodies[name]) for name in INLINE if name in bodies},
    )


def compute(directory: Path = STATIC_DIR) -> dict[str, str]:
    """What `assets hashes` publishes: each served file's SRI hash, and each inline element's
    CSP hash (named ``inline:<file>``)."""
    found = load(directory)
    out = dict(found.hashes)
    out.update({INLINE_PREFIX + name: csp_hash(text) for name, text in found.inline.items()})
    return out


def version(sri_hash: str) -> str:
    """A short URL-safe token of the file's hash, for cache-busting query strings."""
    return sri_hash[7:19].replace("+", "-").replace("/", "_")


def current() -> Assets:
    found: Assets = current_app.extensions["assets"]
    return found


def serve(filename: str) -> Any:
    """The static endpoint: a published file from memory, as minified at start-up (with an ETag,
    so an unversioned URL is answered 304 when unchanged); any other file from the folder."""
    found = current()
    if filename not in found.bodies:
        return current_app.send_static_file(filename)
    response = Response(found.bodies[filename], mimetype=MIMETYPES.get(Path(filename).suffix, "text/plain"))
    response.set_etag(version(found.hashes[filename]))
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    found = load(Path(app.static_folder) if app.static_folder else STATIC_DIR)
    app.extensions["assets"] = found
    app.extensions["asset_sri"] = found.hashes
    app.view_functions["static"] = serve

    def asset_url(name: str) -> str:
        # The hash in the query makes a changed file a new URL, so caches never mix versions.
        return url_for("static", filename=name, v=version(found.hashes.get(name, "")))

    def asset_sri(name: str) -> str:
        return found.hashes.get(name, "")

    def inline_asset(name: str) -> Markup:
        # Safe as is: our own file, checked at start-up to hold no closing tag; its hash is in the CSP.
        return Markup(found.inline[name])  # nosec B704 - our own static file, not request data

    app.jinja_env.globals.update(asset_url=asset_url, asset_sri=asset_sri, inline_asset=inline_asset)
