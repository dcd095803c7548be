"""Each HTTP answer leaves in one write, and nothing about the answer changes for it."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn

from gateway.corking import CorkedHttpToolsProtocol, HeldWrite

BODY = b'{"data":{"__typename":"Query"}}'


class FakeTransport:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, lines: Any) -> None:
        self.calls.append(("writelines", b"".join(lines)))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


async def test_head_and_body_leave_in_one_call() -> None:
    transport = FakeTransport()
    held = HeldWrite(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert transport.calls == []
    held.write(BODY)
    assert transport.calls == [("writelines", b"HTTP/1.1 200 OK\r\n\r\n" + BODY)]
    await asyncio.sleep(0)  # the end-of-iteration flush finds nothing held
    assert len(transport.calls) == 1


async def test_a_lone_write_leaves_by_the_end_of_the_loop_iteration() -> None:
    transport = FakeTransport()
    held = HeldWrite(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    await asyncio.sleep(0)
    assert transport.calls == [("write", b"HTTP/1.1 204 No Content\r\n\r\n")]


async def test_close_sends_what_is_held_first_and_abort_drops_it() -> None:
    loop = asyncio.get_running_loop()
    closed = FakeTransport()
    held = HeldWrite(closed, loop)  # type: ignore[arg-type]
    held.write(b"head")
    held.close()
    assert closed.calls == [("write", b"head"), ("close", None)]

    aborted = FakeTransport()
    held = HeldWrite(aborted, loop)  # type: ignore[arg-type]
    held.write(b"head")
    held.abort()
    await asyncio.sleep(0)
    assert aborted.calls == [("abort", None)]


async def test_nothing_is_written_to_a_connection_that_has_gone() -> None:
    transport = FakeTransport()
    held = HeldWrite(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    held.write(b"head")
    transport.closing = True  # the peer went away before the loop came round
    await asyncio.sleep(0)
    assert transport.calls == []
    assert held.get_extra_info("peername") == "extra peername"


async def _app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await receive()
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one,", b"two,", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


def _read_response(conn: socket.socket, buffer: bytearray, method: bytes) -> bytes:
    """One response off a keep-alive connection (content-length or chunked)."""
    while b"\r\n\r\n" not in buffer:
        buffer += conn.recv(65536)
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    buffer[:] = rest
    lowered = head.lower()
    if b"transfer-encoding: chunked" in lowered:
        while not buffer.endswith(b"0\r\n\r\n"):
            buffer += conn.recv(65536)
        body, buffer[:] = bytes(buffer), b""
        return head + b"\r\n\r\n" + body
    length = 0
    if b"content-length:" in lowered:
        length = int(lowered.split(b"content-length:")[1].split(b"\r\n")[0])
    if method == b"HEAD":
        length = 0
    while len(buffer) < length:
        buffer += conn.recv(65536)
    body, buffer[:] = bytes(buffer[:length]), buffer[length:]
    return head + b"\r\n\r\n" + body


@pytest.fixture
async def corked_server() -> Any:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        _app, host="127.0.0.1", port=port, http=CorkedHttpToolsProtocol, log_level="warning"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    await serving


async def test_served_answers_are_whole_on_a_kept_alive_connection(corked_server: int) -> None:
    def exchange() -> list[bytes]:
        with socket.create_connection(("127.0.0.1", corked_server)) as conn:
            buffer = bytearray()
            answers = []
            for request in (
                b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}",
                b"HEAD /graphql HTTP/1.1\r\nhost: x\r\n\r\n",
                b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n",
                b"GET /graphql HTTP/1.1\r\nhost: x\r\n\r\n",
            ):
                conn.sendall(request)
                answers.append(_read_response(conn, buffer, request.split(b" ")[0]))
            return answers

    posted, head, streamed, got = await asyncio.to_thread(exchange)
    assert posted.startswith(b"HTTP/1.1 200 OK\r\n") and posted.endswith(b"\r\n\r\n" + BODY)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n")
    assert b"content-length: %d" % len(BODY) in head
    assert streamed.endswith(b"4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n")
    assert got.endswith(BODY)
