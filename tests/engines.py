"""The database engines the suite runs against, and fresh databases on each.

SQLite always; PostgreSQL and MariaDB whenever their servers answer. Under CI (``CI=true``)
an unreachable server is a failure, not a skip: CI must exercise all three engines.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from sources.engine import async_url

SYSTEMS = ("core", "wealth", "crm")
SERVER_URLS = {
    "postgresql": os.environ.get(
        "C360_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    "mariadb": os.environ.get("C360_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/mysql"),
}


def reachable(url: str) -> bool:
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 0), 0.5):
            return True
    except OSError:
        return False


def engines_under_test() -> list[str]:
    """sqlite plus every server engine that answers (all of them, under CI).

    ``C360_TEST_ENGINES=sqlite`` (a comma-separated list) narrows a local run; CI ignores it.
    """
    chosen = os.environ.get("C360_TEST_ENGINES")
    if chosen and os.environ.get("CI") != "true":
        return [name.strip() for name in chosen.split(",") if name.strip()]
    names = ["sqlite"]
    for name, url in SERVER_URLS.items():
        if reachable(url) or os.environ.get("CI") == "true":
            names.append(name)
    return names


async def fresh_databases(engine_name: str, folder: Path) -> dict[str, str]:
    """Three new, empty databases (core, wealth, crm) on an engine; their URLs by system."""
    if engine_name == "sqlite":
        return {system: f"sqlite:///{folder / system}.db" for system in SYSTEMS}
    server = make_url(SERVER_URLS[engine_name])
    tag = uuid.uuid4().hex[:8]
    names = {system: f"c360_test_{tag}_{system}" for system in SYSTEMS}
    admin = create_async_engine(async_url(server), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for name in names.values():
                suffix = " CHARACTER SET utf8mb4" if engine_name == "mariadb" else ""
                await conn.execute(text(f"CREATE DATABASE {name}{suffix}"))
    finally:
        await admin.dispose()
    return {
        system: server.set(database=name).render_as_string(hide_password=False)
        for system, name in names.items()
    }


async def drop_databases(engine_name: str, urls: dict[str, str]) -> None:
    """Drop databases made by :func:`fresh_databases` (nothing to do for SQLite)."""
    if engine_name == "sqlite":
        return
    admin = create_async_engine(async_url(SERVER_URLS[engine_name]), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for url in urls.values():
                await conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database}"))
    finally:
        await admin.dispose()
