"""The request log line: the same JSON whichever way it is written, and never lost."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gateway.logs import REQUEST_LOGGER, JsonFormatter, configure_logging, log_request

FIELDS: dict[str, Any] = {
    "request_id": "0123456789abcdef0123456789abcdef",
    "subject": "rm0006",
    "role": "RELATIONSHIP_MANAGER",
    "operation": "W1",
    "outcome": "ok",
    "status": 200,
    "duration_ms": 1.5,
}


@pytest.fixture
def served_stream(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The JSON handler's stream."""
    configure_logging()
    [handler] = logging.getLogger("c360").handlers
    stream = io.StringIO()
    monkeypatch.setattr(handler, "stream", stream)
    return stream


@contextmanager
def served_alone() -> Iterator[None]:
    """No root handlers (pytest adds its own as each test starts), as ``c360 serve`` runs."""
    root = logging.getLogger()
    kept, root.handlers = root.handlers, []
    try:
        yield
    finally:
        root.handlers = kept


def _reference_line(fields: dict[str, Any]) -> dict[str, Any]:
    logger = logging.getLogger(REQUEST_LOGGER)
    record = logger.makeRecord(
        REQUEST_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra={"c360": fields}
    )
    parsed: dict[str, Any] = json.loads(JsonFormatter().format(record))
    return parsed


async def test_lines_of_one_loop_turn_are_written_together_as_the_formatter_writes_them(
    served_stream: io.StringIO,
) -> None:
    second = {**FIELDS, "request_id": "f" * 32, "outcome": "partial"}
    with served_alone():
        log_request(**FIELDS)
        log_request(**second)
        assert served_stream.getvalue() == ""  # until the loop's turn ends
        await asyncio.sleep(0)
    lines = [json.loads(line) for line in served_stream.getvalue().splitlines()]
    expected = [_reference_line(FIELDS), _reference_line(second)]
    assert [list(line) for line in lines] == [list(line) for line in expected]
    for line, reference in zip(lines, expected, strict=True):
        line.pop("time"), reference.pop("time")
        assert line == reference


def test_a_line_logged_outside_a_loop_is_written_at_once(served_stream: io.StringIO) -> None:
    with served_alone():
        log_request(**FIELDS)
    [line] = served_stream.getvalue().splitlines()
    assert json.loads(line)["request_id"] == FIELDS["request_id"]


async def test_with_another_handler_on_the_way_the_line_goes_through_logging(
    served_stream: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        log_request(**FIELDS)
    [record] = [r for r in caplog.records if r.name == REQUEST_LOGGER]
    assert record.c360 == FIELDS  # type: ignore[attr-defined]
    [line] = served_stream.getvalue().splitlines()  # the JSON handler had it too, at once
    assert json.loads(line)["request_id"] == FIELDS["request_id"]


def test_lines_still_waiting_when_the_process_exits_are_written() -> None:
    script = (
        "import asyncio, logging\n"
        "from gateway.logs import configure_logging, log_request\n"
        "configure_logging()\n"
        "async def main():\n"
        "    log_request(request_id='r1', status=200)\n"
        "    raise SystemExit(0)\n"  # leaves the loop before its turn ends, never to return
        "asyncio.new_event_loop().run_until_complete(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    [line] = done.stderr.splitlines()
    assert json.loads(line)["request_id"] == "r1"
