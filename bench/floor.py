"""The floor: the very SQL statements c360 sends for a request, replayed alone through asyncpg.

``capture`` runs c360 in-process (after a warm-up request, so the per-process reference cache
is loaded) and records each statement with its parameters as the driver receives them.
``python -m bench.floor CAPTURE --concurrency N --seconds S`` replays one workload's requests
in a loop at that concurrency (the three databases concurrently, as c360 reads the three
systems concurrently) and prints what it measured as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import pickle
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.documents import Workload
from sources.sessions import open_session

Statement = tuple[str, str, tuple[Any, ...]]  # (source, SQL with $n, parameters)


async def capture(
    env: dict[str, str],
    caller: dict[str, str],
    workloads: list[Workload],
    per_workload: int = 20,
) -> dict[str, list[list[Statement]]]:
    """For each workload, the statements of up to ``per_workload`` of its requests, sent
    with the ``caller``'s headers."""
    from gateway.audit import AuditTrail
    from gateway.auth import AuthSettings
    from gateway.config import Settings
    from sources import Sources

    # The in-process app reads some settings (manifest, rate limits) from os.environ itself.
    os.environ.update(env)
    settings = Settings.from_env(env)
    sources = Sources.from_urls(settings.source_urls)
    audit = AuditTrail(settings.audit_db_url, flush_interval=settings.audit_flush_seconds)
    await audit.start()
    from gateway.app import create_app

    app = create_app(settings, sources, auth=AuthSettings.from_env(env), audit=audit)
    # After create_app, whose configure_logging sets the level from C360_LOG_LEVEL: no request
    # log lines in the bench's output.
    logging.getLogger("c360").setLevel(logging.WARNING)
    recorded: list[Statement] = []
    for source in sources.all():

        def hook(statement: str, parameters: Any, _name: str = source.name) -> None:
            recorded.append((_name, statement, tuple(parameters or ())))

        source.statement_hooks.append(hook)
    headers = {**caller, "Content-Type": "application/json"}
    captured: dict[str, list[list[Statement]]] = {}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            for workload in workloads:
                captured[workload.name] = []
                for body in (workload.bodies[0], *workload.bodies[:per_workload]):
                    recorded.clear()
                    answer = await client.post("/graphql", content=body, headers=headers)
                    answer.raise_for_status()
                    captured[workload.name].append(list(recorded))
                captured[workload.name].pop(0)  # the warm-up request
                if not any(captured[workload.name]):
                    raise RuntimeError(
                        f"no statement captured for {workload.name}: bench/floor.py listens "
                        "on each source's statement_hooks"
                    )
    finally:
        await audit.close()
        await sources.dispose()
    return captured


def save(captured: dict[str, list[list[Statement]]], path: Path) -> None:
    path.write_bytes(pickle.dumps(captured))


async def replay(
    requests: Sequence[list[Statement]], dsns: dict[str, str], concurrency: int, seconds: float
) -> dict[str, Any]:
    """Each virtual user holds one connection per database (no pool, so no reset statements
    between uses) and runs a request's statements per database in turn, the databases
    concurrently. Each session is set up as c360's lane sets up its own."""
    users = [
        {name: await open_session(dsn) for name, dsn in dsns.items()} for _ in range(concurrency)
    ]
    grouped = [
        {
            name: [(sql, params) for source, sql, params in request if source == name]
            for name in dsns
        }
        for request in requests
    ]
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def on(conn: asyncpg.Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        for sql, params in statements:
            await conn.fetch(sql, *params)

    async def user(offset: int) -> None:
        connections = users[offset]
        i = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            request = grouped[i % len(grouped)]
            await asyncio.gather(*(on(connections[n], todo) for n, todo in request.items() if todo))
            latencies.append(time.perf_counter() - started)
            i += 1

    cpu0, t0 = os.times(), time.perf_counter()
    await asyncio.gather(*(user(k) for k in range(concurrency)))
    cpu1, elapsed = os.times(), time.perf_counter() - t0
    for connections in users:
        for conn in connections.values():
            await conn.close()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        "p50": pct(0.50),
        "p99": pct(0.99),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("capture", type=Path)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--dsn", action="append", default=[], help="source=postgresql://...")
    args = parser.parse_args(argv)
    captured = pickle.loads(args.capture.read_bytes())
    dsns = dict(item.split("=", 1) for item in args.dsn)
    result = asyncio.run(replay(captured[args.workload], dsns, args.concurrency, args.seconds))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
