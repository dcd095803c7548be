"""``make bench`` / ``python -m bench``: c360, PostGraphile 5 and the floor, side by side.

Builds (or reuses) the demo bank in the benchmark's own PostgreSQL cluster, serves c360 as
the README serves production and PostGraphile over the core database, loads each with wrk
over loopback in bounded runs, replays c360's own SQL alone, and writes bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
from contextlib import ExitStack
from datetime import UTC, datetime

import psutil

from bench import bank, profile, servers, tools
from bench import wrk as wrk_runs
from bench.agenda import agenda_body
from bench.cluster import Cluster, ensure_cluster, stop_cluster, wait_until_accepting
from bench.documents import Workload, c360_workloads, postgraphile_workloads
from bench.exclusive import only_run
from bench.report import Report
from bench.runs import RESULTS, check_answers, floor_runs, load_runs, paced_runs

SYSTEMS = ("c360", "postgraphile", "floor")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench BENCH_ARGS=...", description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000, help="10000, 100000, 1000000")
    parser.add_argument("--seed", type=int, default=360)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of each workload, reported by their median"
    )
    parser.add_argument("--concurrency", default="8,32", help="connections, comma-separated")
    parser.add_argument("--workers", type=int, default=2, help="server processes per system")
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--pg-port", type=int, default=5433, help="the bench PostgreSQL cluster")
    parser.add_argument(
        "--pgdata",
        default="pgdata",
        help="the cluster's folder under bench/.tools (one per scale keeps each loaded bank)",
    )
    parser.add_argument(
        "--tcp",
        action="store_true",
        help="every system reaches the cluster over 127.0.0.1 rather than its Unix socket",
    )
    parser.add_argument("--c360-port", type=int, default=18360)
    parser.add_argument("--postgraphile-port", type=int, default=15678)
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument(
        "--no-paced", action="store_true", help="skip the runs paced to 70 %% of peak"
    )
    parser.add_argument(
        "--paced-rounds",
        type=int,
        default=3,
        help="measured runs of each paced level after one calibration, reported by their median",
    )
    parser.add_argument(
        "--keep-postgres", action="store_true", help="leave the bench PostgreSQL cluster running"
    )
    args = parser.parse_args(argv)
    if args.paced_rounds < 1:
        parser.error("--paced-rounds must be at least 1")
    return args


async def profile_c360(
    server: servers.Server,
    workload: Workload,
    headers: dict[str, str],
    level: int,
    seconds: float,
    wrk: str,
) -> dict[str, list[tuple[str, float]]]:
    """py-spy samples one worker while wrk loads W2 (at the lowest concurrency, where requests
    still complete); a summary of where its time goes."""
    workers = [p for p in server.root.children(recursive=True) if "python" in p.name()]
    if not workers:
        return {}
    output = RESULTS / "c360-w2.collapsed"
    sampler = profile.start(workers[-1].pid, seconds, output)
    if sampler is None:
        return {}
    script = RESULTS / "scripts" / f"c360-{workload.name}.lua"
    wrk_runs.run(wrk, server.url, script, connections=level, seconds=seconds + 1)
    sampler.wait(timeout=60)
    return profile.summarise(output) if output.exists() else {}


async def main_async(args: argparse.Namespace, cluster: Cluster) -> Report:
    levels = [int(x) for x in args.concurrency.split(",")]
    chosen = {w.strip().upper() for w in args.workloads.split(",")}
    systems = {s.strip().lower() for s in args.systems.split(",")}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scripts").mkdir(exist_ok=True)
    wrk = tools.wrk()
    node = tools.node() if "postgraphile" in systems else None

    loaded, load_seconds = await bank.ensure_bank(cluster, args.customers, args.seed)
    emptied = await bank.empty_audit(cluster)
    book = await bank.biggest_book(cluster)
    report = Report(
        settings={
            "customers": args.customers,
            "seed": args.seed,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "warmup_s": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "started": stamp,
        }
    )
    notes = report.notes
    notes.append(
        f"demo bank {'loaded now in ' + format(load_seconds, '.0f') + ' s' if loaded else 'reused'}"
        f" ({args.customers:,} customers, seed {args.seed}) in the bench's own PostgreSQL "
        f"cluster on port {cluster.port} (pg_stat_statements preloaded); every system "
        + (
            "connects to it over TCP on 127.0.0.1"
            if cluster.tcp
            else "connects to it through its Unix socket, as a database on the same host is "
            "best reached (`--tcp`: over 127.0.0.1)"
        )
    )
    notes.append(
        f"audit trail emptied before the run (its database held {emptied / 2**20:,.0f} MiB); "
        "c360 starts a new chain in it"
    )
    notes.append(
        f"caller: RELATIONSHIP_MANAGER {book.rm_id} of {book.branch} (the biggest book, "
        f"{len(book.customers):,} customers), purpose RELATIONSHIP_REVIEW; W1 rotates "
        f"through {min(len(book.customers), 200)} of them"
    )
    notes.append(
        "load generator: wrk (1 thread, keep-alive connections = concurrency) over loopback; "
        f"{args.warmup:g} s warm-up, then {args.duration:g} s measured, per workload and "
        f"concurrency, in {args.rounds} rounds with the systems taking turns; each line is the "
        "round of median server CPU per request"
    )
    notes.append(
        "server CPU = user+sys of every process of the server (psutil, /proc); DB CPU = every "
        "process of the bench cluster; statements = pg_stat_statements calls to the three "
        "source databases (exact; BEGIN/ROLLBACK included, SELECTs in brackets); audit "
        "statements count an executemany INSERT once per row, so they are audit rows written"
    )
    load_avg = os.getloadavg()
    notes.append(
        f"load average at start {load_avg[0]:.2f}; 'other CPU' = the share of both cores busy "
        "with processes outside the run (other engineers' tests, the load generator excluded); "
        "'stolen' = the share of both cores' time the hypervisor ran other guests while this "
        "machine wanted it (/proc/stat's steal): a run with much of it measured a busy host"
    )
    agenda = None
    if "W4" in chosen:
        agenda, agenda_note = agenda_body(datetime.now(UTC).date())
        notes.append(agenda_note)
    c360_loads = [w for w in c360_workloads(book, agenda) if w.name in chosen]
    pg_loads = [w for w in postgraphile_workloads(book) if w.name in chosen]

    env = servers.c360_environment(cluster, servers.new_secret(), production=True)
    c360_loads, documents_note = servers.trusted_documents(env, c360_loads, RESULTS / "documents")
    notes.append(documents_note)
    headers = servers.caller_headers(env, book, ttl_seconds=24 * 3600)
    with ExitStack() as stack:
        # Both servers stay up and take turns, workload by workload and concurrency by
        # concurrency: the machine's speed drifts over minutes, and a ratio should compare
        # runs made under the same conditions.
        runners: list[tuple[servers.Server, list[Workload], dict[str, str]]] = []
        if "c360" in systems:
            server = stack.enter_context(
                servers.c360(env, port=args.c360_port, workers=args.workers, logs=RESULTS)
            )
            notes.extend(server.notes)
            check_answers(server, c360_loads, headers, notes)
            runners.append((server, c360_loads, headers))
        if node is not None:
            pg = stack.enter_context(
                servers.postgraphile(
                    cluster, node, port=args.postgraphile_port, workers=args.workers, logs=RESULTS
                )
            )
            notes.extend(pg.notes)
            check_answers(pg, pg_loads, {}, notes)
            runners.append((pg, pg_loads, {}))
        print(
            f"bench: {', '.join(r[0].name for r in runners)} ({args.workers} workers each), "
            "taking turns",
            flush=True,
        )
        for _round in range(args.rounds):
            for name in sorted({w.name for _, loads, _ in runners for w in loads}):
                for level in levels:
                    for runner, loads, sent in runners:
                        these = [w for w in loads if w.name == name]
                        await load_runs(report, runner, these, sent, cluster, args, [level], wrk)
        report.keep_medians()
        if not args.no_paced:
            for runner, loads, runner_headers in runners:
                await paced_runs(report, runner, loads, runner_headers, args, wrk)
        w2 = [w for w in c360_loads if w.name == "W2"]
        if "c360" in systems and w2 and not args.no_profile:
            report.profile = await profile_c360(runners[0][0], w2[0], headers, min(levels), 10, wrk)
    if "floor" in systems:
        await floor_runs(report, cluster, env, headers, c360_loads, args, levels)
        report.keep_medians()
    report.write(RESULTS, stamp)
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with only_run():
        cluster = ensure_cluster(tools.TOOLS_DIR / args.pgdata, args.pg_port, args.tcp)
        try:
            wait_until_accepting(cluster)
            report = asyncio.run(main_async(args, cluster))
        finally:
            if not args.keep_postgres:
                stop_cluster(cluster)
    print()
    print(report.markdown())
    print(f"bench: {time.perf_counter() - started:.0f} s; results in {RESULTS}/latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
