"""A PostgreSQL cluster of the benchmark's own, under bench/.tools/.

Its own cluster, not the shared server on 5432, so that the postgres processes whose CPU is
measured serve nobody but the benchmark, and so that pg_stat_statements (which must be
preloaded at start) counts every statement exactly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SETTINGS = {
    "shared_preload_libraries": "'pg_stat_statements'",
    "pg_stat_statements.track": "all",
    "pg_stat_statements.track_utility": "on",
    "pg_stat_statements.max": "10000",
    "max_connections": "300",
    "shared_buffers": "512MB",
    "listen_addresses": "'127.0.0.1'",
    "log_min_messages": "warning",
}


@dataclass(frozen=True)
class Cluster:
    """A running PostgreSQL cluster the benchmark owns."""

    data_dir: Path
    port: int
    tcp: bool = False  # reach it over loopback TCP rather than its Unix socket

    def url(self, database: str) -> str:
        """How every system in the run connects: through the cluster's Unix socket, as a
        database on the same host is best reached (``tcp``: over 127.0.0.1 instead)."""
        if self.tcp:
            return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
        return f"postgresql://postgres@/{database}?host={self.data_dir}&port={self.port}"

    def dsn(self, database: str) -> str:
        """The URL asyncpg and node-postgres take."""
        return self.url(database)

    def postmaster(self) -> psutil.Process:
        pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        return psutil.Process(pid)


def _bindir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise SystemExit("bench: PostgreSQL server binaries (initdb, pg_ctl) not found")


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def ensure_cluster(data_dir: Path, port: int, tcp: bool = False) -> Cluster:
    """Create the cluster on first use, start it if it is down, and return it."""
    bindir = _bindir()
    cluster = Cluster(data_dir.resolve(), port, tcp)
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data_dir, "postgres", "postgres")
        print(f"bench: creating a PostgreSQL cluster in {data_dir}", flush=True)
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(cluster.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        conf = "\n".join(f"{key} = {value}" for key, value in SETTINGS.items())
        with (cluster.data_dir / "postgresql.auto.conf").open("a") as handle:
            handle.write(f"\nport = {port}\nunix_socket_directories = '{cluster.data_dir}'\n")
            handle.write(conf + "\n")
    if not _running(cluster):
        log = cluster.data_dir / "server.log"
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(cluster.data_dir),
                    "-l",
                    str(log),
                    "-o",
                    f"-p {port}",
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return cluster


def _running(cluster: Cluster) -> bool:
    """Whether pg_ctl finds the cluster's postmaster running."""
    status = subprocess.run(
        _as_postgres([str(_bindir() / "pg_ctl"), "-D", str(cluster.data_dir), "status"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return status.returncode == 0


def stop_cluster(cluster: Cluster) -> None:
    """Stop the cluster at the end of a run (unless ``--keep-postgres``); its data stays, so
    the next run starts it again in a second or two and reuses the loaded bank."""
    subprocess.run(
        _as_postgres(
            [str(_bindir() / "pg_ctl"), "-D", str(cluster.data_dir), "-m", "fast", "stop"]
        ),
        check=False,
        stdout=subprocess.DEVNULL,
    )


def wait_until_accepting(cluster: Cluster, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            subprocess.run(
                [str(_bindir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(cluster.port)],
                stdout=subprocess.DEVNULL,
                check=False,
            ).returncode
            == 0
        ):
            return
        time.sleep(0.5)
    raise SystemExit(f"bench: PostgreSQL on port {cluster.port} does not accept connections")
