"""The audit store: records land whole, the chain shows tampering, nothing buffered is lost."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.audit import GENESIS, Anchor, AuditRecord, AuditTrail, verify_chain
from gateway.audit import trail as trail_module
from gateway.audit.chain import CHAIN_FIELDS, digest, link
from gateway.audit.trail import LINK_SLICE
from sources.engine import async_url, create_source_engine
from tests.engines import SERVER_URLS, drop_databases, engines_under_test, fresh_databases

ENGINES = [name for name in engines_under_test() if name in ("sqlite", "postgresql")]
QUIET = 60.0  # a flush interval long enough that only the test flushes
T0 = datetime(2024, 5, 17, 9, 30, 0, 123456, tzinfo=UTC)

Trails = Callable[..., Awaitable[AuditTrail]]


def a_record(
    n: int,
    *,
    customer: str | None = "C000001",
    subject: str = "rm-0001",
    treatment: str = "CLEAR",
    at: datetime | None = None,
) -> AuditRecord:
    return AuditRecord(
        request_id=f"req-{n}",
        occurred_at=at or T0 + timedelta(seconds=n),
        subject=subject,
        role="RELATIONSHIP_MANAGER",
        purpose="RELATIONSHIP_REVIEW",
        customer_number=customer,
        fields="Account.balance",
        field_paths=f"customer.accounts.{n}.balance",
        treatment=treatment,
        reason=None if treatment == "CLEAR" else "not for this purpose",
    )


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
async def database(engine: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A fresh database per engine for this module (creating one per test is most of its time)."""
    urls = await fresh_databases(engine, tmp_path_factory.mktemp(f"audit-{engine}"))
    yield urls["core"]
    await drop_databases(engine, urls)


@pytest.fixture
async def audit_url(database: str) -> str:
    """The module's database with no audit table yet, as a new deployment finds it."""
    await execute(database, "DROP TABLE IF EXISTS audit_record")
    return database


@pytest.fixture
async def trails() -> AsyncIterator[Trails]:
    """Opens started trails; closes every one of them after the test."""
    opened: list[AuditTrail] = []

    async def open_trail(url: str, **options: Any) -> AuditTrail:
        options.setdefault("flush_interval", QUIET)
        trail = AuditTrail(url, **options)
        opened.append(trail)
        await trail.start()
        return trail

    yield open_trail
    for trail in opened:
        await trail.close()


async def execute(url: str, *statements: str) -> None:
    """Raw SQL against the store, as someone with write access to the database would."""
    engine = create_source_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@asynccontextmanager
async def unwritable_store(
    engine: str, folder: Path
) -> AsyncIterator[tuple[str, Callable[[], Awaitable[None]]]]:
    """A store URL that cannot be written yet, and how to make it writable.

    SQLite: a directory sits where the database file goes (chmod does not stop root).
    PostgreSQL: the database does not exist yet.
    """
    if engine == "sqlite":
        blocker = folder / "audit.db"
        blocker.mkdir()

        async def remove_blocker() -> None:
            blocker.rmdir()

        yield f"sqlite:///{blocker}", remove_blocker
        return
    server = make_url(SERVER_URLS[engine])
    url = server.set(database=f"c360_test_{uuid.uuid4().hex[:8]}_audit")

    async def create_database() -> None:
        admin = create_async_engine(async_url(server), isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f"CREATE DATABASE {url.database}"))
        finally:
            await admin.dispose()

    rendered = url.render_as_string(hide_password=False)
    try:
        yield rendered, create_database
    finally:
        await drop_databases(engine, {"audit": rendered})


async def test_records_land_with_every_field_and_no_value_column(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    written = [a_record(1), a_record(2, customer=None, treatment="WITHHELD")]
    for record in written:
        trail.record(record)

    assert await trail.flush() == 2
    stored = await trail.events(limit=10)

    assert [event.record for event in stored] == written
    assert [event.seq for event in stored] == [1, 2]
    assert stored[0].occurred_at == T0 + timedelta(seconds=1)
    engine = create_source_engine(audit_url)
    try:
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("audit_record")}
            )
    finally:
        await engine.dispose()
    assert columns == {"seq", *written[0]._asdict(), "prev_hash", "hash"}
    assert not any("value" in column for column in columns)


