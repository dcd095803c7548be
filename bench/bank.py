"""The demo bank at the benchmark's scale, loaded once per (customers, seed) and reused."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

import asyncpg

from bench.cluster import Cluster
from sources.demo import load_demo_bank
from sources.demo.loader import SYSTEMS as METADATA

SYSTEMS = ("core", "wealth", "crm")
AUDIT = "audit"
MARKER = "bench_bank"

# PostGraphile exposes a relation only where a foreign key declares it; the demo schema has
# none (each system keys by customer number), so the bench core database gets these.
FOREIGN_KEYS = (
    "ALTER TABLE dcc_account ADD CONSTRAINT bench_account_party "
    "FOREIGN KEY (cust_no) REFERENCES dcc_party (cust_no)",
    "ALTER TABLE dcc_transaction ADD CONSTRAINT bench_transaction_account "
    "FOREIGN KEY (acct_id) REFERENCES dcc_account (acct_id)",
)


def schema_fingerprint() -> str:
    """A digest of the three systems' tables as the code declares them: a column added by
    another change makes the bench reload rather than serve a stale schema."""
    parts = []
    for name, metadata in sorted(METADATA.items()):
        for table in metadata.sorted_tables:
            columns = ",".join(f"{c.name}:{c.type}" for c in table.columns)
            indexes = ",".join(
                sorted(str(sorted(c.name for c in i.columns)) for i in table.indexes)
            )
            parts.append(f"{name}.{table.name}({columns})[{indexes}]")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def database_name(system: str) -> str:
    return f"c360_bench_{system}"


@dataclass(frozen=True)
class Book:
    """The relationship manager the benchmark acts as: the one with the biggest book."""

    rm_id: str
    branch: str
    customers: tuple[str, ...]


async def ensure_bank(cluster: Cluster, customers: int, seed: int) -> tuple[bool, float]:
    """Create the bench databases if missing and load the bank unless already there.

    Returns (loaded now, seconds spent). The marker (scale, seed and a digest of the tables'
    declaration) is written last, so an interrupted load is redone on the next run.
    """
    admin = await asyncpg.connect(cluster.dsn("postgres"))
    try:
        existing = {r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")}
        for system in (*SYSTEMS, AUDIT):
            if database_name(system) not in existing:
                await admin.execute(f'CREATE DATABASE "{database_name(system)}"')
    finally:
        await admin.close()
    core = await asyncpg.connect(cluster.dsn(database_name("core")))
    try:
        await core.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (customers int NOT NULL, seed int NOT NULL, "
            "as_of date NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        await core.execute(f"ALTER TABLE {MARKER} ADD COLUMN IF NOT EXISTS fingerprint text")
        marker = await core.fetchrow(f"SELECT customers, seed, fingerprint FROM {MARKER}")
        wanted = (customers, seed, schema_fingerprint())
        if marker is not None and tuple(marker) == wanted:
            return False, 0.0
        await core.execute(f"DELETE FROM {MARKER}")
    finally:
        await core.close()

    print(f"bench: loading the demo bank, {customers:,} customers (seed {seed})", flush=True)
    urls = {system: cluster.url(database_name(system)) for system in SYSTEMS}
    summary = await load_demo_bank(urls, customers=customers, seed=seed, progress=True)
    core = await asyncpg.connect(cluster.dsn(database_name("core")))
    try:
        for statement in FOREIGN_KEYS:
            await core.execute(statement)
        await core.execute(
            f"INSERT INTO {MARKER} (customers, seed, as_of, fingerprint) VALUES ($1, $2, $3, $4)",
            customers,
            seed,
            summary.as_of,
            schema_fingerprint(),
        )
    finally:
        await core.close()
    await asyncio.gather(*(_analyze(cluster, system) for system in SYSTEMS))
    return True, summary.elapsed_seconds


async def empty_audit(cluster: Cluster, name: str = database_name(AUDIT)) -> int:
    """Start a run with an empty audit trail: the bench's audit database is made anew, and
    how many bytes it held is returned. Each run appends a record per customer answered
    (some 1.5 GB an hour of W2), so a reused trail would fill the disk over a few runs and
    make later runs append to ever bigger indexes than earlier ones."""
    admin = await asyncpg.connect(cluster.dsn("postgres"))
    try:
        held = await admin.fetchval(
            "SELECT pg_database_size(datname) FROM pg_database WHERE datname = $1", name
        )
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return int(held or 0)


async def _analyze(cluster: Cluster, system: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(database_name(system)))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def biggest_book(cluster: Cluster) -> Book:
    """The RM with the most assigned customers, their branch and their customer numbers."""
    crm = await asyncpg.connect(cluster.dsn(database_name("crm")))
    try:
        top = await crm.fetchrow(
            "SELECT a.rm_id, r.branch_code, count(*) AS n FROM crm_assignment a "
            "JOIN crm_rm r USING (rm_id) GROUP BY a.rm_id, r.branch_code "
            "ORDER BY n DESC, a.rm_id LIMIT 1"
        )
        assert top is not None, "the demo bank has no assignments"
        rows = await crm.fetch(
            "SELECT cust_no FROM crm_assignment WHERE rm_id = $1 AND branch_code = $2 "
            "ORDER BY cust_no",
            top["rm_id"],
            top["branch_code"],
        )
    finally:
        await crm.close()
    return Book(top["rm_id"], top["branch_code"], tuple(r["cust_no"] for r in rows))
