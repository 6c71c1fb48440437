"""Progress of a batch of runs: a tqdm bar on a terminal, plain periodic log lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from tqdm import tqdm

log = logging.getLogger("tariffsim")
# One format for the terminal bar and the log lines, so both read alike.
BAR_FORMAT = "{desc} [{bar:30}] {n_fmt}/{total_fmt} {unit}, {rate_fmt}, {remaining} left"


class Progress:
    """Counts finished runs and reports them.

    On a terminal (``stream.isatty()``) a tqdm bar on ``stream`` (stderr by default) redraws at
    most ten times a second; elsewhere (CI, a log file, a cluster job) it logs a plain line at
    each tenth of the work instead, so logs stay short and greppable (a redrawn bar would fill
    them with carriage returns).

    Args:
        total: Number of runs expected.
        label: What is running, e.g. the scenario's name.
        stream: Where the terminal bar goes.
        enabled: False silences it (small batches, tests).
        unit: What is counted, as shown after the counts.
    """

    def __init__(self, total: int, label: str = "replications", stream: TextIO | None = None,
                 enabled: bool = True, unit: str = "runs") -> None:
        self.total = max(total, 1)
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.began = time.perf_counter()
        self._next_log = 0.1
        self._bar: tqdm | None = None
        if self.tty:
            self._bar = tqdm(total=self.total, desc=label, unit=unit, file=self.stream, mininterval=0.1,
                             bar_format=BAR_FORMAT, dynamic_ncols=True)

    def advance(self, n: int) -> None:
        """Record ``n`` more finished runs."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        fraction = self.done / self.total
        if self.enabled and (fraction >= self._next_log or self.done >= self.total):
            log.info(self.line())
            while self._next_log <= fraction:
                self._next_log += 0.1

    def close(self) -> None:
        """End the terminal bar (its final state stays on screen)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def line(self) -> str:
        """``label [#####     ] done/total runs, rate, time left``: the bar as one plain ASCII line."""
        return tqdm.format_meter(self.done, self.total, time.perf_counter() - self.began, prefix=self.label,
                                 unit=self.unit, ascii=" #", bar_format=BAR_FORMAT)