async def test_the_record_fields_are_exactly_the_fields_the_chain_hashes() -> None:
    assert set(CHAIN_FIELDS) == set(a_record(1)._asdict())


async def test_the_hash_follows_the_documented_format(audit_url: str, trails: Trails) -> None:
    trail = await trails(audit_url)
    trail.record(a_record(1))
    await trail.flush()

    (first,) = await trail.events(limit=1)

    canonical = (
        '{"customer_number":"C000001","field_paths":"customer.accounts.1.balance",'
        '"fields":"Account.balance","occurred_at":"2024-05-17T09:30:01.123456Z",'
        '"purpose":"RELATIONSHIP_REVIEW","reason":null,"request_id":"req-1",'
        '"role":"RELATIONSHIP_MANAGER","seq":1,"subject":"rm-0001","treatment":"CLEAR"}'
    )
    assert first.prev_hash == GENESIS == "0" * 64
    assert first.hash == hashlib.sha256((GENESIS + canonical).encode()).hexdigest()


async def test_the_chain_verifies_after_several_flushes(audit_url: str, trails: Trails) -> None:
    trail = await trails(audit_url)
    n = 0
    for batch in (3, 4, 5):
        for _ in range(batch):
            n += 1
            trail.record(a_record(n))
        assert await trail.flush() == batch

    report = await verify_chain(audit_url)
    last = (await trail.events(after_seq=11, limit=1))[0]

    assert report.ok, report.problems
    assert report.records == 12
    assert report.anchor == Anchor(12, last.hash)
    assert Anchor.parse(str(report.anchor)) == report.anchor


