"""Logging that never records who a visitor is.

Werkzeug's development server starts each access line with the client address and the time of
day; a filter strips both. Gunicorn's access log format is set in gunicorn.conf.py without them.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

# werkzeug: '127.0.0.1 - - [21/Nov/2026 12:00:00] "GET / HTTP/1.1" 200 -'
_ACCESS_PREFIX = re.compile(r"^\S+ - - \[[^\]]*\] ")


class StripClientFilter(logging.Filter):
    """Removes the address and timestamp werkzeug puts in front of each access line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        stripped = _ACCESS_PREFIX.sub("", message)
        if stripped != message:
            record.msg = stripped
            record.args = None
        return True


def init_app(app: Flask) -> None:
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, StripClientFilter) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(StripClientFilter())
    # Flask's default format starts with the time of day; an error logged while a respondent's
    # request is handled would then record when they answered. Log without any time.
    from flask.logging import default_handler

    default_handler.setFormatter(logging.Formatter("%(levelname)s in %(module)s: %(message)s"))
    if app.logger.level == logging.NOTSET or app.logger.level > logging.INFO:
        # Start-up facts (the key ids in use) must reach the operator's console.
        app.logger.setLevel(logging.INFO)
