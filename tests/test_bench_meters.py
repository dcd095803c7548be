"""The bench's meters read what the kernel says a process tree spent and waited."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from bench.meters import tree_cpu_seconds, tree_waiting_seconds

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
