"""How the asyncpg lane sets up its sessions (``sources.sessions``). Timestamps and numerics
are read as PostgreSQL's text: every value must come out as asyncpg's binary codecs give it,
of the same type and, for a numeric, the same scale, and parameters must go in as the binary
codecs send them. Reads run on the plan cache mode chosen (generic plans by default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import literal_column, select
from sqlalchemy.engine import make_url

from sources.reads import AsyncpgLane, Read
from sources.sessions import (
    open_session,
    plan_cache_mode,
    timestamp_from_text,
    timestamp_to_text,
)
from tests.engines import SERVER_URLS, engines_under_test

MODE = "current_setting('plan_cache_mode')"

TIMESTAMPS = [
    "2026-01-01 09:00:00",
    "2026-01-01 09:00:00.000001",
    "1999-12-31 23:59:59.999999",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59.999999",
    "infinity",
    "-infinity",
]
NUMERICS = ["10.00", "0", "-0.0001", "123456789012345678.123456", "1e-20", "NaN", "Infinity"]
PARAMETERS = [datetime(2026, 3, 4, 5, 6, 7, 89), date(2026, 3, 4), datetime.max, datetime.min]


def test_infinite_timestamps_map_as_asyncpg_maps_them() -> None:
    assert timestamp_from_text("infinity") == datetime.max
    assert timestamp_from_text("-infinity") == datetime.min
    assert timestamp_to_text(datetime.max) == "infinity"
    assert timestamp_to_text(datetime.min) == "-infinity"
    with pytest.raises(ValueError):
        timestamp_from_text("yesterday")


def test_a_date_parameter_means_its_midnight_and_an_aware_one_is_refused() -> None:
    assert timestamp_to_text(date(2026, 3, 4)) == "2026-03-04T00:00:00"
    with pytest.raises(TypeError):
        timestamp_to_text(datetime(2026, 3, 4, tzinfo=UTC))
    with pytest.raises(TypeError):
        timestamp_to_text("2026-03-04")


@pytest.fixture(params=[e for e in engines_under_test() if e == "postgresql"])
async def connections(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Any]]:
    url = make_url(SERVER_URLS[request.param]).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    binary = await asyncpg.connect(dsn)
    text = await open_session(dsn)
    try:
        yield binary, text
    finally:
        await binary.close()
        await text.close()


def spelled(values: list[Any]) -> list[tuple[str, str]]:
    return [(type(v).__name__, repr(v)) for v in values]


async def test_text_reads_give_what_binary_reads_give(connections: tuple[Any, Any]) -> None:
    binary, text = connections
    query = (
        "SELECT t::timestamp, n::numeric, n::numeric(30, 6) "
        "FROM unnest($1::text[]) WITH ORDINALITY AS a(t, i), "
        "unnest($2::text[]) WITH ORDINALITY AS b(n, j) "
        "UNION ALL SELECT NULL, NULL, NULL ORDER BY 1, 2"
    )
    finite = [n for n in NUMERICS if n not in ("NaN", "Infinity", "1e-20")]
    got = await text.fetch(query, TIMESTAMPS, finite)
    want = await binary.fetch(query, TIMESTAMPS, finite)
    assert [spelled(list(r)) for r in got] == [spelled(list(r)) for r in want]
    specials = "SELECT n::numeric FROM unnest($1::text[]) AS n"
    got_specials = [r[0] for r in await text.fetch(specials, NUMERICS)]
    assert spelled(got_specials) == spelled([r[0] for r in await binary.fetch(specials, NUMERICS)])
    assert str(got_specials[0]) == "10.00"


async def test_timestamp_parameters_compare_as_binary_ones_do(connections: tuple[Any, Any]) -> None:
    binary, text = connections
    query = "SELECT $1::timestamp, $1::timestamp < '2026-03-04 05:06:08'::timestamp"
    for value in PARAMETERS:
        got = await text.fetchrow(query, value)
        want = await binary.fetchrow(query, value)
        assert spelled(list(got)) == spelled(list(want)), value
    aware = datetime(2026, 3, 4, tzinfo=UTC)
    for conn in (binary, text):
        with pytest.raises((asyncpg.DataError, TypeError)):
            await conn.fetchrow(query, aware)


def test_the_plan_cache_mode_defaults_to_generic_plans_and_refuses_unknown_modes() -> None:
    assert plan_cache_mode({}) == "force_generic_plan"
    assert plan_cache_mode({"C360_PG_PLAN_CACHE_MODE": " Auto "}) == "auto"
    with pytest.raises(ValueError, match="C360_PG_PLAN_CACHE_MODE"):
        plan_cache_mode({"C360_PG_PLAN_CACHE_MODE": "generic; DROP TABLE x"})


@pytest.mark.parametrize("chosen", ["", "auto", "force_custom_plan"])
async def test_lane_sessions_run_with_the_chosen_plan_cache_mode(
    connections: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch, chosen: str
) -> None:
    binary, _text = connections
    server_default = await binary.fetchval("SHOW plan_cache_mode")
    monkeypatch.setenv("C360_PG_PLAN_CACHE_MODE", chosen)
    lane = AsyncpgLane(make_url(SERVER_URLS["postgresql"]), hooks=[])
    try:
        [row] = await lane.fetch(Read(lambda _keys_in: select(literal_column(MODE))), {})
    finally:
        await lane.dispose()
    assert row[0] == {"": "force_generic_plan", "auto": server_default}.get(chosen, chosen)


SOCKET_DIR = "/var/run/postgresql"
UNUSED_PORT = 59999  # no server listens here, on TCP or in any folder asyncpg tries itself


async def test_a_lane_reaches_a_database_on_the_same_host_through_its_unix_socket(
    connections: tuple[Any, Any], tmp_path: Path
) -> None:
    server = make_url(SERVER_URLS["postgresql"])
    socket = Path(SOCKET_DIR, f".s.PGSQL.{server.port or 5432}")
    if not socket.exists():
        pytest.skip(f"PostgreSQL has no Unix socket {socket}")
    # The server's socket, seen in a folder of the test's own under a port nothing serves:
    # the read reaches the server only if the URL's host and port are the ones used.
    (tmp_path / f".s.PGSQL.{UNUSED_PORT}").symlink_to(socket)
    # The README's form for a co-located database: no host in the authority, ?host=<dir>.
    url = make_url(
        f"postgresql://{server.username}@/{server.database}?host={tmp_path}&port={UNUSED_PORT}"
    )
    lane = AsyncpgLane(url, hooks=[])
    address = Read(lambda _keys_in: select(literal_column("inet_server_addr()")))
    try:
        [row] = await lane.fetch(address, {})
    finally:
        await lane.dispose()
    assert row[0] is None  # PostgreSQL's answer for a connection that came over a socket
