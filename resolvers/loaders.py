"""Per-request DataLoaders: one per source batch function and argument set."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader

from sources import Sources

BatchFn = Callable[..., Awaitable[Sequence[Any]]]


class ReadAbandoned(Exception):
    """A batch cancelled because its request was abandoned."""


class Loaders:
    """The loaders of one request.

    ``loaders.of(sources.core.accounts_by_customer).load(cust_no)`` batches every load made in
    the same tick into one call of the source's batch function. Extra arguments (a page window,
    a date) select a separate loader, so keys with different arguments never share a batch.
    """

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self._loaders: dict[tuple[BatchFn, tuple[Hashable, ...]], DataLoader] = {}

    def of(self, batch: BatchFn, *args: Hashable) -> DataLoader:
        """The loader for ``batch(keys, *args)``, created on first use."""
        key = (batch, args)
        loader = self._loaders.get(key)
        if loader is None:

            async def load(keys: list[Any]) -> list[Any]:
                try:
                    return list(await batch(keys, *args))
                except asyncio.CancelledError:
                    # The request was abandoned (sources.guarded cancels its reads): fail
                    # the loads waiting on this batch, which would otherwise wait forever.
                    raise ReadAbandoned from None

            loader = DataLoader(batch_load_fn=load)
            self._loaders[key] = loader
        return loader

    async def one(self, batch: BatchFn, key: Hashable, *args: Hashable) -> Any:
        """The batch function's result for one key."""
        return await self.of(batch, *args).load(key)

    async def many(self, batch: BatchFn, keys: Sequence[Hashable], *args: Hashable) -> list[Any]:
        """The batch function's results for several keys, in key order."""
        return list(await self.of(batch, *args).load_many(keys))
