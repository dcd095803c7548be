"""``python -m bench.queue``: what p99 / p50 a queue alone gives at the paced runs' load.

A model, not a measurement: requests arrive independently (Poisson) at 70 % of what two
cores can serve, each needs ``service_ms`` of a core and ``fixed_ms`` of waiting that uses
none (its databases' round trips), and is served first come, first served, either from one
queue that both cores take from or pinned to one of two queues at random, as a keep-alive
connection is pinned to one worker process. Service is either always the same or
exponentially spread. The defaults are W1's on 2 December (1.4 ms of CPU across both cores
per request, 2.4 ms unloaded).
"""

from __future__ import annotations

import argparse
import heapq
import random


def latencies(
    *,
    service_ms: float,
    fixed_ms: float,
    load: float,
    pinned: bool,
    exponential: bool,
    requests: int = 200_000,
    seed: int = 1,
) -> list[float]:
    """Each request's time from arrival to answer, in arrival order."""
    draw = random.Random(seed)
    rate = load * 2 / service_ms
    now = 0.0
    free = [0.0, 0.0]  # when each core (or each pinned queue's core) is next free
    times: list[float] = []
    for _ in range(requests):
        now += draw.expovariate(rate)
        work = draw.expovariate(1 / service_ms) if exponential else service_ms
        if pinned:
            core = draw.randrange(2)
            free[core] = max(now, free[core]) + work
            done = free[core]
        else:
            done = max(now, heapq.heappop(free)) + work
            heapq.heappush(free, done)
        times.append(done - now + fixed_ms)
    return times


def spread(times: list[float]) -> float:
    """p99 / p50 (nearest rank)."""
    ordered = sorted(times)
    return ordered[int(0.99 * len(ordered))] / ordered[int(0.5 * len(ordered))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queue", description=__doc__)
    parser.add_argument("--service-ms", type=float, default=1.4)
    parser.add_argument("--fixed-ms", type=float, default=1.0)
    parser.add_argument("--load", type=float, default=0.7)
    args = parser.parse_args(argv)
    for pinned in (False, True):
        for exponential in (False, True):
            times = latencies(
                service_ms=args.service_ms,
                fixed_ms=args.fixed_ms,
                load=args.load,
                pinned=pinned,
                exponential=exponential,
            )
            queues = "pinned to one of two queues" if pinned else "one queue, two cores"
            service = "exponential service" if exponential else "constant service"
            print(f"{queues:<28} {service:<20} p99 / p50 {spread(times):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
