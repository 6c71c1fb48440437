"""The evaluated samples of a sensitivity study, saved as it goes, so that an interrupted study
resumes where it stopped instead of starting over.

Samples are evaluated in order (results come back in sample order whatever the number of
workers), so what is done is always a prefix of the sample matrix: the checkpoint holds that
prefix's metric values and a fingerprint of the study. A study with other settings, other
samples or another version of tariffsim does not match and starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.io.files import atomic_write

log = logging.getLogger("tariffsim")
CHECKPOINT = ".evaluated.npz"
# Save at most this often: a large study's checkpoint is megabytes, its chunks come every second.
EVERY_SECONDS = 10.0


def fingerprint(settings: dict[str, Any], base: dict[str, Any], samples: np.ndarray) -> str:
    """A digest of what the metric values depend on: study settings, config, samples, version."""
    digest = hashlib.sha256(json.dumps([settings, base, __version__], sort_keys=True, default=str).encode())
    digest.update(np.ascontiguousarray(samples, dtype=np.float64).tobytes())
    return digest.hexdigest()


class Checkpoint:
    """The evaluated prefix of a study's samples, in ``out/.evaluated.npz``.

    Args:
        out: The study's output directory.
        key: The study's ``fingerprint``.
    """

    def __init__(self, out: Path, key: str) -> None:
        self.path = Path(out) / CHECKPOINT
        self.key = key
        self._saved_at = time.monotonic()

    def load(self) -> np.ndarray:
        """Metric values of the samples already evaluated (empty when none, or another study's)."""
        if not self.path.is_file():
            return np.empty(0)
        try:
            with np.load(self.path) as saved:
                if str(saved["key"]) == self.key:
                    return saved["values"]
        except (OSError, ValueError, KeyError):
            pass
        log.info("%s belongs to another study (or is unreadable): starting afresh", self.path)
        return np.empty(0)

    def save(self, values: np.ndarray, force: bool = False) -> None:
        """Record ``values``, the metric of the first ``len(values)`` samples (at most every
        ``EVERY_SECONDS`` unless ``force``)."""
        if not force and time.monotonic() - self._saved_at < EVERY_SECONDS:
            return

        def write(tmp: Path) -> None:
            with tmp.open("wb") as stream:
                np.savez(stream, key=np.array(self.key), values=values)

        atomic_write(self.path, write)
        self._saved_at = time.monotonic()

    def remove(self) -> None:
        """Forget the checkpoint (the study's results are written)."""
        self.path.unlink(missing_ok=True)
