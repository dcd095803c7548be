"""``c360 serve --workers N``: N worker processes, with connections dealt out in turn.

Uvicorn's own workers share the listening socket and race to accept, and the one that wins
takes every connection waiting at that moment: eight keep-alive connections opened together
were seen split 8/0, 7/1 and 6/2 between two workers. Connections then stay where they
landed, so one worker ran at its limit while the other idled, and latency grew long tails.

Here the supervisor keeps the listening socket, and a dealer thread accepts each connection
and passes it, over a Unix socket of the worker's own, to the next ready worker in turn
(round robin, as Node's cluster module does). Turns rather than the fewest open connections:
a busy worker notices its clients' closes late (a page of 50 customers holds its event loop
for tens of milliseconds), so counts of open connections lag, and a burst of new
connections dealt by them landed 23/9. A worker is dealt connections only once it has
started. A worker that dies is replaced; one that fails to start stops the supervisor, as
with uvicorn's.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import selectors
import signal
import socket
import threading
import time
from typing import Any

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.server import Server
from uvicorn.supervisors.multiprocess import Process

logger = logging.getLogger("uvicorn.error")

READY = b"R"
_DEALT = b"d"
_MAX_FDS = 64
_HEALTH_SECONDS = 0.5
_ACCEPT_PAUSE_SECONDS = 0.1


class Dealer:
    """Accepts connections on ``listener`` and hands each to the next ready worker in
    turn. Runs in a thread of its own (``start``/``stop``)."""

    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ, "wake")
        self._lock = threading.Lock()
        self._arriving: list[socket.socket] = []
        self._channels: list[socket.socket] = []
        self._ready: list[socket.socket] = []
        self._turn = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="c360-dealer", daemon=True)

    def attach(self, channel: socket.socket) -> None:
        """A new worker's end of its channel; it is dealt connections once it reports ready."""
        with self._lock:
            self._arriving.append(channel)
        self._wake_writer.send(b"w")

    def ready_workers(self) -> int:
        """Workers being dealt connections."""
        with self._lock:
            return len(self._ready)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting; connections already dealt stay with their workers."""
        self._stopped = True
        self._wake_writer.send(b"w")
        self._thread.join(timeout=5)
        self._wake_writer.close()

    def _run(self) -> None:
        try:
            while not self._stopped:
                for key, _ in self._selector.select():
                    if key.data == "wake":
                        self._wake_reader.recv(4096)
                        self._take_arrivals()
                    elif key.data == "listener":
                        self._deal()
                    else:
                        self._hear(key.fileobj)  # type: ignore[arg-type]
        finally:
            self._selector.close()
            self.listener.close()
            self._wake_reader.close()
            for channel in [*self._channels, *self._arriving]:
                channel.close()

    def _take_arrivals(self) -> None:
        with self._lock:
            arriving, self._arriving = self._arriving, []
        for channel in arriving:
            channel.setblocking(False)
            self._channels.append(channel)
            self._selector.register(channel, selectors.EVENT_READ, "worker")

    def _hear(self, channel: socket.socket) -> None:
        try:
            news = channel.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            news = b""
        if not news:
            self._forget(channel)
            return
        if READY in news and channel not in self._ready:
            with self._lock:
                self._ready.append(channel)
            self._listen(True)

    def _forget(self, channel: socket.socket) -> None:
        self._selector.unregister(channel)
        self._channels.remove(channel)
        with self._lock:
            if channel in self._ready:
                self._ready.remove(channel)
        channel.close()
        self._listen(bool(self._ready))

    def _listen(self, on: bool) -> None:
        """Accept only while some worker is ready; until then connections wait in the
        kernel's backlog."""
        listening = "listener" in (key.data for key in self._selector.get_map().values())
        if on and not listening:
            self._selector.register(self.listener, selectors.EVENT_READ, "listener")
        elif not on and listening:
            self._selector.unregister(self.listener)

    def _deal(self) -> None:
        while self._ready:
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # out of file descriptors, say: wait, then try again
                logger.warning("c360: accept failed: %s", error.strerror or type(error).__name__)
                time.sleep(_ACCEPT_PAUSE_SECONDS)
                return
            with connection:
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._hand_over(connection)

    def _hand_over(self, connection: socket.socket) -> None:
        """To the next worker in turn; past one whose channel is full (a worker that has
        stopped reading for now), and past one that is gone. With none left, the
        connection is closed."""
        skipped = 0
        while skipped < len(self._ready):
            channel = self._ready[next(self._turn) % len(self._ready)]
            try:
                socket.send_fds(channel, [_DEALT], [connection.fileno()])
                return
            except BlockingIOError:
                skipped += 1
            except OSError:
                self._forget(channel)


