"""Paced bench runs start their connections spread over one cycle, not all at once."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest

from bench import wrk as wrk_runs
from bench.documents import Workload

WRK = shutil.which("wrk")
CONNECTIONS = 8
DELAY_MS = 200.0


async def first_arrivals(script: Path) -> list[float]:
    """When the first request of each of wrk's connections reached a local server."""
    arrivals: list[float] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                arrivals.append(time.monotonic())
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    assert WRK is not None, "wrk is not installed; under CI, `make test` installs it"
    wrk = await asyncio.create_subprocess_exec(
        WRK,
        "-t1",
        f"-c{CONNECTIONS}",
        "-d1s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/graphql",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await wrk.wait()
    server.close()
    await server.wait_closed()
    return sorted(arrivals)[:CONNECTIONS]


# CI installs wrk before the suite (`make test`), so there a missing wrk fails this test.
@pytest.mark.skipif(
    WRK is None and os.environ.get("CI") != "true",
    reason="wrk is not installed (the bench and CI install it)",
)
def test_a_paced_runs_first_requests_are_spread_over_one_cycle(tmp_path: Path) -> None:
    workload = Workload("W1", "one customer 360", ('{"query":"{ __typename }"}',))
    in_step = wrk_runs.write_script(tmp_path / "fixed.lua", workload, {}, delay_ms=DELAY_MS)
    staggered = wrk_runs.write_script(
        tmp_path / "staggered.lua",
        workload,
        {},
        delay_ms=DELAY_MS,
        stagger=(CONNECTIONS, DELAY_MS),
    )
    together = asyncio.run(first_arrivals(in_step))
    spread = asyncio.run(first_arrivals(staggered))
    assert len(together) == len(spread) == CONNECTIONS
    # One fixed delay: every connection's first request lands within a few milliseconds.
    assert together[-1] - together[0] < 0.03
    # Staggered: drawn over 200 ms, eight first requests span 30 ms or less about once in
    # 80,000 runs.
    assert spread[-1] - spread[0] > 0.03
