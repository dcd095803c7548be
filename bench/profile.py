"""Where a c360 worker's time goes: py-spy samples of one worker under load, summarised."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(
    pid: int, seconds: float, output: Path, *, native: bool = False
) -> subprocess.Popen[bytes] | None:
    """Start sampling ``pid`` for ``seconds`` into collapsed stacks (None without py-spy);
    ``native`` adds the C frames (the event loop, asyncpg's protocol, the allocator)."""
    binary = py_spy()
    if binary is None:
        return None
    return subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
            *(["--native"] if native else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Frames every sample passes through (process start, event loop, ASGI plumbing): left out of
# the cumulative list, where they would fill the top rows and say nothing.
PLUMBING = (
    "spawn.py",
    "process.py",
    "runners.py",
    "_compat.py",
    "uvicorn/",
    "base_events.py",
    "events.py",
    "multiprocess.py",
    "_subprocess.py",
    "<string>",
    "starlette/",
    "<module>",
)


def summarise(collapsed: Path, top: int = 25) -> dict[str, list[tuple[str, float]]]:
    """Shares of the worker's busy samples: by function on the stack (cumulative, plumbing
    left out) and by function at the top of the stack (self)."""
    cumulative: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = [_short(f) for f in stack.split(";")]
        count = int(count_text)
        total += count
        for frame in set(frames):
            cumulative[frame] += count
        own[frames[-1]] += count
    if not total:
        return {}
    useful = [(f, n) for f, n in cumulative.most_common() if not any(p in f for p in PLUMBING)]
    return {
        "cumulative": [(f, 100.0 * n / total) for f, n in useful[:top]],
        "self": [(f, 100.0 * n / total) for f, n in own.most_common(top)],
    }


def _short(frame: str) -> str:
    """`fn (package/module.py:123)` → `fn (package/module.py)`: one row per function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rstrip(')').rsplit(':', 1)[0]})"