class DealtServer(Server):
    """Uvicorn's server in a worker that is dealt its connections over ``sockets[0]``
    instead of listening itself."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        assert sockets, "a dealt worker needs its channel"
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            raise SystemExit(STARTUP_FAILURE)
        config, channel = self.config, sockets[0]
        channel.setblocking(False)
        loop = asyncio.get_running_loop()
        protocol_class = config.http_protocol_class
        connecting: set[asyncio.Task[Any]] = set()

        def create_protocol() -> asyncio.Protocol:
            return protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        def receive() -> None:
            try:
                message, fds, _, _ = socket.recv_fds(channel, 4096, _MAX_FDS)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message:  # the supervisor is gone: finish what is in flight and stop
                loop.remove_reader(channel)
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                task = loop.create_task(
                    loop.connect_accepted_socket(create_protocol, connection, ssl=config.ssl)
                )
                connecting.add(task)
                task.add_done_callback(connected)

        def connected(task: asyncio.Task[Any]) -> None:
            connecting.discard(task)
            if not task.cancelled() and task.exception() is not None:
                # The client went away before its connection was opened; nothing to serve.
                logger.debug("c360: a dealt connection could not be opened")

        self.servers = []
        loop.add_reader(channel, receive)
        channel.send(READY)
        self.started = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop reading the channel before uvicorn's shutdown closes it (``sockets``)."""
        for channel in sockets or []:
            if channel.fileno() >= 0:
                asyncio.get_running_loop().remove_reader(channel)
        await super().shutdown(sockets)


class DealtProcess(Process):
    """Uvicorn's worker process, running a ``DealtServer``."""

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = DealtServer(config=self.config)
        return self._server


class Supervisor:
    """Starts ``workers`` dealt workers, replaces any that dies, and stops them all on
    SIGINT or SIGTERM."""

    def __init__(self, config: Config, workers: int) -> None:
        self.config = config
        self.workers = workers
        self.should_exit = threading.Event()
        self.processes: list[DealtProcess] = []

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.should_exit.set())
        listener = self.config.bind_socket()
        listener.listen(self.config.backlog)
        dealer = Dealer(listener)
        dealer.start()
        code = 0
        try:
            self.processes = [self._spawn(dealer) for _ in range(self.workers)]
            while not self.should_exit.wait(_HEALTH_SECONDS):
                if not self._keep_alive(dealer):
                    code = STARTUP_FAILURE
                    break
        finally:
            dealer.stop()
            for process in self.processes:
                process.terminate()
            for process in self.processes:
                process.join()
        return code

    def _spawn(self, dealer: Dealer) -> DealtProcess:
        ours, theirs = socket.socketpair()
        process = DealtProcess(self.config, [theirs])
        process.start()
        theirs.close()
        dealer.attach(ours)
        return process

    def _keep_alive(self, dealer: Dealer) -> bool:
        """Replace dead or hung workers; False when one failed to start at all."""
        for index, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                logger.error("c360: worker [%s] failed to start; stopping", process.pid)
                return False
            if self.should_exit.is_set():
                return True
            logger.info("c360: worker [%s] died; starting another", process.pid)
            self.processes[index] = self._spawn(dealer)
        return True
