"""What a run costs: CPU of a process tree from /proc (psutil), the time it waited for a
core, peak memory, statements.

CPU of a tree is the user+system time of every live process in it plus what its root has
reaped from children that exited, so a backend or worker that ends mid-run still counts.
Statements come from pg_stat_statements (exact: every statement a client sent, utility
statements such as BEGIN/ROLLBACK included, counted per database).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import asyncpg
import psutil


def tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu_seconds(root: psutil.Process) -> float:
    """User+system seconds of a process tree, reaped children included."""
    total = 0.0
    for proc in tree(root):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
        if proc.pid == root.pid:
            total += times.children_user + times.children_system
    return total


def stolen_seconds() -> float:
    """Seconds of every core's time the hypervisor ran something else while this machine
    wanted it (``steal`` in ``/proc/stat``; 0 on bare metal)."""
    return float(getattr(psutil.cpu_times(), "steal", 0.0))


def schedstat_ns(path: Path, field: int) -> int | None:
    """One field of a thread's ``schedstat`` (0: nanoseconds on a core, 1: runnable but
    waiting for one); None once the thread has gone or where the kernel keeps none."""
    try:
        return int(path.read_text().split()[field])
    except (OSError, IndexError, ValueError):
        return None


def tree_waiting_seconds(root: psutil.Process) -> float:
    """Seconds the threads of a process tree spent runnable but waiting for a core: the
    second field of each thread's ``/proc/<pid>/task/<tid>/schedstat`` (0 where the kernel
    keeps no scheduler statistics; threads that have exited are not counted)."""
    total = 0
    for proc in tree(root):
        tasks = Path(f"/proc/{proc.pid}/task")
        try:
            threads = list(tasks.iterdir())
        except OSError:
            continue
        for thread in threads:
            total += schedstat_ns(thread / "schedstat", 1) or 0
    return total / 1e9


def _rss_bytes(processes: list[psutil.Process]) -> int:
    total = 0
    for proc in processes:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def settle(root: psutil.Process, timeout: float = 120.0) -> None:
    """Wait until a tree is idle (under 5 % of a core over half a second), so requests still in
    flight when a run ends are not charged to the next one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = tree_cpu_seconds(root)
        time.sleep(0.5)
        if tree_cpu_seconds(root) - before < 0.025:
            return


class Periodic:
    """Calls ``tick`` in a thread of its own while in a ``with`` block: once on entry, then
    every ``every_seconds`` until the block ends."""

    def __init__(self, every_seconds: float) -> None:
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            self.tick()
            if self._stop.wait(self.every_seconds):
                return

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class PeakRss(Periodic):
    """Samples a tree's resident memory every 200 ms in a thread; keeps the peak.

    Finding a tree's processes scans all of ``/proc`` (psutil reads every process's parent):
    some 3 ms of CPU on this machine, which every 200 ms took a core from the run being
    measured. So the tree is found once a second and its known processes are read between.
    """

    SAMPLE_SECONDS = 0.2
    FIND_EVERY = 5  # samples

    def __init__(self, roots: Callable[[], list[psutil.Process]]) -> None:
        super().__init__(self.SAMPLE_SECONDS)
        self._roots = roots
        self.peak = 0
        self._samples = itertools.count()
        self._processes: list[psutil.Process] = []

    def tick(self) -> None:
        if next(self._samples) % self.FIND_EVERY == 0:
            self._processes = [p for root in self._roots() for p in tree(root)]
        self.peak = max(self.peak, _rss_bytes(self._processes))


# Transaction control, session resets (asyncpg's pool sends four on every release) and the
# like: everything that is not a read or write of data.
UTILITY = (
    r"^\s*(begin|commit|rollback|start|set|show|discard|deallocate|reset|close|unlisten"
    r"|select pg_advisory_unlock_all\(\))"
)
STATEMENTS = """
SELECT d.datname,
       sum(s.calls) FILTER (
WHERE s.query !~* $1) AS reads_writes,
       sum(s.calls) AS total
FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname LIKE 'c360_bench_%'
GROUP BY d.datname
"""


@dataclass(frozen=True)
class Statements:
    """Statements per bench database: all of them, and those that are not utility statements."""

    total: dict[str, int]
    data: dict[str, int]

    def minus(self, before: Statements) -> Statements:
        def diff(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            return {k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)}

        return Statements(diff(self.total, before.total), diff(self.data, before.data))


async def statements(dsn: str) -> Statements:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        rows = await conn.fetch(STATEMENTS, UTILITY)
    finally:
        await conn.close()
    return Statements(
        {r["datname"]: int(r["total"] or 0) for r in rows},
        {r["datname"]: int(r["reads_writes"] or 0) for r in rows},
    )


@dataclass
class Snapshot:
    """CPU of the server and of the database cluster, and the statement counters, at a time."""

    at: float
    server_cpu: float
    db_cpu: float
    statements: Statements


async def snapshot(server: psutil.Process, postmaster: psutil.Process, dsn: str) -> Snapshot:
    counted = await statements(dsn)
    return Snapshot(
        time.perf_counter(), tree_cpu_seconds(server), tree_cpu_seconds(postmaster), counted
    )
