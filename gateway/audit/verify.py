"""Checking a stored audit chain: which events were edited, deleted or reordered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gateway.audit.chain import GENESIS, Anchor, digest
from gateway.audit.record import StoredEvent
from gateway.audit.store import AuditStore
from sources.engine import async_url

MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found.

    ``anchor`` is the last (seq, hash) read: keep it outside the database and pass it to a
    later verification, which then notices a truncated tail or a chain rewritten before it.
    """

    ok: bool
    records: int
    problems: list[str] = field(default_factory=list)
    anchor: Anchor | None = None


async def verify_chain(url: str, *, anchor: Anchor | None = None) -> ChainReport:
    """Recompute the audit chain in ``url`` and name every seq that does not hold.

    Finds edited events (hash mismatch), deleted ones (a gap in seq, a link to a record no
    longer stored) and reordered ones (a link to a record other than the one before). Without
    ``anchor`` it cannot tell a chain whose last events were deleted from a shorter chain, nor
    a chain rewritten from some event to its end with the hashes recomputed.
    """
    store = AuditStore(url)
    missing = _missing_database(store)
    if missing:
        return ChainReport(False, 0, [missing])
    try:
        if not await store.has_table():
            return ChainReport(False, 0, ["no audit_record table in this database"])
        return await _verify(store, anchor)
    finally:
        await store.dispose()


async def _verify(store: AuditStore, anchor: Anchor | None) -> ChainReport:
    problems = _Problems()
    broken: list[tuple[int, str, int]] = []  # seq, the hash it links to, the seq before it
    previous: StoredEvent | None = None
    records = 0
    async for event in store.chain():
        records += 1
        before = previous.seq if previous else 0
        if event.seq > before + 1:
            problems.add(before + 1, _gap(before + 1, event.seq - 1))
        if digest(event.prev_hash, event.seq, event.record) != event.hash:
            problems.add(
                event.seq,
                f"seq {event.seq}: hash mismatch: the event was edited (or moved) after it "
                "was written",
            )
        expected = previous.hash if previous else GENESIS if event.seq == 1 else None
        if expected is not None and event.prev_hash != expected:
            if len(broken) < MAX_PROBLEMS:
                broken.append((event.seq, event.prev_hash, before))
            else:
                problems.add(event.seq, f"seq {event.seq}: link broken")
        if anchor and event.seq == anchor.seq and event.hash != anchor.hash:
            problems.add(
                event.seq,
                f"seq {event.seq}: hash differs from the anchor: the chain was rewritten "
                "up to here since the anchor was taken",
            )
        previous = event
    last = previous.seq if previous else 0
    if anchor and anchor.seq > last:
        problems.add(
            last + 1,
            f"the chain ends at seq {last} but the anchor names seq {anchor.seq}: "
            "events at its end were deleted (tail truncated)",
        )
    if broken:
        holders = await store.seqs_by_hash(prev_hash for _, prev_hash, _ in broken)
        for seq, prev_hash, before in broken:
            problems.add(seq, _broken_link(seq, before, holders.get(prev_hash)))
    return ChainReport(
        ok=not problems.found,
        records=records,
        problems=problems.listed(),
        anchor=Anchor(previous.seq, previous.hash) if previous else None,
    )


def _gap(first: int, last: int) -> str:
    which = f"seq {first}" if first == last else f"seq {first}–{last}"
    return f"{which} missing: deleted"


def _broken_link(seq: int, before: int, holder: int | None) -> str:
    if holder is not None:
        return f"seq {seq}: links to seq {holder}, not to seq {before} before it: events reordered"
    if before != seq - 1:
        return f"seq {seq}: the event it links to is no longer stored: deleted"
    return (
        f"seq {seq}: links to no stored event, not to seq {before} before it: an event was "
        f"deleted, or seq {before} rewritten with its hash recomputed"
    )


def _missing_database(store: AuditStore) -> str | None:
    # Opening a missing SQLite file would create an empty one and report a clean chain.
    if store.backend != "sqlite":
        return None
    database = async_url(store.url).database
    if database and database != ":memory:" and not Path(database).exists():
        return f"no SQLite database at {database}"
    return None


class _Problems:
    """Problems in seq order, the first MAX_PROBLEMS found listed and the rest counted."""

    def __init__(self) -> None:
        self.found = 0
        self._listed: list[tuple[int, int, str]] = []

    def add(self, seq: int, problem: str) -> None:
        if len(self._listed) < MAX_PROBLEMS:
            self._listed.append((seq, self.found, problem))
        self.found += 1

    def listed(self) -> list[str]:
        hidden = self.found - len(self._listed)
        ordered = [problem for _, _, problem in sorted(self._listed)]
        return ordered + ([f"… and {hidden} more problems"] if hidden else [])
