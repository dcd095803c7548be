"""How long c360 itself took over a run, from its request log.

wrk times a request from its own send to its own read, so its p99 also holds the time a
request waits in the kernel, for a worker's event loop to turn to it, and for wrk itself to
be scheduled on the two cores it shares with the servers and the database. c360 logs each
answered request's ``duration_ms`` (from the ASGI call to the last byte handed to the
transport); the same quantiles over the lines one run added tell the server's share apart.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from gateway.logs import REQUEST_LOGGER

_REQUEST_LINE = f'"logger":"{REQUEST_LOGGER}"'.encode()


def size(log: Path) -> int:
    """Where the next run's lines will start."""
    return log.stat().st_size if log.exists() else 0


def durations_since(log: Path, offset: int) -> list[float]:
    """``duration_ms`` of every request line written after ``offset``."""
    with log.open("rb") as lines:
        lines.seek(offset)
        found = []
        for line in lines:
            if _REQUEST_LINE not in line:
                continue
            try:
                found.append(float(json.loads(line)["duration_ms"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short at the run's end, or another kind of line
        return found


def quantile(values: list[float], share: float) -> float:
    """The nearest-rank quantile: the smallest value with at least ``share`` of them at or
    below it (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]
