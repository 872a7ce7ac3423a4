"""In-memory rate limiting that never keeps who was limited.

A key (an address, an account name) is turned into an HMAC under a random salt that is replaced
every window, so the table cannot be joined with anything after the window ends. Nothing here is
ever written to disk or logged; several app servers each keep their own table."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from flask import current_app, request


class RateLimiter:
    """Allows ``limit`` events per key per ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._rotate(clock())

    def _rotate(self, now: float) -> None:
        self._salt = secrets.token_bytes(32)
        self._started = now
        self._counts: defaultdict[bytes, int] = defaultdict(int)

    def _slot(self, key: str) -> bytes:
        return hmac.new(self._salt, key.encode("utf-8", "replace"), hashlib.sha256).digest()[:16]

    def hit(self, key: str) -> bool:
        """Count one event for ``key``; False when the key is over its limit in this window."""
        with self._lock:
            now = self._clock()
            if now - self._started >= self.window:
                self._rotate(now)
            slot = self._slot(key)
            if self._counts[slot] >= self.limit:
                return False
            self._counts[slot] += 1
            return True

    def blocked(self, key: str) -> bool:
        """True when ``key`` has used up its events in this window (counts nothing)."""
        with self._lock:
            now = self._clock()
            if now - self._started >= self.window:
                self._rotate(now)
            return self._counts.get(self._slot(key), 0) >= self.limit

    def reset(self, key: str) -> None:
        with self._lock:
            self._counts.pop(self._slot(key), None)


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted_hops: int) -> str:
    """The address a request is counted under, used only as a key for :class:`RateLimiter`.

    Behind ``trusted_hops`` reverse proxies that each append to X-Forwarded-For, the client is the
    entry that many places from the right; anything further left was written by the client itself
    and cannot be trusted. With no trusted proxy the socket peer is used."""
    if trusted_hops > 0 and forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if len(hops) >= trusted_hops:
            return hops[-trusted_hops]
    return remote_addr or ""


def rate_key(address: str) -> str:
    """The key an address is counted under: an IPv6 address by its /64 network (one subscriber
    usually holds a whole /64, so counting single addresses would count nothing), an IPv4 address
    (also one written as IPv6) as it is, anything else unchanged."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def request_client() -> str:
    """The current request's client as a rate-limit key (see :func:`client_address` and
    :func:`rate_key`): only ever turned into a salted HMAC by :class:`RateLimiter`."""
    hops = current_app.config["SETTINGS"].trusted_proxy_hops
    return rate_key(client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), hops))


def app_limiter(name: str, limit: int, window: float) -> RateLimiter:
    """The app's limiter called ``name`` (one per process, made on first use)."""
    limiter: RateLimiter | None = current_app.extensions.get(name)
    if limiter is None:
        limiter = current_app.extensions.setdefault(name, RateLimiter(limit, window))
    return limiter
