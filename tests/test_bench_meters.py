"""The bench's meters read what the kernel says a process tree spent and waited."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from bench.meters import PeakRss, tree_cpu_seconds, tree_waiting_seconds

SPIN = "import time\nend = time.monotonic() + 5\nwhile time.monotonic() < end: pass"


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux's affinity")
def test_processes_sharing_one_core_are_seen_waiting_for_it() -> None:
    one_core = {min(os.sched_getaffinity(0))}
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(2)]
    try:
        for spinner in spinners:
            os.sched_setaffinity(spinner.pid, one_core)
        me = psutil.Process()
        time.sleep(0.2)  # both started and spinning
        cpu, waited = tree_cpu_seconds(me), tree_waiting_seconds(me)
        time.sleep(1.0)
        cpu, waited = tree_cpu_seconds(me) - cpu, tree_waiting_seconds(me) - waited
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    # Two spinners on one core: each runs about half the second and waits the other half
    # (less running and more waiting when other work shares that core too).
    assert 0.3 < cpu < 1.2
    assert 0.4 < waited < 2.0


HOLD = (
    "import time\nheld = bytearray({size})\nheld[::4096] = b'x' * len(held[::4096])\ntime.sleep(30)"
)


def test_peak_memory_counts_a_child_that_starts_after_sampling_began() -> None:
    me = psutil.Process()
    alone = me.memory_info().rss
    with PeakRss(lambda: [me]) as rss:
        time.sleep(0.1)
        child = subprocess.Popen([sys.executable, "-c", HOLD.format(size=200 * 2**20)])
        try:
            deadline = time.monotonic() + 10
            while psutil.Process(child.pid).memory_info().rss < 200 * 2**20:
                assert time.monotonic() < deadline, "the child never touched its memory"
                time.sleep(0.05)
            time.sleep(1.5)  # past the next time the sampler looks for the tree's processes
        finally:
            child.kill()
            child.wait()
    assert rss.peak > alone + 200 * 2**20
