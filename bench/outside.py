"""``python -m bench.outside FILE [--seconds 130]``: when threads outside the run took a core.

A paced request's tail is time its worker waits for a core; some of the cores' time goes to
threads that are not the run's at all. On the machines of 7 December two of them took a core
in bursts: the kernel's memory monitor (``kdamond``, about 12 ms every 0.54 s under load)
and the VM's agent (a ``tokio-rt-worker`` of pid 1, about 10 ms every second). This finds
the threads outside the run that use the cores (over ``--pick-seconds``), then reads their
CPU time every 5 ms and writes one line per reading that moved: ``O time ns name tid``
(``time`` the end of the 5 ms, seconds since the epoch). Run it beside a paced run with the
tail probe; ``python -m bench.tail probe-*.txt --outside FILE`` then tells how often the
slowest requests overlapped a burst against how often chance would have them do (paced W1
over 32 connections on 7 December: half of the slowest 1 %, against 12 % by chance; leaving
out every request with a burst beside it moved the server's p99 / p50 from 3.2 to 3.0).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from bench.meters import schedstat_ns

RUN_NAMES = frozenset({"python", "python3", "postgres", "wrk", "node", "c360"})
EVERY_SECONDS = 0.005
BURST_MS = 3.0  # outside CPU over a request's life that counts as a burst beside it


@dataclass(frozen=True)
class Thread:
    name: str
    tid: int
    schedstat: Path


def outside_threads(exclude: frozenset[str] = RUN_NAMES) -> list[Thread]:
    """Every thread on the machine whose name is not one of the run's, this process's aside."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            task = Path(f"/proc/{pid}/task/{tid}")
            try:
                name = (task / "comm").read_text().strip()
            except OSError:
                continue
            if name not in exclude:
                found.append(Thread(name, int(tid), task / "schedstat"))
    return found


def on_core_ns(thread: Thread) -> int | None:
    """The thread's total time on a core (None once it has gone)."""
    return schedstat_ns(thread.schedstat, 0)


def _moved(was: int | None, now: int | None) -> int:
    """Nanoseconds on a core between two readings (0 when either is missing)."""
    return now - was if was is not None and now is not None and now > was else 0


def busiest(seconds: float, top: int, exclude: frozenset[str] = RUN_NAMES) -> list[Thread]:
    """The ``top`` threads outside the run that spent most time on a core over ``seconds``."""
    before = {t: on_core_ns(t) for t in outside_threads(exclude)}
    time.sleep(seconds)
    used = {t: ns for t, was in before.items() if (ns := _moved(was, on_core_ns(t)))}
    return sorted(used, key=used.__getitem__, reverse=True)[:top]


def record(path: Path, watched: list[Thread], seconds: float) -> None:
    """Writes each watched thread's CPU time per 5 ms to ``path`` for ``seconds``."""
    last = {t: on_core_ns(t) for t in watched}
    deadline = time.monotonic() + seconds
    with path.open("w", buffering=1) as out:  # by lines: readable while it records
        while time.monotonic() < deadline:
            time.sleep(EVERY_SECONDS)
            now = time.time()
            for thread in watched:
                value = on_core_ns(thread)
                ns = _moved(last[thread], value)
                if ns:
                    out.write(f"O {now:.6f} {ns} {thread.name} {thread.tid}\n")
                last[thread] = value


class Bursts:
    """The outside threads' CPU time per reading, from a file ``record`` wrote."""

    def __init__(self, path: Path) -> None:
        readings = sorted(
            (float(parts[1]), int(parts[2]))
            for parts in (line.split() for line in path.read_text().splitlines())
            if parts and parts[0] == "O"
        )
        self._ends = [end for end, _ in readings]
        self._sums = list(itertools.accumulate((ns for _, ns in readings), initial=0))

    def ms_within(self, began: float, ended: float) -> float:
        """Milliseconds the outside threads were on a core in the readings that overlap
        ``began``-``ended`` (seconds since the epoch)."""
        first = bisect.bisect_right(self._ends, began)
        last = bisect.bisect_left(self._ends, ended + EVERY_SECONDS)
        return (self._sums[last] - self._sums[first]) / 1e6

    def share_beside(self, lives: list[tuple[float, float]]) -> float:
        """The share of ``lives`` (began, ended) with a burst of outside CPU beside them."""
        return sum(self.ms_within(b, e) >= BURST_MS for b, e in lives) / len(lives)

    def share_by_chance(
        self, lives: list[tuple[float, float]], start: float, end: float, draws: int = 200
    ) -> float:
        """The same share for lives of the same lengths put anywhere in ``start``-``end``."""
        chance = random.Random(0)
        hits = 0
        for _ in range(draws):
            for began, ended in lives:
                at = chance.uniform(start + (ended - began), end)
                hits += self.ms_within(at - (ended - began), at) >= BURST_MS
        return hits / (draws * len(lives))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outside", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--seconds", type=float, default=130.0)
    parser.add_argument("--pick-seconds", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=5, help="threads to watch")
    args = parser.parse_args(argv)
    watched = busiest(args.pick_seconds, args.top)
    print("watching:", ", ".join(f"{t.name} ({t.tid})" for t in watched), flush=True)
    record(args.file, watched, args.seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
