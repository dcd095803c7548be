"""Reading the source databases directly, so tests compute expectations independently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from sources import Sources


async def rows(sources: Sources, table: Table, *where: Any) -> list[Any]:
    """All rows of a table (optionally filtered), straight from its database."""
    for source in sources.all():
        if table.metadata is source.metadata:
            async with source.engine.connect() as conn:
                return list((await conn.execute(select(table).where(*where))).all())
    raise LookupError(table.name)
