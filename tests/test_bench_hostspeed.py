"""The bench tells runs on a slowed host apart: bench.hostspeed's samples and their share."""

from __future__ import annotations

import time

import pytest

from bench import hostspeed


def test_a_sampler_times_the_same_work_while_it_runs() -> None:
    with hostspeed.Sampler(every_seconds=0.01) as sampler:
        time.sleep(0.2)
    taken = len(sampler.samples)
    assert taken >= 3
    assert all(ms > 0 for ms in sampler.samples)
    time.sleep(0.05)
    assert len(sampler.samples) == taken  # it stopped with the block


def test_samples_well_over_the_fastest_count_as_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hostspeed, "_fastest", [])
    assert hostspeed.slow_share([9.0]) is None  # nothing to compare with yet
    monkeypatch.setattr(hostspeed, "_fastest", [9.0])
    assert hostspeed.slow_share([]) is None
    assert hostspeed.slow_share([9.0, 9.5, 11.6, 14.0]) == 0.25
    assert hostspeed.slow_share([9.0, 11.8, 14.0, 13.9]) == 0.75


def test_the_fastest_sample_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hostspeed, "_fastest", [])
    first = hostspeed.sample()
    assert hostspeed._fastest == [first]
    again = hostspeed.sample()
    assert hostspeed._fastest == [min(first, again)]


def test_a_sample_leaves_the_cores_to_the_run_between_short_parts() -> None:
    began_wall, began_cpu = time.perf_counter(), time.thread_time()
    hostspeed.sample()
    wall = time.perf_counter() - began_wall
    cpu = time.thread_time() - began_cpu
    assert wall >= (hostspeed._PARTS - 1) * hostspeed._PAUSE_SECONDS
    assert cpu < wall / 2  # mostly paused: no stall the size of the tail it is sampled beside
