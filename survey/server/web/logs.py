"""Logging that never records who a visitor is.

Werkzeug's development server (`flask --app wsgi run`, what `make run` starts) writes a line per
request: the client address, the time of day, the path with its link token and ``?lang=``. Even
without the address, such a line in a terminal or journal ties a submission to a moment, so a
filter drops every one of them; the lines it keeps (start-up, errors) lose the address and time.
Gunicorn writes no access log unless asked, and then without them (gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

# werkzeug: '127.0.0.1 - - [21/Nov/2026 12:00:00] "GET / HTTP/1.1" 200 -'
_ACCESS_PREFIX = re.compile(r"^\S+ - - \[[^\]]*\] ")


class NoRequestLinesFilter(logging.Filter):
    """Drops werkzeug's line per request (logged at INFO behind the address and time), and removes
    the address and time from its other request-handler lines (errors such as a malformed request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        stripped = _ACCESS_PREFIX.sub("", message)
        if stripped == message:
            return True
        if record.levelno <= logging.INFO:
            return False
        record.msg = stripped
        record.args = None
        return True


#: Anything shaped like an IPv4 or IPv6 address (or a time of day, which the IPv6 part also covers).
_ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
#: The path of a respondent link, whose token names the distribution channel.
_LINK_PATH = re.compile(r"/s/[^/?\s\"]+")


def redact(message: str) -> str:
    """``message`` without client addresses or times of day, and with link tokens masked."""
    return _LINK_PATH.sub("/s/<token>", _ADDRESS.sub("[redacted]", message))


class RedactAddressFilter(logging.Filter):
    """Scrubs addresses from every line of a logger, e.g. gunicorn's "Invalid request from ip=..."

    The server's own "Listening at" / "Running on" line is left alone: it names the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Listening at") or "Running on http" in message:
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def init_app(app: Flask) -> None:
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, NoRequestLinesFilter) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(NoRequestLinesFilter())
    if not any(isinstance(f, RedactAddressFilter) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(RedactAddressFilter())
    # Flask's default format starts with the time of day; an error logged while a respondent's
    # request is handled would then record when they answered. Log without any time.
    from flask.logging import default_handler

    default_handler.setFormatter(logging.Formatter("%(levelname)s in %(module)s: %(message)s"))
    if app.logger.level == logging.NOTSET or app.logger.level > logging.INFO:
        # Start-up facts (the key ids in use) must reach the operator's console.
        app.logger.setLevel(logging.INFO)
