"""``python -m bench.hostspeed [--seconds 60]``: how fast this machine's cores run one fixed
piece of Python work, sampled twice a second.

Each sample times one chunk of pure-Python arithmetic by its thread's CPU time, so waiting
for a core does not count; what moves it is the core itself (a hypervisor's hyperthread
sibling busy with another guest, a slower host core, a lower clock). On the 2-core machines
of 6 December the same chunk took either about 9 or about 14 ms, switching every few
seconds on both cores of an idle machine: capacity that comes and goes by half again, which
no server on the machine can pace against. The bench samples it beside every paced run
(``Sampler``) and reports the share of samples in the slow state.

A sample is the same work in ten parts of about a millisecond with a short pause between
them: in one piece it held a core for 9-14 ms twice a second, a stall the size of the
paced tail it was sampled beside (``bench.outside``: half of the slowest 1 % of paced
requests had a burst like it, from threads outside the run, beside them).
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.meters import Periodic

_PARTS = 10
_PART = 10_000  # iterations: about a millisecond
_PAUSE_SECONDS = 0.005
SLOW = 1.3  # a sample this many times the fastest seen counts as the slow state
_EVERY_SECONDS = 0.5

_fastest: list[float] = []  # the fastest sample this process has seen, once it has one


def sample() -> float:
    """Milliseconds of CPU time one fixed piece of Python work took on this thread, done in
    short parts that leave the cores to others between them."""
    took = 0.0
    for part in range(_PARTS):
        if part:
            time.sleep(_PAUSE_SECONDS)
        began = time.thread_time()
        total = 0
        for i in range(_PART):
            total += i * i
        took += 1000 * (time.thread_time() - began)
    if not _fastest:
        _fastest.append(took)
    elif took < _fastest[0]:
        _fastest[0] = took
    return took


def slow_share(samples: list[float]) -> float | None:
    """The share of ``samples`` at least ``SLOW`` times the fastest sample this process has
    seen (None without samples)."""
    if not samples or not _fastest:
        return None
    return sum(s >= SLOW * _fastest[0] for s in samples) / len(samples)


def baseline(seconds: float = 5.0) -> None:
    """Samples an idle machine for ``seconds`` so that ``slow_share`` has a fastest sample
    taken without load beside it (once per process)."""
    if not _fastest:
        with Sampler():
            time.sleep(seconds)


class Sampler(Periodic):
    """Samples in a thread of its own while in a ``with`` block; ``samples`` after it."""

    def __init__(self, every_seconds: float = _EVERY_SECONDS) -> None:
        super().__init__(every_seconds)
        self.samples: list[float] = []

    def tick(self) -> None:
        self.samples.append(sample())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostspeed", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    with Sampler() as sampler:
        time.sleep(args.seconds)
    samples = sampler.samples
    if not samples:
        print("no samples: give it at least a second")
        return 1
    print(
        f"{len(samples)} samples: fastest {min(samples):.1f} ms, median "
        f"{statistics.median(samples):.1f} ms, slowest {max(samples):.1f} ms; "
        f"{100 * (slow_share(samples) or 0):.0f} % at least {SLOW}× the fastest"
    )
    print("in order:", " ".join(f"{s:.0f}" for s in samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
