"""bench.tail: a slow request's time split into the worker's on-core, waiting and collector
time, from the probe's lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.tail import report


def _lines(path: Path) -> None:
    # 98 fast requests (1 ms, of which the worker ran 1 ms) then two slow ones (10 ms each:
    # the worker ran 4 ms and waited 5 ms for a core, a 2 ms collector pass inside each);
    # the first slow one overlaps a 3 ms write of the audit trail.
    run = wait = 0
    t = 1000.0
    rows = []
    for _ in range(98):
        t += 0.002
        run += 1_000_000
        rows.append(f"R {t:.6f} {run} {wait} 1.0 W1")
    for _ in range(2):
        t += 0.0105  # it began 0.5 ms after the request before it ended
        run += 4_000_000
        wait += 5_000_000
        rows.append(f"G {t - 0.005:.6f} 0 2.000")
        rows.append(f"R {t:.6f} {run} {wait} 10.0 W1")
        if len(rows) == 100:
            rows.append(f"A {t - 0.004:.6f} {t - 0.001:.6f}")
    rows.append("R 999.0 0 0 None None")  # a request logged without its duration
    path.write_text("\n".join(rows) + "\n")


def test_the_slowest_requests_show_the_cores_wait_the_collector_and_audit_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = tmp_path / "probe-1.txt"
    _lines(probe)
    report(probe, seconds=10.0)
    out = capsys.readouterr().out
    assert "100 requests, in the server p50 1.0 ms, p99 10.0 ms" in out
    slow = next(line for line in out.splitlines() if "slowest" in line)
    assert "2 requests,  10.00 ms each" in slow
    assert "ran  4.00 ms" in slow
    assert "waited for a core  5.00 ms" in slow
    assert "collected 2.000 ms" in slow
    assert " 50 % beside an audit write" in slow
    assert "audit writes in the window: 1, p50 3.0 ms, longest 3.0 ms" in out
    assert "collector passes in the window: 2, 4.0 ms in all" in out
    median = next(line for line in out.splitlines() if "median" in line)
    assert "98 requests,   1.00 ms each" in median
    assert "waited for a core  0.00 ms, collected 0.000 ms;   0 % beside an audit write" in median


def test_a_window_that_ends_before_the_last_answer_reads_only_its_own_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = tmp_path / "probe-1.txt"
    _lines(probe)
    report(probe, seconds=0.1, until=1000.0 + 50 * 0.002 + 0.0001)  # the first 50 answers
    out = capsys.readouterr().out
    assert "50 requests, in the server p50 1.0 ms, p99 1.0 ms" in out
    assert "audit writes in the window" not in out
    assert "collector passes in the window: 0, 0.0 ms in all" in out
