"""The queue model behind the README's reading of the paced tail."""

from __future__ import annotations

import pytest

from bench.queue import latencies, spread


def _spread(*, load: float, pinned: bool, exponential: bool) -> float:
    times = latencies(
        service_ms=1.4,
        fixed_ms=1.0,
        load=load,
        pinned=pinned,
        exponential=exponential,
        requests=50_000,
    )
    return spread(times)


def test_an_idle_queue_answers_every_request_in_the_same_time() -> None:
    assert _spread(load=0.001, pinned=True, exponential=False) == pytest.approx(1.0)


def test_pinning_requests_to_one_of_two_queues_lengthens_the_tail() -> None:
    shared = _spread(load=0.7, pinned=False, exponential=False)
    pinned = _spread(load=0.7, pinned=True, exponential=False)
    spread_out = _spread(load=0.7, pinned=True, exponential=True)
    assert shared < 3 < pinned < spread_out
