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
``C360_SHARED_READS=off`` has every request read on its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any

from sources.reads import KEYS, Read

KeyOf = Callable[[Any], Hashable]
Fetch = Callable[[Read, Mapping[str, Any]], Awaitable[list[Any]]]


SWITCH = "C360_SHARED_READS"
_ON, _OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")


def sharing(environ: Mapping[str, str] | None = None) -> bool:
    """Whether concurrent requests share their reads (``C360_SHARED_READS``, on unless
    ``off``)."""
    value = (os.environ if environ is None else environ).get(SWITCH, "").strip().lower()
    if value in _OFF:
        return False
    if value and value not in _ON:
        raise ValueError(f"{SWITCH} must be on or off, not {value!r}")
    return True


class _Batch:
    """The keys one statement will read, and the requests waiting on it (a future each)."""

    __slots__ = ("keys", "statement", "waiting")

    def __init__(self) -> None:
        self.keys: dict[Hashable, None] = {}
        self.waiting: list[asyncio.Future[list[Any]]] = []
        self.statement: asyncio.Task[None] | None = None


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
        loop = asyncio.get_running_loop()
        batch = self._gathering.get(shape)
        if batch is None or len(batch.keys) + len(keys) > self._max_keys:
            batch = self._gathering[shape] = _Batch()
            # The statement's task takes its first step in the next turn, with the keys
            # gathered by then. It runs in a context of its own, as it serves every request
            # that joins it, and hands each its rows itself: a waiter's future of its own,
            # which its request's cancellation cancels alone, and no turn spent on a shield.
            batch.statement = loop.create_task(
                self._send(shape, batch, statement, dict(params)), context=contextvars.Context()
            )
        batch.keys.update(dict.fromkeys(keys))
        mine: asyncio.Future[list[Any]] = loop.create_future()
        batch.waiting.append(mine)
        try:
            rows = await mine
        except asyncio.CancelledError:
            if batch.statement is not None and all(w.done() for w in batch.waiting):
                batch.statement.cancel()  # nobody waits for it any more
            raise
        if len(batch.waiting) == 1:
            return rows
        # A list of its own even when the keys are the same: no request sees another's.
        wanted = set(keys)
        return [row for row in rows if key_of(row) in wanted]

    async def _send(
        self, shape: Hashable, batch: _Batch, statement: Read, params: dict[str, Any]
    ) -> None:
        if self._gathering.get(shape) is batch:
            del self._gathering[shape]
        params[KEYS] = list(batch.keys)
        try:
            rows = await self._fetch(statement, params)
        except asyncio.CancelledError:
            for waiter in batch.waiting:
                waiter.cancel()
            raise
        except Exception as error:  # every waiter gets the source's error
            for waiter in batch.waiting:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        for waiter in batch.waiting:
            if not waiter.done():
                waiter.set_result(rows)
