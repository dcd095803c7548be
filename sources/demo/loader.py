"""Writing the demo bank into the three systems' databases, chunk by chunk."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from types import MappingProxyType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from sources.core import tables as core_tables
from sources.crm import tables as crm_tables
from sources.demo.bank import Bank, Batch
from sources.engine import create_source_engine, create_tables
from sources.wealth import tables as wealth_tables

SYSTEMS: dict[str, MetaData] = {
    "core": core_tables.metadata,
    "wealth": wealth_tables.metadata,
    "crm": crm_tables.metadata,
}
CHUNK_CUSTOMERS = 2_000
ROWS_PER_STATEMENT = 5_000


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo_bank`` wrote: rows per table and how long it took."""

    customers: int
    seed: int
    as_of: dt.date
    rows: Mapping[str, int]
    elapsed_seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


async def load_demo_bank(
    urls: dict[str, str],
    *,
    customers: int = 3000,
    seed: int = 360,
    as_of: dt.date | None = None,
    progress: bool = False,
) -> DemoSummary:
    """Drop and recreate the core, wealth and CRM tables and fill them with a demo bank.

    ``urls`` maps "core", "wealth" and "crm" to database URLs. The same ``customers``,
    ``seed`` and ``as_of`` (the bank's today, default today) always give the same rows.
    """
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    bank = Bank(customers, seed, as_of)
    engines = {name: create_source_engine(urls[name]) for name in SYSTEMS}
    tables = {t.name: (name, t) for name, md in SYSTEMS.items() for t in md.sorted_tables}
    counts = dict.fromkeys(tables, 0)
    try:
        async with AsyncExitStack() as stack:
            connections: dict[str, AsyncConnection] = {}
            for name, engine in engines.items():
                await create_tables(engine, SYSTEMS[name], drop=True)
                conn = await stack.enter_async_context(engine.connect())
                if engine.dialect.name == "sqlite":
                    await conn.exec_driver_sql("PRAGMA synchronous=OFF")
                    await conn.commit()
                connections[name] = conn
            bar = stack.enter_context(_Bar(progress, customers, list(tables)))

            async def write(batch: Batch) -> None:
                for system, conn in connections.items():
                    async with conn.begin():
                        for table_name, rows in batch.items():
                            owner, table = tables[table_name]
                            if owner == system and rows:
                                await _insert(conn, table, rows)
                for table_name, rows in batch.items():
                    counts[table_name] += len(rows)
                    bar.rows(table_name, len(rows))

            await write(bank.reference_rows())
            for size, batch in bank.batches(CHUNK_CUSTOMERS):
                await write(batch)
                bar.customers(size)
    finally:
        for engine in engines.values():
            await engine.dispose()
    return DemoSummary(
        customers=customers,
        seed=seed,
        as_of=as_of,
        rows=MappingProxyType(counts),
        elapsed_seconds=time.perf_counter() - started,
    )


async def _insert(conn: AsyncConnection, table: Table, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        await conn.execute(table.insert(), rows[start : start + ROWS_PER_STATEMENT])


class _Bar:
    """A rich progress display: customers generated and rows written per table (or nothing)."""

    def __init__(self, enabled: bool, customers: int, table_names: list[str]) -> None:
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if not enabled:
            return
        self._progress = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
        )
        self._customers = self._progress.add_task("customers", total=customers)
        for name in table_names:
            self._tasks[name] = self._progress.add_task(name, total=None)

    def __enter__(self) -> _Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def customers(self, count: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._customers, count)

    def rows(self, table_name: str, count: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._tasks[table_name], count)
