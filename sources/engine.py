"""Async engines for the source databases, whichever engine a URL names."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
}


def async_url(url: str | URL) -> URL:
    """The URL with the async driver this project uses for its dialect.

    Users may write plain ``postgresql://`` or ``mysql://`` URLs; the driver is ours to pick.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if parsed.drivername == backend or backend == "mariadb":
        parsed = parsed.set(drivername=_ASYNC_DRIVERS.get(backend, parsed.drivername))
    if parsed.get_backend_name() == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def create_source_engine(url: str | URL, *, pool_size: int = 5) -> AsyncEngine:
    """An engine for one source database.

    SQLite files get their folder created; server databases get a bounded pool with
    pre-ping, so a restarted database is noticed rather than failing the first request.
    """
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # A statement's parameters are customer data; database errors must not carry them
        # into logs.
        hide_parameters=True,
    )


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same pool in autocommit mode: reads send no BEGIN/ROLLBACK around each batch."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_read_engine(url: str | URL, *, pool_size: int = 5) -> AsyncEngine:
    """A pool of its own for reads, autocommit from the moment a connection is made.

    On a server database the write pool's pre-ping would run inside a BEGIN/ROLLBACK on
    every checkout (the connection is not yet autocommit when it is pinged): three round
    trips per batch. Reads skip the ping instead; a dead connection fails the read, is
    discarded, and the source guard's retry takes a fresh one.
    """
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        return read_only(create_source_engine(parsed))
    return create_async_engine(
        parsed,
        isolation_level="AUTOCOMMIT",
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        hide_parameters=True,
    )


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def create_tables(engine: AsyncEngine, metadata: MetaData, *, drop: bool = False) -> None:
    """Create a system's tables (dropping them first when asked)."""
    async with engine.begin() as conn:
        if drop:
            await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
