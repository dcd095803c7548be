"""``c360 serve --workers N``: connections are dealt evenly to the workers, a dead worker is
replaced, and SIGTERM stops them all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

import httpx
import psutil
import pytest

from gateway.workers import READY, Dealer
from tests.conftest import caller_headers, wait_until_healthy
from tests.engines import fresh_databases

TYPENAME = {"query": "{ __typename }"}


@contextmanager
def dealer_with_workers(count: int) -> Iterator[tuple[Dealer, list[socket.socket], int]]:
    """A dealer on a free port, and the worker ends of ``count`` channels (not yet ready)."""
    listener = socket.create_server(("127.0.0.1", 0))
    dealer = Dealer(listener)
    workers = []
    for _ in range(count):
        ours, theirs = socket.socketpair()
        dealer.attach(ours)
        theirs.settimeout(5)
        workers.append(theirs)
    dealer.start()
    try:
        yield dealer, workers, listener.getsockname()[1]
    finally:
        dealer.stop()
        for worker in workers:
            worker.close()


def connect(port: int, how_many: int, stack: ExitStack) -> None:
    for _ in range(how_many):
        stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))


def dealt(worker: socket.socket, expected: int) -> int:
    """Connections dealt to a worker (received and closed): waits up to 5 s for
    ``expected``, then a moment for any more."""
    count, deadline = 0, time.monotonic() + 5
    while time.monotonic() < deadline:
        worker.settimeout(max(0.01, deadline - time.monotonic()) if count < expected else 0.2)
        try:
            _, fds, _, _ = socket.recv_fds(worker, 1024, 64)
        except TimeoutError:
            break
        if not fds:
            break
        for fd in fds:
            os.close(fd)
        count += len(fds)
    return count


def until_ready(dealer: Dealer, workers: int) -> None:
    """Wait (up to 5 s) for the dealer to count ``workers`` ready ones."""
    deadline = time.monotonic() + 5
    while dealer.ready_workers() != workers and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dealer.ready_workers() == workers


def test_connections_opened_together_are_split_evenly() -> None:
    with dealer_with_workers(2) as (dealer, workers, port), ExitStack() as clients:
        for worker in workers:
            worker.send(READY)
        until_ready(dealer, 2)
        connect(port, 8, clients)
        assert [dealt(worker, 4) for worker in workers] == [4, 4]


def test_a_worker_gets_nothing_before_it_is_ready_or_after_it_is_gone() -> None:
    with dealer_with_workers(2) as (dealer, workers, port), ExitStack() as clients:
        workers[0].send(READY)
        until_ready(dealer, 1)
        connect(port, 4, clients)
        assert [dealt(worker, n) for worker, n in zip(workers, [4, 0], strict=True)] == [4, 0]
        workers[1].send(READY)
        until_ready(dealer, 2)
        workers[0].close()
        until_ready(dealer, 1)
        connect(port, 2, clients)
        assert dealt(workers[1], 2) == 2


def test_no_connection_is_accepted_while_no_worker_is_ready() -> None:
    with dealer_with_workers(1) as (_dealer, workers, port), ExitStack() as clients:
        connect(port, 2, clients)  # the kernel's backlog completes the handshake
        assert dealt(workers[0], 0) == 0
        workers[0].send(READY)
        assert dealt(workers[0], 2) == 2


# The served gateway, end to end: two workers over a small SQLite bank.


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
async def small_bank(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from sources.demo import load_demo_bank

    folder = tmp_path_factory.mktemp("served-bank")
    urls = await fresh_databases("sqlite", folder)
    await load_demo_bank(urls, customers=20, seed=7, as_of=date.today())
    env = dict(os.environ, C360_ENV="development", C360_DATA_DIR=str(folder / "data"))
    for system, url in urls.items():
        env[f"C360_{system.upper()}_DB_URL"] = url
    env["C360_AUDIT_DB_URL"] = f"sqlite:///{folder / 'audit.db'}"
    return env


@contextmanager
def served(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        # The whole group, workers included, even when the supervisor is already gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def worker_pids(process: subprocess.Popen[bytes], count: int, exclude: set[int]) -> list[int]:
    """The supervisor's ``count`` workers (multiprocessing's helper aside); at most 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the supervisor exited"
        pids = [pid for pid in serving(process) if pid not in exclude]
        if len(pids) == count:
            return pids
        time.sleep(0.2)
    raise AssertionError("the workers did not start")


def serving(process: subprocess.Popen[bytes]) -> list[int]:
    pids = []
    for child in psutil.Process(process.pid).children():
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                pids.append(child.pid)
        except psutil.Error:  # gone, or a zombie not yet reaped
            continue
    return pids


def wait_until_dealt(url: str, port: int, pids: list[int]) -> None:
    """Probe with short-lived connections until each worker has been dealt one."""
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while seen != set(pids) and time.monotonic() < deadline:
        with httpx.Client(timeout=10) as probe:
            assert ask(url, [probe]) == [200]
            seen |= {pid for pid in pids if open_connections(pid, port)}
    assert seen == set(pids), "a worker was never dealt a connection"
    time.sleep(0.5)  # the workers close the probes' connections, which must not be counted


def open_connections(pid: int, port: int) -> int | None:
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.NoSuchProcess:
        return None
    return sum(
        1 for c in connections if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port
    )


def ask(url: str, clients: list[httpx.Client]) -> list[int]:
    headers = caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE")
    return [
        client.post(f"{url}/graphql", json=TYPENAME, headers=headers).status_code
        for client in clients
    ]


def test_served_workers_share_connections_evenly_and_survive_a_dead_worker(
    small_bank: dict[str, str],
) -> None:
    with served(small_bank) as (process, url):
        wait_until_healthy(url)
        port = int(url.rsplit(":", 1)[1])
        first = worker_pids(process, 2, exclude=set())
        wait_until_dealt(url, port, first)
        with ExitStack() as stack:
            clients = [stack.enter_context(httpx.Client(timeout=10)) for _ in range(8)]
            assert ask(url, clients) == [200] * 8
            assert sorted(open_connections(pid, port) or 0 for pid in first) == [4, 4]

        os.kill(first[0], signal.SIGKILL)
        (replacement,) = worker_pids(process, 1, exclude=set(first))
        wait_until_dealt(url, port, [first[1], replacement])
        with ExitStack() as stack:
            clients = [stack.enter_context(httpx.Client(timeout=10)) for _ in range(6)]
            assert ask(url, clients) == [200] * 6
            counts = [open_connections(pid, port) for pid in (first[1], replacement)]
            assert counts == [3, 3]

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not psutil.pid_exists(first[1]) and not psutil.pid_exists(replacement)


def test_workers_stop_when_their_supervisor_is_killed(small_bank: dict[str, str]) -> None:
    with served(small_bank) as (process, url):
        wait_until_healthy(url)
        workers = worker_pids(process, 2, exclude=set())
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(running(pid) for pid in workers), "a worker outlived its supervisor"


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
