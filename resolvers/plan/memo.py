"""What a planned request has loaded: each source batch's results by key.

Every level of a plan asks for what its fields need as :class:`Need` s; the memo sends one
call of each batch function for all the keys not loaded yet, the batches of a level
concurrently, and keeps each key's result, or the error the batch failed with, for the
fields to read while the response is built. Batches a source declares as ``fusions`` (the
CRM's profiles and assignments) are read in one call when a level needs both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, NamedTuple

Batch = Callable[..., Awaitable[Sequence[Any]]]


Slot = tuple[Batch, tuple[Hashable, ...]]


_FusionPlan = tuple[tuple[Batch, tuple[Slot, ...]], ...]
_fusion_plans: dict[frozenset[Batch], _FusionPlan] = {}
_FUSION_PLANS_KEPT = 512  # distinct sets of batches a level asks for: a few dozen in practice


def _fusion_plan(batches: frozenset[Batch]) -> _FusionPlan:
    """The fusions a set of argument-free batches allows: (the fused batch, the slots it
    fills in its order). The same for every request, so worked out once per set."""
    plan = _fusion_plans.get(batches)
    if plan is None:
        by_name = {(getattr(batch, "__self__", None), batch.__name__): batch for batch in batches}
        found = []
        for (owner, name), _batch in by_name.items():
            for names, fused_name in getattr(owner, "fusions", {}).items():
                if name == names[0] and all((owner, n) in by_name for n in names):
                    slots = tuple((by_name[(owner, n)], ()) for n in names)
                    found.append((getattr(owner, fused_name), slots))
        if len(_fusion_plans) >= _FUSION_PLANS_KEPT:
            _fusion_plans.clear()
        plan = _fusion_plans[batches] = tuple(found)
    return plan


def _fusions(
    wanted: dict[Slot, dict[Hashable, None]],
) -> list[tuple[Batch, list[Slot], list[Hashable]]]:
    """Batches of one source that its ``fusions`` read in one call, taken out of ``wanted``:
    (the fused batch, the slots it fills in its order, the union of their keys)."""
    found = []
    for fused, slots in _fusion_plan(frozenset(batch for batch, args in wanted if not args)):
        if all(wanted.get(slot) for slot in slots):
            keys = {key: None for slot in slots for key in wanted.pop(slot)}
            found.append((fused, list(slots), list(keys)))
    return found


Fill = Callable[["Memo", Batch, list[Hashable], Sequence[Any], tuple[Hashable, ...]], None]
"""``fill(memo, batch, keys, results, args)`` files a batch's results where others would."""


class Need(NamedTuple):
    """Keys a batch function is needed for (with its extra arguments).

    A batch that reads what other batches would (a source's accounts with their pages)
    names those batches' slots in ``covers``, and ``fill`` files its results under them;
    the covered batches are then not called for its keys."""

    batch: Batch
    keys: Iterable[Hashable]
    args: tuple[Hashable, ...] = ()
    fill: Fill | None = None
    covers: tuple[Slot, ...] = ()


class Failed:
    """A key whose batch raised: reading it raises the batch's error."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


class Memo:
    """One request's loaded batches; never shared between requests."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[Batch, tuple[Hashable, ...]], dict[Hashable, Any]] = {}

    def get(self, batch: Batch, key: Hashable, *args: Hashable) -> Any:
        """A loaded key's result; raises the batch's error if it failed."""
        found = self._loaded[(batch, args)][key]
        if type(found) is Failed:
            raise found.error
        return found

    def table(self, batch: Batch, *args: Hashable) -> dict[Hashable, Any]:
        """Everything loaded of one batch (results or Failed), by key."""
        return self._loaded.get((batch, args), {})

    def put_all(
        self, batch: Batch, results: Iterable[tuple[Hashable, Any]], *args: Hashable
    ) -> None:
        """File results (or Faileds) by key under a batch another batch read them for."""
        self._loaded.setdefault((batch, args), {}).update(results)

    async def load(self, needs: Iterable[Need]) -> None:
        """Load every needed key not loaded yet: one call per batch function and argument
        set, all of them concurrently."""
        wanted: dict[Slot, dict[Hashable, None]] = {}
        needs = list(needs)
        covered: dict[Slot, set[Hashable]] = {}
        fills: dict[Slot, Fill] = {}
        for need in needs:
            if need.fill is not None:
                fills[(need.batch, need.args)] = need.fill
                for slot in need.covers:
                    covered.setdefault(slot, set()).update(need.keys)
        for need in needs:
            slot = (need.batch, need.args)
            loaded = self._loaded.get(slot, {})
            skip = covered.get(slot, ())
            keys = wanted.setdefault(slot, {})
            for key in need.keys:
                if key not in loaded and key not in skip:
                    keys[key] = None
        calls = (
            [self._fused(batch, slots, keys) for batch, slots, keys in _fusions(wanted)]
            if len(wanted) > 1  # a fusion reads two batches or more
            else []
        )
        calls += [
            self._call(slot, list(keys), fills.get(slot)) for slot, keys in wanted.items() if keys
        ]
        await concurrently(calls)

    async def _fused(self, batch: Batch, slots: list[Slot], keys: list[Hashable]) -> None:
        """One call of a fused batch (a tuple per key), filling each slot it stands for."""
        results: Sequence[Any]
        try:
            results = await batch(keys)
        except Exception as error:
            results = [(Failed(error),) * len(slots)] * len(keys)
        for position, slot in enumerate(slots):
            loaded = self._loaded.setdefault(slot, {})
            for key, result in zip(keys, results, strict=True):
                loaded[key] = result[position]

    async def _call(self, slot: Slot, keys: list[Hashable], fill: Fill | None = None) -> None:
        batch, args = slot
        results: Sequence[Any]
        try:
            results = await batch(keys, *args)
        except Exception as error:
            results = [Failed(error)] * len(keys)
        self._loaded.setdefault(slot, {}).update(zip(keys, results, strict=True))
        if fill is not None:
            fill(self, batch, keys, results, args)


async def concurrently(calls: Sequence[Awaitable[None]]) -> None:
    """Await every call, all at once: the first in the current task, each other in a task
    of its own (one task fewer than ``asyncio.gather``; a task costs about 13 µs of CPU).
    When one raises (the memo's calls keep a batch's error as ``Failed`` instead), or the
    caller is cancelled, the others are cancelled and the error goes on."""
    if len(calls) <= 1:
        if calls:
            await calls[0]
        return
    others = [asyncio.ensure_future(call) for call in calls[1:]]
    try:
        await calls[0]
        for task in others:
            await task
    except BaseException:
        for task in others:
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                task.exception()  # seen: the error that goes on is the first one
        raise
