"""Where the slowest requests of a paced run spent their time, from ``bench/tailprobe``'s
files: ``python -m bench.tail /tmp/tail/probe-*.txt [--seconds 10] [--until EPOCH]``.

For each served worker, over the ``--seconds`` before ``--until`` (seconds since the epoch;
by default the worker's last answer, which ends the measured paced run when it is the last
run; give the end of another run of a full bench to look at that one), compares the slowest
1 % of requests with those at or under the median: how long, over a request's life, its
worker's event-loop thread was on a core and how long it was runnable but waiting for one,
how long the cycle collector ran, and how many of them overlapped a write of the audit
trail. The counters are read at each request's end, so a request's share is the change
between the last reading before it began and its own; a coarse measure, exact in its totals.
With ``--outside`` (a file of ``python -m bench.outside``), also how often each group's
requests had a burst of CPU of threads outside the run beside them, against chance.
"""

from __future__ import annotations

import argparse
import bisect
from dataclasses import dataclass
from pathlib import Path

from bench.outside import BURST_MS, Bursts
from bench.serverlog import quantile


@dataclass(frozen=True)
class Answered:
    at: float  # seconds since the epoch, when the log line was written
    run_ns: int
    wait_ns: int
    duration_ms: float


def read(
    path: Path,
) -> tuple[list[Answered], list[tuple[float, float]], list[tuple[float, float]]]:
    """The worker's answered requests (time order), its collector passes (time, ms) and its
    audit writes (start, end)."""
    answered: list[Answered] = []
    passes: list[tuple[float, float]] = []
    writes: list[tuple[float, float]] = []
    for line in path.read_text().splitlines():
        kind, *parts = line.split()
        if kind == "R" and parts[3] != "None":
            at, run, wait, duration = parts[:4]
            answered.append(Answered(float(at), int(run), int(wait), float(duration)))
        elif kind == "G":
            passes.append((float(parts[0]), float(parts[2])))
        elif kind == "A":
            writes.append((float(parts[0]), float(parts[1])))
    answered.sort(key=lambda a: a.at)
    return answered, passes, writes


def report(
    path: Path, seconds: float, until: float | None = None, outside: Bursts | None = None
) -> None:
    answered, passes, writes = read(path)
    end = answered[-1].at if until is None and answered else until
    window = [a for a in answered if end is not None and end - seconds < a.at <= end]
    if end is None or not window:
        return
    times = [a.at for a in answered]
    durations = [a.duration_ms for a in window]
    p50, p99 = quantile(durations, 0.5), quantile(durations, 0.99)
    print(f"{path.name}: {len(window)} requests, in the server p50 {p50} ms, p99 {p99} ms")

    def before(t: float) -> Answered:
        return answered[max(bisect.bisect_right(times, t) - 1, 0)]

    groups = {
        "slowest 1 %": [a for a in window if a.duration_ms >= p99],
        "median or faster": [a for a in window if a.duration_ms <= p50],
    }
    for name, group in groups.items():
        ran = waited = collected = 0.0
        audited = 0
        for a in group:
            began = a.at - a.duration_ms / 1000
            audited += any(start < a.at and end > began for start, end in writes)
            start = before(began)
            ran += (a.run_ns - start.run_ns) / 1e6
            waited += (a.wait_ns - start.wait_ns) / 1e6
            collected += sum(ms for t, ms in passes if began <= t <= a.at)
        n = len(group)
        print(
            f"  {name:<17} {n:5d} requests, {sum(a.duration_ms for a in group) / n:6.2f} ms each;"
            f" over each, the worker ran {ran / n:5.2f} ms, waited for a core {waited / n:5.2f} ms,"
            f" collected {collected / n:5.3f} ms; {100 * audited / n:3.0f} % beside an audit write"
        )
        if outside is not None:
            lives = [(a.at - a.duration_ms / 1000, a.at) for a in group]
            print(
                f"    {100 * outside.share_beside(lives):3.0f} % beside a burst of at least "
                f"{BURST_MS:g} ms of outside threads' CPU; by chance "
                f"{100 * outside.share_by_chance(lives, end - seconds, end):3.0f} %"
            )
    in_window = [ms for t, ms in passes if end - seconds < t <= end]
    print(f"  collector passes in the window: {len(in_window)}, {sum(in_window):.1f} ms in all")
    spans = [1000 * (end_ - start) for start, end_ in writes if end - seconds < start <= end]
    if spans:
        print(
            f"  audit writes in the window: {len(spans)}, "
            f"p50 {quantile(spans, 0.5):.1f} ms, longest {max(spans):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--until", type=float, default=None, help="seconds since the epoch")
    parser.add_argument(
        "--outside", type=Path, default=None, help="a file of `python -m bench.outside`"
    )
    args = parser.parse_args()
    outside = Bursts(args.outside) if args.outside else None
    for path in args.files:
        report(path, args.seconds, args.until, outside)


if __name__ == "__main__":
    main()
