"""How the asyncpg lane sets up each PostgreSQL session it opens.

**Timestamps and numerics are read as PostgreSQL's text.** asyncpg's binary decoders build
each ``timestamp`` by adding a timedelta to its epoch and each ``numeric`` from its
base-10000 digits, some 500-700 ns a value on our 2-core machines. PostgreSQL's text for
them, read by ``datetime.fromisoformat`` and ``Decimal`` (both in C), costs about a third of
that, and gives values equal to the binary decoders', of the same types, with the same scale
(``Decimal('10.00')`` stays ``Decimal('10.00')``). The core read of a page of 50 customers
(511 rows) went from 1.24 to 0.89 ms of CPU. ``DateStyle`` is ISO (a startup setting), so
the text is ISO 8601 whatever the server's default. Infinite timestamps map as asyncpg's
binary codec maps them (``datetime.max`` and ``datetime.min``); a date given for a timestamp
parameter means its midnight, and an aware datetime is refused, also as there. A
``numeric`` parameter is sent as ``str(value)``, as asyncpg's own text codec sends it.

**Statements run on generic plans** (``plan_cache_mode = force_generic_plan``, PostgreSQL 12
and later; ``C360_PG_PLAN_CACHE_MODE`` chooses another mode, ``auto`` the server's own
setting). asyncpg prepares each
read once per connection; under the default ``auto``, PostgreSQL planned the reads of one
customer afresh on every execution (a custom plan for the given keys always looked cheaper
than the generic one), and the core read spent 0.2 ms planning for 0.07 ms executing. Every
lane read finds rows by keys through an index; for the bench's reads (one customer, a page
of 50) the generic plans were the custom ones or better (the page's CRM and holdings reads
used sequential scans under custom plans). W1's database CPU went from 0.8 to 0.35 ms.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

SERVER_SETTINGS = {"DateStyle": "ISO"}
PLAN_CACHE_MODES = ("force_generic_plan", "auto", "force_custom_plan")
PLAN_CACHE_MODE_SINCE = (12, 0)

_INFINITE = {"infinity": datetime.max, "-infinity": datetime.min}
_INFINITY_TEXT = {datetime.max: "infinity", datetime.min: "-infinity"}


def timestamp_from_text(text: str) -> datetime:
    """A ``timestamp`` column's value from PostgreSQL's ISO text."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        if text in _INFINITE:
            return _INFINITE[text]
        raise


def timestamp_to_text(value: Any) -> str:
    """A ``timestamp`` parameter as PostgreSQL reads it."""
    if type(value) is date:
        value = datetime(value.year, value.month, value.day)
    elif not isinstance(value, datetime):
        raise TypeError(f"expected a date or a datetime, got {type(value).__name__}")
    if value.tzinfo is not None:
        raise TypeError("a timestamp without time zone takes a naive datetime")
    return _INFINITY_TEXT.get(value) or value.isoformat()


def plan_cache_mode(environ: Mapping[str, str] | None = None) -> str:
    """The ``plan_cache_mode`` lane sessions run with (``C360_PG_PLAN_CACHE_MODE``)."""
    mode = (os.environ if environ is None else environ).get("C360_PG_PLAN_CACHE_MODE", "")
    mode = mode.strip().lower() or PLAN_CACHE_MODES[0]
    if mode not in PLAN_CACHE_MODES:
        raise ValueError(f"C360_PG_PLAN_CACHE_MODE must be one of {', '.join(PLAN_CACHE_MODES)}")
    return mode


async def open_session(dsn: str, mode: str = PLAN_CACHE_MODES[0]) -> asyncpg.Connection:
    """A new connection set up as the lane reads on it: the text codecs and the plan cache
    ``mode`` (closed again if the set-up fails)."""
    if mode not in PLAN_CACHE_MODES:
        raise ValueError(f"unknown plan_cache_mode {mode!r}")
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS)
    try:
        await _prepare(conn, mode)
    except BaseException:
        conn.terminate()
        raise
    return conn


async def _prepare(conn: asyncpg.Connection, mode: str) -> None:
    if mode != "auto" and conn.get_server_version() >= PLAN_CACHE_MODE_SINCE:
        await conn.execute(f"SET plan_cache_mode = {mode}")
    await conn.set_type_codec(
        "timestamp",
        schema="pg_catalog",
        encoder=timestamp_to_text,
        decoder=timestamp_from_text,
        format="text",
    )
    await conn.set_type_codec(
        # str and Decimal: asyncpg's own text codec for numeric (used where binary is not)
        "numeric",
        schema="pg_catalog",
        encoder=str,
        decoder=Decimal,
        format="text",
    )
