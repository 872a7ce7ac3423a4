"""Gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment (or on the command line, which wins). What this
file guarantees does not change: no log line written by gunicorn holds a client address, a user
agent, a referrer, a link token or a time of day. See docs/deploy.md.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger

from survey.server.web.logs import RedactAddressFilter, redact

# -- serving --------------------------------------------------------------------------------------

#: Behind a TLS proxy on the same host, listen on loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: Worker processes (each with `threads` threads, below); the app is stateless, so any number of
#: workers (and any number of hosts) can share one PostgreSQL database.
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
# Threads let one process hold several submissions at once, so the group committer in
# survey/storage.py can write them in one transaction (one fsync) instead of one each.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
#: A submission is one small insert; anything slower than this is stuck, not busy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
#: Bounded request heads (the body is bounded by the app: Settings.max_body_bytes).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# -- behind a reverse proxy -----------------------------------------------------------------------

#: Which peers may set X-Forwarded-Proto (so request.is_secure, and with it HSTS and secure
#: cookies, follows the proxy's TLS). Only the local proxy by default; never "*" on a host whose
#: port is reachable from outside. Client addresses from X-Forwarded-For are used for nothing but
#: the in-memory rate limit (SURVEY_PROXY_HOPS), and never logged or stored.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# -- logs without metadata -------------------------------------------------------------------------

#: Errors and start-up lines to stderr (the service manager's journal).
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
#: No access log unless asked for: a journal or log shipper stamps every line it receives with the
#: time, and one line per submission would then record when each response arrived. When enabled
#: (GUNICORN_ACCESS_LOG=- or a path), lines hold method, path with the link token masked, status,
#: size and duration: no address (%(h)s), no time (%(t)s), no user agent (%(a)s), no referrer (%(f)s).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class PrivateLogger(Logger):
    """Gunicorn's logger without the time of day, with addresses and link tokens redacted."""

    error_fmt = "[%(process)d] [%(levelname)s] %(message)s"
    syslog_fmt = "[%(process)d] %(message)s"

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactAddressFilter) for f in log.filters):
                log.addFilter(RedactAddressFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        values = super().atoms(resp, req, environ, request_time)
        for name in ("U", "r"):
            values[name] = redact(str(values[name]))
        for name in ("h", "t", "a", "f", "q", "u"):  # even if someone puts them back in the format
            values[name] = "-"
        return values


logger_class = PrivateLogger
