"""Benchmark-only WSGI app: the real survey app, plus one bare endpoint that answers 204.

The bare endpoint exists only here, never in the shipped app. It reads the request body (as a
submission does) and answers without Flask, routing or the database, so the benchmark can compare
a submission with the cheapest request the same gunicorn, config and client can serve.

    gunicorn -c gunicorn.conf.py benchmarks.bare_app:app
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wsgi import app as survey_app

BARE_PATH = "/__bench/204"


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == BARE_PATH:
        environ["wsgi.input"].read()
        start_response("204 No Content", [])
        return [b""]
    return survey_app(environ, start_response)  # type: ignore[no-any-return]
