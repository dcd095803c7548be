"""Bounded, measured runs: wrk against a server, or the floor's replay, bracketed by meters."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

from bench import bank, hostspeed, serverlog, servers, tools
from bench import wrk as wrk_runs
from bench.cluster import Cluster
from bench.documents import Workload
from bench.floor import capture, save
from bench.meters import (
    PeakRss,
    Snapshot,
    settle,
    snapshot,
    stolen_seconds,
    tree_waiting_seconds,
)
from bench.report import PacedRow, Report, Row

RESULTS = tools.BENCH_DIR / "results"


class Meter:
    """Brackets one measured run: CPU of server and database, statements, other load."""

    def __init__(self, cluster: Cluster, server: Callable[[], psutil.Process]) -> None:
        self.cluster = cluster
        self.server = server
        self.dsn = cluster.dsn("postgres")

    async def take(self) -> tuple[Snapshot, float, float, float]:
        busy = psutil.cpu_times()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        snap = await snapshot(self.server(), self.cluster.postmaster(), self.dsn)
        return (
            snap,
            busy.user + busy.system + busy.nice + busy.irq + busy.softirq,
            children.ru_utime + children.ru_stime,
            stolen_seconds(),
        )


def measured_row(
    system: str,
    workload: str,
    concurrency: int,
    before: tuple[Snapshot, float, float, float],
    after: tuple[Snapshot, float, float, float],
    requests: int,
    seconds: float,
    errors: int,
    p50: float,
    p99: float,
    peak_rss: int,
    server_cpu: float | None = None,
) -> Row:
    (b, b_busy, b_kids, b_stolen), (a, a_busy, a_kids, a_stolen) = before, after
    n = max(requests, 1)
    server = a.server_cpu - b.server_cpu if server_cpu is None else server_cpu
    database = a.db_cpu - b.db_cpu
    load_generator = a_kids - b_kids if server_cpu is None else 0.0
    other = (a_busy - b_busy) - server - database - load_generator
    wall = a.at - b.at
    counted = a.statements.minus(b.statements)
    sources = [bank.database_name(s) for s in bank.SYSTEMS]
    audit = bank.database_name(bank.AUDIT)
    return Row(
        system=system,
        workload=workload,
        concurrency=concurrency,
        requests=requests,
        seconds=seconds,
        errors=errors,
        p50_ms=p50 * 1000,
        p99_ms=p99 * 1000,
        server_cpu_ms=1000 * server / n,
        db_cpu_ms=1000 * database / n,
        statements=sum(counted.total.get(d, 0) for d in sources) / n,
        data_statements=sum(counted.data.get(d, 0) for d in sources) / n,
        audit_statements=counted.total.get(audit, 0) / n,
        peak_rss_mib=peak_rss / 2**20,
        other_cpu_pct=max(0.0, 100 * other / (wall * psutil.cpu_count())) if wall else 0.0,
        stolen_pct=_share_of_cores(a_stolen - b_stolen, wall),
    )


def _share_of_cores(seconds: float, wall: float) -> float:
    return max(0.0, 100 * seconds / (wall * psutil.cpu_count())) if wall else 0.0


def check_answers(
    server: servers.Server, workloads: list[Workload], headers: dict[str, str], notes: list[str]
) -> None:
    """Each workload answers 200 with data and no errors before it is measured."""
    for workload in workloads:
        for body in workload.bodies[:3]:
            answer = httpx.post(
                server.url,
                content=body,
                headers={**headers, "Content-Type": "application/json"},
                timeout=30,
            )
            data = answer.json() if answer.status_code == 200 else {}
            if (
                answer.status_code != 200
                or data.get("errors")
                or not data.get("data")
                or any(v is None for v in data["data"].values())
            ):
                raise SystemExit(
                    f"bench: {server.name} {workload.name} answered {answer.status_code}: "
                    f"{answer.text[:500]}"
                )
        notes.append(f"{server.name} {workload.name}: {len(answer.content):,} bytes per answer")


async def load_runs(
    report: Report,
    server: servers.Server,
    workloads: list[Workload],
    headers: dict[str, str],
    cluster: Cluster,
    args: argparse.Namespace,
    levels: list[int],
    wrk: str,
) -> None:
    meter = Meter(cluster, lambda: server.root)
    for workload in workloads:
        script = wrk_runs.write_script(
            RESULTS / "scripts" / f"{server.name}-{workload.name}.lua", workload, headers
        )
        for level in levels:
            wrk_runs.run(wrk, server.url, script, connections=level, seconds=args.warmup)
            before = await meter.take()
            with PeakRss(lambda: [server.root]) as rss:
                load = wrk_runs.run(
                    wrk, server.url, script, connections=level, seconds=args.duration
                )
            after = await meter.take()
            settle(server.root)
            row = measured_row(
                server.name,
                workload.name,
                level,
                before,
                after,
                load.requests,
                load.seconds,
                load.bad_status + load.socket_errors,
                load.p50,
                load.p99,
                rss.peak,
            )
            report.rows.append(row)
            print_row(row)


PACED_SHARE = 0.7
CALIBRATION_SECONDS = 5.0
CALIBRATIONS = 4


async def paced_runs(
    report: Report,
    server: servers.Server,
    workloads: list[Workload],
    headers: dict[str, str],
    args: argparse.Namespace,
    wrk: str,
) -> None:
    """W1 and W2 at 70 % of the best throughput the open runs reached, over each number of
    connections the open runs used: a few connections model a few busy clients (each waits
    for its answer, so no more than that many requests are ever in flight), many connections
    come close to requests arriving independently. Each connection waits between requests
    (wrk's delay), the wait calibrated on short runs from the latency they see, then
    ``args.paced_rounds`` measured runs."""
    hostspeed.baseline()
    for workload in workloads:
        if workload.name not in ("W1", "W2"):
            continue
        runs = [r for r in report.rows if r.system == server.name and r.workload == workload.name]
        peak = max(runs, key=lambda r: r.rps, default=None)
        if peak is None or not peak.requests:
            continue
        for level in sorted(runs, key=lambda r: r.concurrency):
            for paced in await _paced_run(server, workload, headers, args, wrk, peak, level):
                report.paced.append(paced)
                print(
                    f"  {paced.system:<12} {paced.workload} paced c={paced.connections:<3} "
                    f"round {paced.round}  {paced.rps:8,.0f} req/s "
                    f"({100 * paced.rps / paced.peak_rps:.0f} % of peak)  "
                    f"p50 {paced.p50_ms:7.1f} ms  p99 {paced.p99_ms:7.1f} ms  "
                    f"p99/p50 {paced.spread:.2f}  in the server p50 / p99 "
                    f"{paced.server_latency}  waiting for a core {paced.waiting} ms/req  "
                    f"stolen {paced.stolen}  host slow {paced.host_slow}",
                    flush=True,
                )


async def _paced_run(
    server: servers.Server,
    workload: Workload,
    headers: dict[str, str],
    args: argparse.Namespace,
    wrk: str,
    peak: Row,
    level: Row,
) -> list[PacedRow]:
    """Paced runs over ``level``'s connections at 70 % of ``peak``'s throughput: one
    calibration, then ``args.paced_rounds`` measured runs back to back (a p99 of a run of
    ten seconds rests on its slowest few dozen requests, so one run alone says little)."""
    connections, target = level.concurrency, PACED_SHARE * peak.rps
    latency_ms = level.p50_ms * PACED_SHARE
    script = RESULTS / "scripts" / f"{server.name}-{workload.name}-paced-{connections}.lua"
    delay = max(0.0, 1000 * connections / target - latency_ms)
    stagger = (connections, 1000 * connections / target)  # one cycle of the pacing
    for _ in range(CALIBRATIONS):
        wrk_runs.write_script(script, workload, headers, delay_ms=delay, stagger=stagger)
        load = wrk_runs.run(
            wrk, server.url, script, connections=connections, seconds=CALIBRATION_SECONDS
        )
        if not load.rps or abs(load.rps - target) / target < 0.03:
            break
        latency_ms = max(0.0, 1000 * connections / load.rps - delay)
        delay = max(0.0, 1000 * connections / target - latency_ms)
    else:  # the last correction is measured by the runs themselves
        wrk_runs.write_script(script, workload, headers, delay_ms=delay, stagger=stagger)
    return [
        await _measured_paced_run(server, workload, args, wrk, script, peak, level, number)
        for number in range(1, args.paced_rounds + 1)
    ]


async def _measured_paced_run(
    server: servers.Server,
    workload: Workload,
    args: argparse.Namespace,
    wrk: str,
    script: Path,
    peak: Row,
    level: Row,
    number: int,
) -> PacedRow:
    """Measured run ``number`` of a calibrated pacing script."""
    connections, target = level.concurrency, PACED_SHARE * peak.rps
    log = server.request_log
    logged_from = serverlog.size(log) if log is not None else 0
    waited, stolen, began = tree_waiting_seconds(server.root), stolen_seconds(), time.time()
    with hostspeed.Sampler() as speed:
        load = wrk_runs.run(wrk, server.url, script, connections=connections, seconds=args.duration)
    slow = hostspeed.slow_share(speed.samples)
    waited = tree_waiting_seconds(server.root) - waited
    stolen = _share_of_cores(stolen_seconds() - stolen, time.time() - began)
    inside = serverlog.durations_since(log, logged_from) if log is not None else None
    return PacedRow(
        server.name,
        workload.name,
        connections,
        peak.rps,
        target,
        load.rps,
        load.p50 * 1000,
        load.p99 * 1000,
        load.bad_status + load.socket_errors,
        serverlog.quantile(inside, 0.5) if inside else None,
        serverlog.quantile(inside, 0.99) if inside else None,
        1000 * waited / load.requests if load.requests else None,
        stolen,
        number,
        None if slow is None else 100 * slow,
    )


def print_row(r: Row) -> None:
    print(
        f"  {r.system:<12} {r.workload} c={r.concurrency:<3} {r.rps:8,.0f} req/s  "
        f"p50 {r.p50_ms:7.1f} ms  p99 {r.p99_ms:7.1f} ms  server {r.server_cpu_ms:6.2f} ms/req  "
        f"db {r.db_cpu_ms:5.2f} ms/req  sql {r.statements:5.1f}/req  rss {r.peak_rss_mib:5.0f} MiB"
        f"  errors {r.errors}  other {r.other_cpu_pct:3.0f} %  stolen {r.stolen_pct:3.0f} %",
        flush=True,
    )


async def floor_runs(
    report: Report,
    cluster: Cluster,
    env: dict[str, str],
    caller: dict[str, str],
    loads: list[Workload],
    args: argparse.Namespace,
    levels: list[int],
) -> None:
    """The floor: c360's own statements for W1 and W2, replayed alone (see bench/floor.py)."""
    sql_loads = [w for w in loads if w.name in ("W1", "W2")]
    captured = await capture(env, caller, sql_loads)
    path = RESULTS / "floor-statements.pickle"
    save(captured, path)
    report.notes.append(
        "floor: the SELECTs c360 sent (captured in-process with a SQLAlchemy cursor hook, after "
        "a warm-up request) replayed by one Python process through asyncpg, each virtual user "
        "holding one connection per database and running a request's statements per database "
        "in turn, the databases concurrently; its 'server CPU' is that process's CPU; "
        + ", ".join(f"{k}: {len(v[0])} statements per request" for k, v in captured.items())
    )
    dsns = [f"--dsn={s}={cluster.dsn(bank.database_name(s))}" for s in bank.SYSTEMS]
    meter = Meter(cluster, lambda: psutil.Process())
    print("bench: floor (c360's SQL alone, asyncpg)", flush=True)
    for _round in range(args.rounds):  # the median is kept (Report.keep_medians)
        for workload in sql_loads:
            for level in levels:
                base = [
                    sys.executable,
                    "-m",
                    "bench.floor",
                    str(path),
                    "--workload",
                    workload.name,
                    "--concurrency",
                    str(level),
                    *dsns,
                ]
                subprocess.run(
                    [*base, "--seconds", str(args.warmup)],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    cwd=servers.REPO,
                )
                before = await meter.take()
                done = subprocess.run(
                    [*base, "--seconds", str(args.duration)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=servers.REPO,
                )
                after = await meter.take()
                result = json.loads(done.stdout)
                row = measured_row(
                    "floor",
                    workload.name,
                    level,
                    before,
                    after,
                    result["requests"],
                    result["seconds"],
                    0,
                    result["p50"],
                    result["p99"],
                    0,
                    server_cpu=result["cpu"],
                )
                report.rows.append(row)
                print_row(row)
