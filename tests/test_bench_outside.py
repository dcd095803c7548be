"""bench.outside: bursts of CPU of threads outside the run, and how often the slowest
requests had one beside them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.outside import RUN_NAMES, Bursts, outside_threads
from bench.tail import report


def _bursts(path: Path) -> Bursts:
    # Two threads outside the run: 1 ms now and then, and one 12 ms burst at t = 1000.5.
    lines = [f"O {1000 + i / 10:.6f} 1000000 agent 103" for i in range(1, 10)]
    lines += ["O 1000.500000 6000000 kdamond 105", "O 1000.505000 6000000 kdamond 105"]
    path.write_text("\n".join(lines) + "\n")
    return Bursts(path)


def test_a_life_beside_a_burst_sees_its_cpu_and_one_away_from_it_does_not(
    tmp_path: Path,
) -> None:
    bursts = _bursts(tmp_path / "outside.txt")
    assert bursts.ms_within(1000.49, 1000.51) == pytest.approx(13.0)  # both readings, 1 ms
    assert bursts.ms_within(1000.51, 1000.52) == pytest.approx(0.0)
    assert bursts.ms_within(1000.199, 1000.25) == pytest.approx(1.0)
    lives = [(1000.49, 1000.51), (1000.199, 1000.25)]
    assert bursts.share_beside(lives) == 0.5


def test_chance_places_lives_of_the_same_length_anywhere(tmp_path: Path) -> None:
    bursts = _bursts(tmp_path / "outside.txt")
    # A 20 ms life beside the 12 ms burst: about 25 ms of the second it may end in.
    chance = bursts.share_by_chance([(1000.49, 1000.51)], 1000.0, 1001.0)
    assert 0.01 < chance < 0.06
    assert chance == bursts.share_by_chance([(1000.49, 1000.51)], 1000.0, 1001.0)


def test_the_tail_report_sets_the_slowest_requests_bursts_against_chance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bursts = _bursts(tmp_path / "outside.txt")
    rows = [f"R {1000 + i / 200:.6f} {i} 0 1.0 W1" for i in range(1, 99)]
    rows.append("R 1000.510000 99 0 20.0 W1")  # the slow one, beside the burst
    probe = tmp_path / "probe-1.txt"
    probe.write_text("\n".join(rows) + "\n")
    report(probe, seconds=1.0, outside=bursts)
    out = capsys.readouterr().out.splitlines()
    slowest = out.index(next(line for line in out if "slowest" in line))
    assert "100 % beside a burst of at least 3 ms of outside threads' CPU" in out[slowest + 1]
    median = out.index(next(line for line in out if "median" in line))
    assert "  0 % beside a burst" in out[median + 1]


def test_the_runs_own_threads_and_this_process_are_not_outside() -> None:
    found = outside_threads()
    assert found  # the kernel's threads at least
    assert not any(t.name in RUN_NAMES for t in found)
    # this process is left out by its pid, whatever it is called
    everyone = outside_threads(exclude=frozenset())
    assert any(t.name in RUN_NAMES for t in everyone)  # the names did leave threads out
    assert not any(t.schedstat.parts[2] == str(os.getpid()) for t in everyone)
