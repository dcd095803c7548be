"""``python -m bench.instructions W1``: c360's instructions per request, counted by valgrind.

Seconds of CPU on this VM move by 10–40 % from one run to the next; instructions do not.
This runs ``python -m bench.cost`` under ``valgrind --tool=callgrind`` twice, with N and 2N
requests after the same warm-up, and prints the difference over N: the instructions one
request costs in c360's process, start-up and warm-up taken out (runs of the same code
agreed within 0.3 % for W3 and W2, within 1.5 % for W1, whose reads' timing changes how
often the event loop turns). It counts the process's own instructions only: the kernel's side of
its system calls and the databases' work are not in it, so a change that saves a write()
shows in the served bench, not here. A run of 300 and 600 W1 requests takes about four
minutes. Run ``make bench`` once first (it builds the bench cluster).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WARMUP = 100  # requests before the counted ones, the same in both runs
_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def count(workload: str, requests: int, pg_port: int, pgdata: str) -> int:
    """The instructions of one ``bench.cost`` run of ``requests`` requests."""
    with tempfile.TemporaryDirectory() as folder:
        completed = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
                sys.executable,
                "-m",
                "bench.cost",
                workload,
                "--requests",
                str(requests),
                "--rounds",
                "1",
                "--warmup",
                str(WARMUP),
                "--pg-port",
                str(pg_port),
                "--pgdata",
                pgdata,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    found = _TOTAL.search(completed.stderr)
    if completed.returncode != 0 or found is None:
        raise SystemExit(f"bench.cost under valgrind failed:\n{completed.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("workload", choices=["W1", "W2", "W3"])
    parser.add_argument("--requests", type=int, default=0, help="N (default by size)")
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--pgdata", default="pgdata", help="the cluster's folder in bench/.tools")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian package valgrind)")
    requests = args.requests or {"W1": 300, "W2": 40, "W3": 600}[args.workload]
    once = count(args.workload, requests, args.pg_port, args.pgdata)
    twice = count(args.workload, 2 * requests, args.pg_port, args.pgdata)
    print(
        f"{args.workload}: {(twice - once) / requests:,.0f} instructions per request "
        f"({requests} requests: {once:,}; {2 * requests}: {twice:,})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
