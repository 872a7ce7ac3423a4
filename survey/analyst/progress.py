"""A one-line progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    def __init__(self, total: int, stream: IO[str] | None = None, every: float = 0.2) -> None:
        self.total = max(total, 0)
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self.every = every
        self.start = self.last = time.monotonic()
        self.done_count = 0

    def update(self, done: int) -> None:
        self.done_count = done
        now = time.monotonic()
        if not self.shown or now - self.last < self.every:
            return
        self.last = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        width = 30
        frac = min(self.done_count / self.total, 1.0) if self.total else 1.0
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        rate = self.done_count / max(now - self.start, 1e-9)
        self.stream.write(f"\r[{bar}] {self.done_count:,}/{self.total:,} records  {rate:,.0f}/s ")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
