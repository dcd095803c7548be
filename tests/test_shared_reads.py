"""Concurrent requests share a statement, and each gets exactly its own rows."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from bench.documents import C360_W1
from resolvers.ids import global_id
from sources import Sources
from sources.reads import KEYS, Read
from sources.shared_reads import SharedReads, sharing
from sources.window import Window
from tests.conftest import caller_headers, client_for, fewest_statements
from tests.expected import RawBank

STATEMENT = Read(lambda keys_in: None)  # type: ignore[arg-type,return-value]
OTHER = Read(lambda keys_in: None)  # type: ignore[arg-type,return-value]


class FakeLane:
    """Rows ``(key, n)`` for every key asked; each statement waits for ``release``."""

    def __init__(self) -> None:
        self.sent: list[tuple[Read, list[Any]]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.cancelled = 0
        self.error: Exception | None = None

    async def fetch(self, read: Read, params: Mapping[str, Any]) -> list[Any]:
        self.sent.append((read, list(params[KEYS])))
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.error is not None:
            raise self.error
        return [(key, n) for key in params[KEYS] for n in (1, 2)]


def first(row: Any) -> Any:
    return row[0]


async def test_reads_of_one_turn_go_as_one_statement_and_each_gets_its_own_rows() -> None:
    lane = FakeLane()
    shared = SharedReads(lane.fetch, max_keys=100)
    mine, theirs, alone = await asyncio.gather(
        shared.read(STATEMENT, ["a", "b"], {"limit": 5}, first),
        shared.read(STATEMENT, ["c"], {"limit": 5}, first),
        shared.read(STATEMENT, ["a"], {"limit": 6}, first),  # other parameters: apart
    )
    assert sorted(lane.sent, key=lambda s: len(s[1])) == [
        (STATEMENT, ["a"]),
        (STATEMENT, ["a", "b", "c"]),
    ]
    assert mine == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    assert theirs == [("c", 1), ("c", 2)]
    assert alone == [("a", 1), ("a", 2)]
    assert await shared.read(OTHER, ["d"], {}, first) == [("d", 1), ("d", 2)]
    assert len(lane.sent) == 3  # reads of a later turn start a statement of their own


async def test_callers_of_the_same_keys_get_lists_of_their_own() -> None:
    lane = FakeLane()
    shared = SharedReads(lane.fetch, max_keys=100)
    one, other = await asyncio.gather(*(shared.read(STATEMENT, ["a"], {}, first) for _ in "12"))
    assert one == other == [("a", 1), ("a", 2)]
    one.clear()
    assert other == [("a", 1), ("a", 2)]
    assert len(lane.sent) == 1


async def test_a_statement_holds_no_more_keys_than_the_limit() -> None:
    lane = FakeLane()
    shared = SharedReads(lane.fetch, max_keys=3)
    await asyncio.gather(*(shared.read(STATEMENT, [k, k + "'"], {}, first) for k in "abc"))
    assert [len(keys) for _, keys in lane.sent] == [2, 2, 2]


async def test_a_request_that_gives_up_leaves_the_statement_to_the_others() -> None:
    lane = FakeLane()
    lane.release.clear()
    shared = SharedReads(lane.fetch, max_keys=100)
    leaving = asyncio.ensure_future(shared.read(STATEMENT, ["a"], {}, first))
    staying = asyncio.ensure_future(shared.read(STATEMENT, ["b"], {}, first))
    await asyncio.sleep(0.01)
    leaving.cancel()
    await asyncio.sleep(0.01)
    lane.release.set()
    assert await staying == [("b", 1), ("b", 2)]
    assert leaving.cancelled() and lane.cancelled == 0


async def test_a_statement_nobody_waits_for_is_cancelled() -> None:
    lane = FakeLane()
    lane.release.clear()
    shared = SharedReads(lane.fetch, max_keys=100)
    reads = [asyncio.ensure_future(shared.read(STATEMENT, [k], {}, first)) for k in "ab"]
    await asyncio.sleep(0.01)
    for read in reads:
        read.cancel()
    await asyncio.sleep(0.01)
    assert lane.cancelled == 1
    # Given up in the very turn it was started: the statement does not outlive it either.
    never = asyncio.ensure_future(shared.read(STATEMENT, ["c"], {}, first))
    await asyncio.sleep(0)
    never.cancel()
    await asyncio.sleep(0.01)
    assert lane.cancelled == len(lane.sent) == 2


async def test_a_failed_statement_fails_every_read_that_shared_it() -> None:
    lane = FakeLane()
    lane.error = ConnectionResetError("gone")
    shared = SharedReads(lane.fetch, max_keys=100)
    outcomes = await asyncio.gather(
        shared.read(STATEMENT, ["a"], {}, first),
        shared.read(STATEMENT, ["b"], {}, first),
        return_exceptions=True,
    )
    assert all(isinstance(outcome, ConnectionResetError) for outcome in outcomes)
    assert len(lane.sent) == 1


async def test_sources_share_a_statement_between_concurrent_batches(
    sources: Sources, raw: RawBank, statement_log: Any
) -> None:
    some, other = sorted(raw.parties)[:2]
    window = Window(limit=5)
    core = sources.core

    async def apart() -> list[Any]:
        return [
            await core.parties_with_accounts_and_transactions([some], window),
            await core.parties_with_accounts_and_transactions([other], window),
        ]

    async def together() -> list[Any]:
        return list(
            await asyncio.gather(
                core.parties_with_accounts_and_transactions([some], window),
                core.parties_with_accounts_and_transactions([other], window),
            )
        )

    statement_log.clear()
    expected = await apart()
    assert len(statement_log) == 2
    statement_log.clear()
    assert await together() == expected
    assert len(statement_log) == 1
    [(party, _accounts, _pages)] = expected[0]
    assert party.cust_no == some


def test_sharing_is_on_unless_switched_off() -> None:
    assert sharing({}) and sharing({"C360_SHARED_READS": "on"})
    assert not sharing({"C360_SHARED_READS": "off"}) and not sharing({"C360_SHARED_READS": "0"})
    with pytest.raises(ValueError, match="C360_SHARED_READS must be on or off"):
        sharing({"C360_SHARED_READS": "sometimes"})


async def test_switched_off_every_batch_sends_its_own_statement(
    bank: Any, raw: RawBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C360_SHARED_READS", "off")
    apart = Sources.from_urls(bank.urls)
    sent: list[str] = []
    for source in apart.all():
        source.statement_hooks.append(lambda statement, _parameters: sent.append(statement))
    try:
        some, other = sorted(raw.parties)[:2]
        await asyncio.gather(apart.core.parties([some]), apart.core.parties([other]))
    finally:
        await apart.dispose()
    assert len(sent) == 2


async def test_concurrent_callers_of_different_roles_get_the_answers_they_get_alone(
    app: Any, raw: RawBank, statement_log: Any
) -> None:
    """A relationship manager and a call-centre agent ask for two customers at once: the
    statements are shared, and each answer (masking included) is the one it gets alone."""
    some = raw.assignments[sorted(raw.assignments)[0]]
    in_book = sorted(c for c, a in raw.assignments.items() if a.rm_id == some.rm_id)[0]
    elsewhere = sorted(set(raw.parties) - {in_book})[0]
    rm = caller_headers(
        "RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=some.branch_code, rm_id=some.rm_id
    )
    agent = caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE")
    async with client_for(app, rm) as rm_client, client_for(app, agent) as agent_client:

        async def ask_rm() -> dict[str, Any]:
            return await rm_client.post(C360_W1, {"id": global_id("Customer", in_book)})

        async def ask_agent() -> dict[str, Any]:
            return await agent_client.post(C360_W1, {"id": global_id("Customer", elsewhere)})

        alone_rm, alone_agent = await ask_rm(), await ask_agent()
        assert alone_rm["extensions"]["disclosure"] != alone_agent["extensions"]["disclosure"]
        assert "errors" not in alone_rm and "errors" not in alone_agent
        assert alone_rm["data"]["customer"]["customerNumber"] == in_book
        answers: list[Any] = []

        async def both() -> None:
            answers.append(await asyncio.gather(ask_rm(), ask_agent()))

        shared, _ = await fewest_statements(statement_log, both)
        one_each, _ = await fewest_statements(statement_log, ask_rm)
    assert [[seen(answer) for answer in pair] for pair in answers] == [
        [seen(alone_rm), seen(alone_agent)]
    ] * len(answers)
    assert shared < 2 * one_each, (shared, one_each)


def seen(answer: dict[str, Any]) -> dict[str, Any]:
    """What the caller is shown: the data, the errors and what was masked or withheld
    (the sources' timings vary from run to run)."""
    extensions = {k: v for k, v in answer.get("extensions", {}).items() if k != "sources"}
    return {**answer, "extensions": extensions}
