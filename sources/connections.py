"""The asyncpg connections one source keeps for its reads.

A read takes an idle connection (or opens one, up to ``size``, or waits for one) and gives it
back; a connection whose read failed or was cancelled is terminated by the lane and leaves the
pool, which opens another when one is needed. Reads run in autocommit and change no session
state, so a connection needs no reset between reads: giving one back is a list append, where
asyncpg's own pool also rearms an inactivity timer and queues the connection's holder.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

Opener = Callable[[], Awaitable[asyncpg.Connection]]


class ReadConnections:
    """At most ``size`` connections of one source's reads, opened on demand."""

    def __init__(
        self, open_connection: Opener, size: int, track: Callable[[asyncio.Future[Any]], Any]
    ) -> None:
        self._open_connection = open_connection
        self._size = size
        self._track = track  # background work a shutdown waits for
        self._idle: list[asyncpg.Connection] = []
        self._opened = 0
        self._waiting: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._closed = False

    @property
    def checked_out(self) -> int:
        return self._opened - len(self._idle)

    def idle(self) -> asyncpg.Connection | None:
        """An idle open connection, if there is one (then no need to :meth:`acquire`)."""
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():
                return conn
            self._opened -= 1
        return None

    async def acquire(self) -> asyncpg.Connection:
        """An open connection for one read."""
        while True:
            conn = self.idle()
            if conn is not None:
                return conn
            if self._opened < self._size:
                self._opened += 1
                opening = asyncio.ensure_future(self._open_connection())
                try:
                    return await asyncio.shield(opening)
                except asyncio.CancelledError:
                    # The read gave up; the connection, once open, joins the idle ones.
                    opening.add_done_callback(self._opened_late)
                    self._track(opening)
                    raise
                except BaseException:
                    self._opened -= 1
                    self._wake()
                    raise
            waiter: asyncio.Future[asyncpg.Connection | None] = (
                asyncio.get_running_loop().create_future()
            )
            self._waiting.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self.release(waiter.result())  # handed over just as the read gave up
                raise
            if handed is not None:
                return handed
            # A connection was dropped: there is room to open one; go round again.

    def release(self, conn: asyncpg.Connection) -> None:
        """Give a connection back after its read (a terminated one leaves the pool)."""
        if conn.is_closed() or self._closed:
            self._opened -= 1
            if not conn.is_closed():
                conn.terminate()
            self._wake()
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    def _opened_late(self, opening: asyncio.Future[asyncpg.Connection]) -> None:
        if opening.cancelled() or opening.exception() is not None:
            self._opened -= 1
            self._wake()
        else:
            self.release(opening.result())

    def _wake(self) -> None:
        """Let a waiting read open the connection that was just given up."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        """Close every idle connection; connections still in use close when given back."""
        self._closed = True
        idle, self._idle = self._idle, []
        self._opened -= len(idle)
        await asyncio.gather(*(conn.close() for conn in idle), return_exceptions=True)
