"""The bench starts every run with an empty audit trail, so runs do not fill the disk."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bench.bank import empty_audit
from bench.cluster import Cluster
from tests.engines import SERVER_URLS, reachable

SERVER = make_url(SERVER_URLS["postgresql"])


@pytest.mark.skipif(
    not reachable(SERVER_URLS["postgresql"]) and os.environ.get("CI") != "true",
    reason="PostgreSQL is not reachable",
)
def test_the_audit_database_is_made_anew_and_its_size_reported(tmp_path: Path) -> None:
    name = f"c360_test_{uuid.uuid4().hex[:8]}_audit"
    cluster = Cluster(tmp_path, SERVER.port or 5432, tcp=True)

    async def scenario() -> tuple[int, int, list[str]]:
        admin = await asyncpg.connect(cluster.dsn("postgres"))
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        trail = await asyncpg.connect(cluster.dsn(name))
        await trail.execute("CREATE TABLE audit_record (seq bigint PRIMARY KEY, body text)")
        await trail.execute(
            "INSERT INTO audit_record SELECT n, repeat('x', 200) FROM generate_series(1, 5000) n"
        )
        await trail.close()
        held = await empty_audit(cluster, name)
        trail = await asyncpg.connect(cluster.dsn(name))
        try:
            tables = await trail.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            fresh = await trail.fetchval("SELECT pg_database_size(current_database())")
        finally:
            await trail.close()
            admin = await asyncpg.connect(cluster.dsn("postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        return held, fresh, [t["tablename"] for t in tables]

    held, fresh, tables = asyncio.run(scenario())
    # An empty database alone is several MB: what it held beyond one is the 5,000 records
    # (about 1 MB of rows, and their index).
    assert held - fresh > 1_000_000
    assert tables == []  # and they are gone: the next c360 makes its table anew
