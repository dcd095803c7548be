"""``python -m bench.cost W1``: c360's own CPU per request, in-process, without HTTP.

The bench measures whole servers under wrk, where the machine's noise moves a figure by
20–40 % between runs. To compare two versions of the code, this serves one workload's
bodies straight into the ASGI app (no sockets, no uvicorn, no load generator sharing the
cores) over the bench cluster's demo bank, as production serves it (trusted documents,
masking and audit on, on uvloop as uvicorn runs it), and prints the process CPU per request
over several rounds: the median and the spread. ``--profile`` prints cProfile's heaviest
functions instead (cProfile slows every call, so its times are only relative);
``--reads-from-memory`` answers each source read from memory after its first time, which
leaves what the rest of a request costs. Run ``make bench`` once first.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import statistics
import time
from typing import Any

from bench import bank, servers, tools
from bench.cluster import Cluster, _running, ensure_cluster, stop_cluster, wait_until_accepting
from bench.documents import c360_workloads
from bench.exclusive import only_run
from bench.runs import RESULTS


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost", description=__doc__)
    parser.add_argument("workload", choices=["W1", "W2", "W3"])
    parser.add_argument("--requests", type=int, default=0, help="per round (default by size)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=200, help="requests before the rounds")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--tcp", action="store_true", help="reach the cluster over 127.0.0.1")
    parser.add_argument("--pgdata", default="pgdata", help="the cluster's folder in bench/.tools")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime", help="cProfile's order (e.g. cumulative)")
    parser.add_argument(
        "--reads-from-memory",
        action="store_true",
        help="answer each source read from memory after its first time (what the rest costs)",
    )
    args = parser.parse_args(argv)
    requests = args.requests or {"W1": 2000, "W2": 200, "W3": 5000}[args.workload]

    cluster = Cluster((tools.TOOLS_DIR / args.pgdata).resolve(), args.pg_port)
    was_running = _running(cluster)
    cluster = ensure_cluster(tools.TOOLS_DIR / args.pgdata, args.pg_port, args.tcp)
    wait_until_accepting(cluster)
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_measure(cluster, args, requests))
    finally:
        if not was_running:
            stop_cluster(cluster)
    return 0


async def _measure(cluster: Cluster, args: argparse.Namespace, requests: int) -> None:
    book = await bank.biggest_book(cluster)
    env = servers.c360_environment(cluster, servers.new_secret(), production=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    loads, _note = servers.trusted_documents(
        env, c360_workloads(book, None), RESULTS / "cost-documents"
    )
    load = next(w for w in loads if w.name == args.workload)
    os.environ.update(env)
    caller_headers = servers.caller_headers(env, book, ttl_seconds=3600)

    from gateway.app import create_app

    headers = [
        *((name.lower().encode(), value.encode()) for name, value in caller_headers.items()),
        (b"content-type", b"application/json"),
        (b"accept", b"application/graphql-response+json"),
    ]
    if args.reads_from_memory:
        _remember_reads()
    app = create_app()
    bodies = [body.encode() for body in load.bodies]
    async with _lifespan(app):
        await _send_all(app, headers, bodies, args.warmup, args.concurrency)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await _send_all(app, headers, bodies, requests, args.concurrency)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
            return
        costs = []
        for _ in range(args.rounds):
            started = time.process_time()
            await _send_all(app, headers, bodies, requests, args.concurrency)
            costs.append((time.process_time() - started) * 1000 / requests)
    spread = ", ".join(f"{c:.3f}" for c in costs)
    print(
        f"{load.name} at {args.concurrency} concurrent, {requests} requests a round: "
        f"median {statistics.median(costs):.3f} ms CPU/request (rounds: {spread})"
    )


def _remember_reads() -> None:
    """Every source read answered from memory after its first time: the request's cost
    without the databases, asyncpg, the source guard or the reads' tasks waiting."""
    from sources.base import Source

    read_keys = Source.read_keys
    answers: dict[tuple[Any, ...], list[Any]] = {}

    async def remembered(self: Source, statement: Any, keys: Any, **params: Any) -> list[Any]:
        key = (self.name, id(statement), tuple(keys), repr(sorted(params.items())))
        if key not in answers:
            answers[key] = await read_keys(self, statement, keys, **params)
        return answers[key]

    Source.read_keys = remembered  # type: ignore[method-assign]


def _loop_factory() -> Any:
    """uvloop's loop when installed, as uvicorn serves with it (``loop="auto"``)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


class _lifespan:
    """Runs the app's ASGI lifespan (sources, audit trail, gc.freeze) around the rounds."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def __aenter__(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        message = await self.outbox.get()
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"c360 did not start: {message}")

    async def __aexit__(self, *_exc: object) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.outbox.get()
        await self.task


async def _send_all(
    app: Any, headers: list[tuple[bytes, bytes]], bodies: list[bytes], n: int, concurrency: int
) -> None:
    counter = iter(range(n))

    async def client() -> None:
        for i in counter:
            status = await _post(app, headers, bodies[i % len(bodies)])
            if status != 200:
                raise RuntimeError(f"c360 answered {status}")

    await asyncio.gather(*(client() for _ in range(concurrency)))
    gc.collect(0)


async def _post(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 18360),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # a disconnect never comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def main(argv: list[str] | None = None) -> int:
    with only_run():
        return _main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
