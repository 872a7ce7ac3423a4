"""Benchmark-only WSGI app: the real survey app, plus two bare endpoints that answer 204.

Both exist only here, never in the shipped app. Each reads the request body (as a submission does)
and touches no database:

- ``/__bench/204`` answers without Flask: the cheapest request the same gunicorn, config and
  client can serve;
- ``/__bench/flask-204`` is a route of the survey's own Flask app, so it pays for the same request
  handling, hooks and security headers as a submission: the floor of the framework.

    gunicorn -c gunicorn.conf.py benchmarks.bare_app:app
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wsgi import app as survey_app

BARE_PATH = "/__bench/204"
FLASK_BARE_PATH = "/__bench/flask-204"


def _flask_bare() -> tuple[str, int]:
    from flask import request

    request.get_data(cache=False)
    return "", 204


survey_app.add_url_rule(FLASK_BARE_PATH, "bench_flask_bare", _flask_bare, methods=["POST"])


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == BARE_PATH:
        environ["wsgi.input"].read()
        start_response("204 No Content", [])
        return [b""]
    return survey_app(environ, start_response)  # type: ignore[no-any-return]
