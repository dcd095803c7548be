"""Concurrent requests' reads of the same statement, sent as one.

A worker serving many requests at once has them read the same statements for different
keys: every customer 360 reads the party with its accounts and transactions, the CRM
profile and the holdings. Each request's loaders already batch its own keys; here the
batches that several requests start in the same turn of the event loop, for the same
statement and the same other parameters, go to the database as one statement over the
union of their keys. A statement costs the gateway and the database far more than a key
does, so under load a worker sends fewer statements than it serves requests.

The reads are raw rows below the masking step and depend on no caller (keys and
parameters alone decide them), so sharing them leaks nothing: each request is handed only
the rows of its own keys, told apart by the read's key (``key_of``), and nothing is kept
once the statement has answered. Each request still reads through its own guard (time
limit, retries, breaker, its own accounting): a request that gives up stops waiting, and
the statement is cancelled only when every request waiting on it has given up.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any

from sources.reads import KEYS, Read

KeyOf = Callable[[Any], Hashable]
Fetch = Callable[[Read, Mapping[str, Any]], Awaitable[list[Any]]]


class _Batch:
    """The keys one statement will read, and the requests waiting on it."""

    __slots__ = ("joined", "keys", "rows", "task", "waiting")

    def __init__(self) -> None:
        self.keys: dict[Hashable, None] = {}
        self.waiting = 0
        self.joined = 0
        self.rows: asyncio.Future[list[Any]] | None = None
        self.task: asyncio.Task[list[Any]] | None = None


class SharedReads:
    """Joins the reads of one source made in the same loop turn (``read``)."""

    def __init__(self, fetch: Fetch, max_keys: int) -> None:
        self._fetch = fetch
        self._max_keys = max_keys
        self._gathering: dict[Hashable, _Batch] = {}

    async def read(
        self, statement: Read, keys: Sequence[Hashable], params: Mapping[str, Any], key_of: KeyOf
    ) -> list[Any]:
        """The rows of ``statement`` for ``keys`` (distinct), read together with the other
        reads of the same statement and parameters started in this loop turn."""
        try:
            shape: Hashable = (statement, tuple(sorted(params.items())))
            hash(shape)
        except TypeError:  # parameters that cannot be compared are read on their own
            return await self._fetch(statement, {**params, KEYS: list(keys)})
        batch = self._gathering.get(shape)
        if batch is None or len(batch.keys) + len(keys) > self._max_keys:
            batch = self._gathering[shape] = _Batch()
            loop = asyncio.get_running_loop()
            batch.rows = loop.create_future()
            # In a context of its own: the statement serves every request that joins it.
            context = contextvars.Context()
            loop.call_soon(self._send, shape, batch, statement, dict(params), context=context)
        batch.keys.update(dict.fromkeys(keys))
        batch.waiting += 1
        batch.joined += 1
        assert batch.rows is not None
        try:
            rows = await asyncio.shield(batch.rows)
        except asyncio.CancelledError:
            batch.waiting -= 1
            if batch.waiting == 0 and batch.task is not None:
                batch.task.cancel()  # nobody waits for it any more
            raise
        if batch.joined == 1:
            return rows
        # A list of its own even when the keys are the same: no request sees another's.
        mine = set(keys)
        return [row for row in rows if key_of(row) in mine]

    def _send(
        self, shape: Hashable, batch: _Batch, statement: Read, params: dict[str, Any]
    ) -> None:
        if self._gathering.get(shape) is batch:
            del self._gathering[shape]
        rows = batch.rows
        assert rows is not None
        if batch.waiting == 0:  # every request gave up before it was sent
            rows.cancel()
            return
        params[KEYS] = list(batch.keys)
        task = batch.task = asyncio.ensure_future(self._fetch(statement, params))

        def done(task: asyncio.Task[list[Any]]) -> None:
            if rows.done():
                return
            if task.cancelled():
                rows.cancel()
            elif (error := task.exception()) is not None:
                rows.set_exception(error)
            else:
                rows.set_result(task.result())

        task.add_done_callback(done)
