"""``python -m bench.spy W1``: where one c360 worker's time goes under one workload.

Serves c360 as the bench does (production, trusted documents, masking and audit on) with
one worker over the bench cluster's demo bank (run ``make bench`` once to build both),
loads it with wrk, samples the worker with py-spy, and prints the functions with the most
samples: on top of the stack (self) and anywhere on it (cumulative). The bench cluster is
started if it is down and left as it was found.
"""

from __future__ import annotations

import argparse
import asyncio

from bench import bank, profile, servers, tools
from bench import wrk as wrk_runs
from bench.cluster import Cluster, _running, ensure_cluster, stop_cluster, wait_until_accepting
from bench.documents import c360_workloads
from bench.exclusive import only_run
from bench.runs import RESULTS


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spy", description=__doc__)
    parser.add_argument("workload", choices=["W1", "W2", "W3"])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--tcp", action="store_true", help="reach the cluster over 127.0.0.1")
    parser.add_argument("--pgdata", default="pgdata", help="the cluster's folder in bench/.tools")
    parser.add_argument("--port", type=int, default=18361)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--native", action="store_true", help="sample C frames too")
    args = parser.parse_args(argv)

    was_running = _running(Cluster((tools.TOOLS_DIR / args.pgdata).resolve(), args.pg_port))
    cluster = ensure_cluster(tools.TOOLS_DIR / args.pgdata, args.pg_port, args.tcp)
    wait_until_accepting(cluster)
    try:
        book = asyncio.run(bank.biggest_book(cluster))
        env = servers.c360_environment(cluster, servers.new_secret(), production=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        loads, _note = servers.trusted_documents(
            env, c360_workloads(book, None), RESULTS / "spy-documents"
        )
        load = next(w for w in loads if w.name == args.workload)
        headers = servers.caller_headers(env, book, ttl_seconds=3600)
        script = wrk_runs.write_script(RESULTS / f"spy-{load.name}.lua", load, headers)
        wrk = tools.wrk()
        with servers.c360(env, port=args.port, workers=1, logs=RESULTS) as server:
            wrk_runs.run(wrk, server.url, script, connections=args.connections, seconds=3)
            children = [p for p in server.root.children(recursive=True) if "python" in p.name()]
            worker = children[-1] if children else server.root  # one worker: uvicorn itself
            output = RESULTS / f"spy-{load.name}.collapsed"
            sampler = profile.start(worker.pid, args.seconds, output, native=args.native)
            if sampler is None:
                raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
            measured = wrk_runs.run(
                wrk, server.url, script, connections=args.connections, seconds=args.seconds + 1
            )
            sampler.wait(timeout=60)
        summary = profile.summarise(output, top=args.top)
    finally:
        if not was_running:
            stop_cluster(cluster)
    print(f"{load.name} at {args.connections} connections: {measured.rps:,.0f} req/s, one worker")
    for kind in ("self", "cumulative"):
        print(f"\n{kind}:")
        for frame, share in summary.get(kind, []):
            print(f"  {share:5.1f} %  {frame}")
    return 0


def main(argv: list[str] | None = None) -> int:
    with only_run():
        return _main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
