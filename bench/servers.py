"""Starting and stopping the systems under test: c360 as the README serves it, PostGraphile."""

from __future__ import annotations

import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.bank import AUDIT, SYSTEMS, Book, database_name
from bench.cluster import Cluster
from bench.documents import Workload
from bench.tools import BENCH_DIR, TOOLS_DIR, package_versions

REPO = BENCH_DIR.parent
C360 = Path(sys.executable).parent / "c360"


@dataclass
class Server:
    """A running server: its root process, its URL and what the report should say of it."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    notes: list[str] = field(default_factory=list)
    request_log: Path | None = None  # where it logs each request's duration_ms (c360's)

    @property
    def root(self) -> psutil.Process:
        return psutil.Process(self.process.pid)


def c360_environment(cluster: Cluster, secret: str, production: bool) -> dict[str, str]:
    """The gateway's settings for the bench: sources, audit, secret, manifest, limits."""
    env = dict(os.environ)
    for system in SYSTEMS:
        env[f"C360_{system.upper()}_DB_URL"] = cluster.url(database_name(system))
    env["C360_AUDIT_DB_URL"] = cluster.url(database_name(AUDIT))
    env["C360_DATA_DIR"] = str(TOOLS_DIR / "c360-data")
    env["C360_TRUSTED_DOCUMENTS"] = str(TOOLS_DIR / "c360-data" / "trusted-documents.json")
    env["C360_JWT_SECRET"] = secret
    env["C360_ENV"] = "production" if production else "development"
    # One subject sending thousands of requests a minute is the load generator, not a user.
    env["C360_RATE_REQUESTS_PER_MINUTE"] = "0"
    env["C360_RATE_CUSTOMERS_PER_MINUTE"] = "0"
    return env


def _has_command(env: dict[str, str], *words: str) -> bool:
    probe = subprocess.run(
        [str(C360), *words, "--help"], env=env, capture_output=True, check=False, cwd=REPO
    )
    return probe.returncode == 0


def trusted_documents(
    env: dict[str, str], workloads: list[Workload], folder: Path
) -> tuple[list[Workload], str]:
    """Register the bench documents when this c360 has trusted documents, and send each by
    its ``documentId`` as a production client would; say what happened."""
    try:
        from gateway.documents import document_hash, register
    except ImportError:
        return workloads, "c360 has no trusted documents: every document runs"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.graphql"):
        stale.unlink()
    for workload in workloads:
        (folder / f"{workload.name}.graphql").write_text(
            json.loads(workload.bodies[0])["query"], encoding="utf-8"
        )
    manifest = Path(env["C360_TRUSTED_DOCUMENTS"])
    if _has_command(env, "documents", "register"):
        subprocess.run(
            [str(C360), "documents", "register", str(folder)],
            env=env,
            check=True,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
        )
        how = "`c360 documents register`"
    else:
        register(folder, manifest)
        how = "gateway.documents.register (no `c360 documents register` command yet)"

    def by_id(body: str) -> str:
        payload = json.loads(body)
        payload["documentId"] = f"sha256:{document_hash(payload.pop('query'))}"
        return json.dumps(payload, separators=(",", ":"))

    rewritten = [Workload(w.name, w.title, tuple(by_id(b) for b in w.bodies)) for w in workloads]
    return rewritten, (
        f"trusted documents: the {len(workloads)} bench documents registered with {how}; "
        "c360 requests send `documentId` and variables (PostGraphile gets the text)"
    )


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"bench: {server.name} exited at start-up (see its log)")
        try:
            if httpx.get(server.url.rsplit("/", 1)[0] + path, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"bench: {server.name} did not become ready within {timeout:.0f} s")


def caller_headers(env: dict[str, str], book: Book, ttl_seconds: int) -> dict[str, str]:
    """The bench's caller: the book's relationship manager, reviewing their own customers,
    with a token the gateway under ``env`` accepts."""
    from gateway.auth import AuthSettings, Role, mint_token

    token = mint_token(
        AuthSettings.from_env(env),
        role=Role.RELATIONSHIP_MANAGER,
        subject=book.rm_id.lower(),
        branch=book.branch,
        rm_id=book.rm_id,
        ttl_seconds=ttl_seconds,
    )
    return {"Authorization": f"Bearer {token}", "X-Access-Purpose": "RELATIONSHIP_REVIEW"}


def interpreter() -> str:
    """The Python c360 runs on, as the report names it: its version and the interpreter the
    venv was made from (the Makefile's choice, which decides much of c360's CPU)."""
    base = getattr(sys, "_base_executable", sys.executable)
    return f"CPython {platform.python_version()} from {os.path.realpath(base)}"


def new_secret() -> str:
    return secrets.token_hex(32)


@contextmanager
def c360(env: dict[str, str], *, port: int, workers: int, logs: Path) -> Iterator[Server]:
    """c360 as the README serves production: `c360 serve --workers N`, C360_ENV=production,
    PostgreSQL sources and audit."""
    notes = [
        "c360: C360_ENV=production (IDE off, a non-demo JWT secret), masking and audit on "
        "(audit in PostgreSQL), per-subject rate limits off (C360_RATE_*_PER_MINUTE=0); "
        f"on {interpreter()}"
    ]
    log = (logs / "c360-server.log").open("wb")
    process = subprocess.Popen(
        [str(C360), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(
        "c360", process, f"http://127.0.0.1:{port}/graphql", notes, logs / "c360-server.log"
    )
    try:
        _wait_ready(server, "/readyz")
        _wait_for_workers(server, workers)
        yield server
    finally:
        _stop(process)
        log.close()


def _wait_for_workers(server: Server, workers: int, timeout: float = 30.0) -> None:
    """Uvicorn's supervisor answers through whichever worker is up first; wait for all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(server.root.children(recursive=True)) >= workers:
            time.sleep(2.0)
            return
        time.sleep(0.3)


@contextmanager
def postgraphile(
    cluster: Cluster, node: Path, *, port: int, workers: int, logs: Path
) -> Iterator[Server]:
    """PostGraphile 5 (amber preset, GraphiQL off) over the bench core database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=cluster.url(database_name("core")),
        BENCH_PORT=str(port),
        BENCH_WORKERS=str(workers),
        NODE_ENV="production",
    )
    log = (logs / "postgraphile-server.log").open("wb")
    process = subprocess.Popen(
        [str(node), str(TOOLS_DIR / "postgraphile_server.mjs")],
        env=env,
        cwd=TOOLS_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(
        "PostGraphile",
        process,
        f"http://127.0.0.1:{port}/graphql",
        [
            f"PostGraphile 5, amber preset, {workers} node:cluster workers, core database only"
            f" ({package_versions()})"
        ],
    )
    try:
        _wait_ready(server, "/graphql")
        _wait_for_workers(server, workers)
        yield server
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (it was started in a session of its own)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
