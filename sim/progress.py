"""Progress of a batch of replications: a one-line bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

log = logging.getLogger("tariffsim")


class Progress:
    """Counts finished replications and reports them.

    On a terminal (``stream.isatty()``) it redraws one line on ``stream`` (stderr by default) at
    most ten times a second; elsewhere (CI, a log file, a cluster job) it logs a plain line at
    each tenth of the work, so logs stay short and greppable.

    Args:
        total: Number of replications expected.
        label: What is running, e.g. the scenario's name.
        stream: Where the terminal bar goes.
        enabled: False silences it (small batches, tests).
    """

    WIDTH = 30

    def __init__(self, total: int, label: str = "replications", stream: TextIO | None = None,
                 enabled: bool = True) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.began = time.perf_counter()
        self._last_draw = 0.0
        self._next_log = 0.1

    def advance(self, n: int) -> None:
        """Record ``n`` more finished replications."""
        self.done += n
        if not self.enabled:
            return
        fraction = self.done / self.total
        if self.tty:
            now = time.perf_counter()
            if now - self._last_draw >= 0.1 or self.done >= self.total:
                self._last_draw = now
                self.stream.write("\r" + self.line())
                self.stream.flush()
        elif fraction >= self._next_log or self.done >= self.total:
            log.info(self.line())
            while self._next_log <= fraction:
                self._next_log += 0.1

    def close(self) -> None:
        """End the terminal line."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def line(self) -> str:
        """``label [#####     ] done/total, runs/s, time left``."""
        elapsed = time.perf_counter() - self.began
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        filled = int(self.WIDTH * min(self.done / self.total, 1.0))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        eta = f"{left:.0f} s left" if left == left else "—"
        return f"{self.label} [{bar}] {self.done}/{self.total} runs, {rate:.0f} runs/s, {eta}"
