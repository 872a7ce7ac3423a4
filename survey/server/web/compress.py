"""Gzip for respondent pages and static text files, so a phone on prepaid data loads little.

Only GET responses of the respondent blueprint and of static files are compressed. They hold no
secret (no token, no cookie), so compression cannot leak one to an attacker who injects guesses
(BREACH); console pages, which carry CSRF tokens, and every POST response are sent as they are.
A TLS proxy in front may compress too; then it sees already-compressed bodies and leaves them."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript", "application/javascript", "application/json"})
MIN_SIZE = 512


def compress(response: Response) -> Response:
    if request.method != "GET" or response.status_code != 200 or "Content-Encoding" in response.headers:
        return response
    if request.blueprint != "respond" and request.endpoint != "static":
        return response
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if "gzip" not in request.accept_encodings:
        return response
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, _weak = response.get_etag()
    if etag:
        # The same content in another encoding: a weak validator still answers If-None-Match.
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(compress)
