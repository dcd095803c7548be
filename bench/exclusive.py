"""One measuring run at a time on a machine.

Two benches at once measure each other: each takes the cores the other is timing, and a
second ``python -m bench`` also makes the audit database anew under a running one (a run
that lost it stopped with "no statement captured for W2"). Every measuring command takes
``bench/.tools/bench.lock`` first and stops at once, naming the holder, when another has it.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.tools import TOOLS_DIR

LOCK = TOOLS_DIR / "bench.lock"


@contextmanager
def only_run(path: Path = LOCK) -> Iterator[None]:
    """Hold the machine's measuring lock for the ``with`` block, or exit naming its holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SystemExit(
                f"bench: another measuring run holds {path} ({holder}); wait for it to end"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%H:%M:%S")
        handle.write(f"pid {os.getpid()}, {' '.join(sys.argv[:3])}, since {started}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