async def test_editing_a_recorded_field_is_reported_with_its_seq(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    for n in range(1, 6):
        trail.record(a_record(n))
    await trail.flush()

    await execute(audit_url, "UPDATE audit_record SET treatment = 'WITHHELD' WHERE seq = 3")
    report = await verify_chain(audit_url)

    assert not report.ok
    assert report.problems == [
        "seq 3: hash mismatch: the event was edited (or moved) after it was written"
    ]


async def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    for n in range(1, 6):
        trail.record(a_record(n))
    await trail.flush()
    (third,) = await trail.events(after_seq=2, limit=1)
    forged = digest(third.prev_hash, 3, a_record(3, treatment="WITHHELD"))
    await execute(
        audit_url,
        "UPDATE audit_record SET treatment = 'WITHHELD', reason = 'not for this purpose', "
        f"hash = '{forged}' WHERE seq = 3",
    )
    report = await verify_chain(audit_url)

    assert not report.ok
    assert len(report.problems) == 1
    assert report.problems[0].startswith("seq 4: links to no stored event")


async def test_deleting_a_middle_record_is_reported(audit_url: str, trails: Trails) -> None:
    trail = await trails(audit_url)
    for n in range(1, 6):
        trail.record(a_record(n))
    await trail.flush()

    await execute(audit_url, "DELETE FROM audit_record WHERE seq = 3")
    report = await verify_chain(audit_url)

    assert not report.ok
    assert report.records == 4
    assert "seq 3 missing: deleted" in report.problems
    assert "seq 4: the event it links to is no longer stored: deleted" in report.problems


async def test_swapping_two_records_is_reported_as_reordering(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    for n in range(1, 6):
        trail.record(a_record(n))
    await trail.flush()

    await execute(
        audit_url,
        "UPDATE audit_record SET seq = -1 WHERE seq = 2",
        "UPDATE audit_record SET seq = 2 WHERE seq = 4",
        "UPDATE audit_record SET seq = 4 WHERE seq = -1",
    )
    report = await verify_chain(audit_url)

    assert not report.ok
    reordered = [p for p in report.problems if p.endswith("events reordered")]
    assert "seq 2: links to seq 3, not to seq 1 before it: events reordered" in reordered
    assert {p.split(":")[0] for p in reordered} >= {"seq 2", "seq 3", "seq 4"}


async def test_a_truncated_tail_is_only_found_against_an_anchor(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    for n in range(1, 6):
        trail.record(a_record(n))
    await trail.flush()
    anchor = (await verify_chain(audit_url)).anchor
    assert anchor is not None and anchor.seq == 5

    await execute(audit_url, "DELETE FROM audit_record WHERE seq = 5")

    without = await verify_chain(audit_url)
    assert without.ok and without.records == 4  # a shorter chain is still a valid chain
    against = await verify_chain(audit_url, anchor=anchor)
    assert not against.ok
    assert against.problems == [
        "the chain ends at seq 4 but the anchor names seq 5: "
        "events at its end were deleted (tail truncated)"
    ]


async def test_a_chain_rewritten_before_the_anchor_fails_against_it(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    for n in range(1, 4):
        trail.record(a_record(n))
    await trail.flush()
    anchor = Anchor(3, (await trail.events(after_seq=2))[0].hash)

    await execute(audit_url, "DELETE FROM audit_record")
    for n in range(1, 4):
        trail.record(a_record(n, treatment="WITHHELD"))
    await trail.flush()

    report = await verify_chain(audit_url, anchor=anchor)
    assert not report.ok
    assert any(p.startswith("seq 3: hash differs from the anchor") for p in report.problems)


async def test_a_writer_that_finds_its_tail_gone_puts_the_loss_on_the_chain(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    for n in range(1, 6):
        trail.record(a_record(n))
    await trail.flush()

    await execute(audit_url, "DELETE FROM audit_record WHERE seq >= 4")
    trail.record(a_record(6))
    assert await trail.flush() == 1

    stored = await trail.events(after_seq=3)
    assert [(e.seq, e.fields, e.treatment) for e in stored] == [
        (4, "AUDIT_TAIL_LOST", "GAP"),
        (5, "Account.balance", "CLEAR"),
    ]
    assert stored[0].reason == (
        "the chain ended at seq 5 when this writer last appended and ends at seq 3 now"
    )
    assert (await verify_chain(audit_url)).ok


async def test_records_buffered_and_then_closed_are_all_in_the_store(audit_url: str) -> None:
    trail = AuditTrail(audit_url, flush_interval=QUIET)
    await trail.start()
    for n in range(1, 8):
        trail.record(a_record(n))
    assert trail.buffered == 7

    await trail.close()

    report = await verify_chain(audit_url)
    assert report.ok and report.records == 7


async def test_settle_flushes_once_the_bound_is_reached_and_not_before(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url, buffer_bound=3)
    trail.record(a_record(1))
    trail.record(a_record(2))
    await trail.settle()
    assert trail.buffered == 2

    trail.record(a_record(3))
    await trail.settle()

    assert trail.buffered == 0
    assert (await verify_chain(audit_url)).records == 3


async def test_the_background_flusher_writes_without_being_asked(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url, flush_interval=0.02)
    trail.record(a_record(1))
    trail.record(a_record(2))

    for _ in range(100):
        if not trail.buffered:
            break
        await asyncio.sleep(0.02)

    assert trail.buffered == 0
    assert (await verify_chain(audit_url)).records == 2


async def test_an_unwritable_store_keeps_records_buffered_until_it_recovers(
    engine: str, tmp_path: Path, trails: Trails
) -> None:
    async with unwritable_store(engine, tmp_path) as (url, make_writable):
        trail = await trails(url)
        assert not trail.available
        for n in range(1, 4):
            trail.record(a_record(n))
        assert await trail.flush() == 0
        assert not trail.available
        assert trail.buffered == 3

        await make_writable()

        assert await trail.flush() == 3
        assert trail.available
        assert trail.buffered == 0
        assert [e.request_id for e in await trail.events()] == ["req-1", "req-2", "req-3"]
        await trail.close()


async def test_an_idle_trail_becomes_available_once_the_store_recovers(
    engine: str, tmp_path: Path, trails: Trails
) -> None:
    async with unwritable_store(engine, tmp_path) as (url, make_writable):
        trail = await trails(url, flush_interval=0.02)
        assert not trail.available

        await make_writable()
        for _ in range(100):
            if trail.available:
                break
            await asyncio.sleep(0.02)

        assert trail.available
        await trail.close()


async def test_a_postgresql_store_with_no_server_is_unavailable_and_logs_no_contents(
    caplog: pytest.LogCaptureFixture,
) -> None:
    trail = AuditTrail("postgresql://c360@127.0.0.1:9/audit", flush_interval=QUIET)
    await trail.start()
    trail.record(a_record(1, customer="C-SECRET-42"))

    assert await trail.flush() == 0
    assert not trail.available
    assert trail.buffered == 1
    await trail.close()

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "1 records kept in the buffer" in logged
    assert "1 buffered records lost (0 dropped before)" in logged
    assert "C-SECRET-42" not in logged and "rm-0001" not in logged


async def test_records_beyond_the_outage_bound_are_counted_and_the_gap_is_on_the_chain(
    engine: str, tmp_path: Path, trails: Trails
) -> None:
    async with unwritable_store(engine, tmp_path) as (url, make_writable):
        trail = await trails(url, buffer_bound=2)
        for n in range(1, 46):
            trail.record(a_record(n))
        assert (trail.buffered, trail.dropped) == (40, 5)
        await trail.flush()

        await make_writable()

        assert await trail.flush() == 40
        assert trail.dropped == 0
        stored = await trail.events(limit=100)
        assert len(stored) == 41
        gap = stored[-1]
        assert (gap.fields, gap.treatment, gap.customer_number) == ("AUDIT_GAP", "GAP", None)
        assert gap.reason == "5 records dropped while the audit store was unavailable"
        assert (await verify_chain(url)).ok
        await trail.close()


async def test_a_long_flush_lets_requests_run_between_slices_and_keeps_their_records(
    audit_url: str, trails: Trails, monkeypatch: pytest.MonkeyPatch
) -> None:
    trail = await trails(audit_url)
    many = 3 * LINK_SLICE + 5
    for n in range(many):
        trail.record(a_record(n))
    buffered_at_each_slice: list[int] = []

    def counting_link(records: list[AuditRecord], after: Anchor) -> Any:
        buffered_at_each_slice.append(trail.buffered)
        return link(records, after=after)

    monkeypatch.setattr(trail_module, "link", counting_link)
    flushing = asyncio.ensure_future(trail.flush())
    arrived = 0
    while not flushing.done():  # a request served whenever the flush lets the loop turn
        if 0 < len(buffered_at_each_slice) < 4 and trail.buffered == many + arrived:
            trail.record(a_record(many + arrived, subject="rm-later"))
            arrived += 1
        await asyncio.sleep(0)

    assert await flushing == many  # what was buffered when its write began
    assert buffered_at_each_slice == [many, many + 1, many + 2, many + 3]
    assert await trail.flush() == arrived == 3
    report = await verify_chain(audit_url)
    assert report.ok, report.problems
    assert report.records == many + arrived
    later = await trail.events(subject="rm-later", limit=arrived + 1)
    assert [e.seq for e in later] == list(range(many + 1, many + arrived + 1))


async def test_two_trails_appending_concurrently_leave_a_valid_chain(
    audit_url: str, trails: Trails
) -> None:
    first, second = await trails(audit_url), await trails(audit_url)

    async def write(trail: AuditTrail, subject: str) -> None:
        for round_ in range(8):
            for n in range(5):
                trail.record(a_record(round_ * 5 + n, subject=subject))
            await trail.flush()

    await asyncio.gather(write(first, "rm-a"), write(second, "rm-b"))

    report = await verify_chain(audit_url)
    assert report.ok, report.problems
    assert report.records == 80
    assert first.available and second.available
    assert len(await first.events(subject="rm-a", limit=100)) == 40
    assert len(await first.events(subject="rm-b", limit=100)) == 40


@pytest.mark.parametrize("server", [name for name in ENGINES if name == "postgresql"])
async def test_a_writer_connection_the_server_closed_is_replaced_without_an_outage(
    server: str, tmp_path: Path
) -> None:
    """A database restart, or an idle timeout, between two appends: the next append opens a
    connection of its own, and the trail stays available (clear values are not withheld)."""
    urls = await fresh_databases(server, tmp_path)
    trail = AuditTrail(urls["core"], flush_interval=QUIET)
    try:
        await trail.start()
        await _append_across_closed_connections(urls["core"], trail)
    finally:
        await trail.close()
        await drop_databases(server, urls)


async def _append_across_closed_connections(audit_url: str, trail: AuditTrail) -> None:
    trail.record(a_record(0))
    assert await trail.flush() == 1
    database = make_url(audit_url).database
    # Whether asyncpg has noticed the close before the next append varies: several rounds.
    for n in range(1, 11):
        await execute(
            audit_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()",
        )
        trail.record(a_record(n))
        assert await trail.flush() == 1
        assert trail.available
    assert [e.request_id for e in await trail.events()] == [f"req-{n}" for n in range(11)]
    assert (await verify_chain(audit_url)).ok


async def test_events_filter_by_customer_subject_time_and_seq(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    trail.record(a_record(1, customer="C1", subject="rm-1"))
    trail.record(a_record(2, customer="C2", subject="rm-1"))
    trail.record(a_record(3, customer="C1", subject="rm-2"))
    trail.record(a_record(4, customer=None, subject="co-1"))

    def ids(events: list[Any]) -> list[str]:
        return [e.request_id for e in events]

    assert ids(await trail.events(customer_number="C1")) == ["req-1", "req-3"]
    assert ids(await trail.events(subject="rm-1")) == ["req-1", "req-2"]
    assert ids(await trail.events(customer_number="C1", subject="rm-2")) == ["req-3"]
    since, until = T0 + timedelta(seconds=2), T0 + timedelta(seconds=4)
    assert ids(await trail.events(since=since, until=until)) == ["req-2", "req-3"]
    in_shanghai = since.astimezone(timezone(timedelta(hours=8)))
    assert ids(await trail.events(since=in_shanghai)) == ["req-2", "req-3", "req-4"]
    assert ids(await trail.events(after_seq=1, limit=2)) == ["req-2", "req-3"]


async def test_text_no_store_can_hold_does_not_block_the_trail(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    trail.record(a_record(1, subject="rm\x00-1", customer="C\ud8001"))

    assert await trail.flush() == 1
    assert trail.available
    (stored,) = await trail.events()
    assert (stored.subject, stored.customer_number) == ("rm\ufffd-1", "C?1")
    assert (await verify_chain(audit_url)).ok


async def test_a_time_in_another_zone_is_stored_as_the_same_instant_in_utc(
    audit_url: str, trails: Trails
) -> None:
    trail = await trails(audit_url)
    trail.record(a_record(1, at=T0.astimezone(timezone(timedelta(hours=8)))))

    (stored,) = await trail.events()

    assert stored.occurred_at == T0 and stored.occurred_at.utcoffset() == timedelta(0)
    assert (await trail.events(since=T0, until=T0 + timedelta(microseconds=1))) == [stored]
    assert (await verify_chain(audit_url)).ok


async def test_a_commit_that_landed_but_went_unanswered_is_not_written_twice(
    tmp_path: Path, trails: Trails
) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    trail = await trails(url)
    for n in range(1, 4):
        trail.record(a_record(n))
    lost_answers = [1]

    def lose_the_answer(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "COMMIT" and lost_answers:
            lost_answers.pop()
            raise ConnectionResetError("the answer to COMMIT never came")

    event.listen(Engine, "after_cursor_execute", lose_the_answer)
    try:
        assert await trail.flush() == 0
    finally:
        event.remove(Engine, "after_cursor_execute", lose_the_answer)
    assert not trail.available and trail.buffered == 3

    assert await trail.flush() == 3
    assert [e.request_id for e in await trail.events()] == ["req-1", "req-2", "req-3"]
    assert (await verify_chain(url)).ok


async def test_a_record_needs_a_timezone_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        a_record(1, at=datetime(2024, 5, 17, 9, 30))


async def test_verifying_a_missing_sqlite_store_says_so_and_creates_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nowhere" / "audit.db"

    report = await verify_chain(f"sqlite:///{path}")

    assert not report.ok
    assert report.problems == [f"no SQLite database at {path}"]
    assert not path.parent.exists()


async def test_only_sqlite_and_postgresql_can_hold_the_trail() -> None:
    with pytest.raises(ValueError, match="not mysql"):
        AuditTrail("mysql://root@127.0.0.1:3306/audit")
