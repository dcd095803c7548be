"""Structured JSON logs: one line per request, never a customer value.

A request's line carries its id, the subject and role of the caller, the operation name (as
``gateway.metrics.safe_operation_name`` lets it through), the outcome, the HTTP status and
the duration. Variables, the query text and the result are never logged: any of them can hold
a customer's identifiers.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import random
import threading
import time
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError

from gateway.metrics import safe_operation_name

REQUEST_LOGGER = "c360.request"
_FIELDS = "c360"

current_request_id: ContextVar[str | None] = ContextVar("c360_request_id", default=None)

_ids = random.Random()  # seeded from the OS; reseeded in a forked child
os.register_at_fork(after_in_child=_ids.seed)


def new_request_id() -> str:
    """A request id: 32 hex digits, like a UUID4's, drawn without a system call."""
    return f"{_ids.getrandbits(128):032x}"


"""The id of the request being served, added to every line logged while serving it."""


class JsonFormatter(logging.Formatter):
    """A JSON object per record: time, level, logger, message and the record's c360 fields."""

    def format(self, record: logging.LogRecord) -> str:
        exception = self.formatException(record.exc_info) if record.exc_info else None
        return json_line(
            record.created,
            record.levelname,
            record.name,
            record.getMessage(),
            getattr(record, _FIELDS, {}),
            exception,
        )


def json_line(
    created: float,
    level: str,
    logger: str,
    message: str,
    fields: dict[str, Any],
    exception: str | None = None,
) -> str:
    """One log line as :class:`JsonFormatter` writes it."""
    entry: dict[str, Any] = {
        "time": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "logger": logger,
        "message": message,
        **fields,
    }
    request_id = current_request_id.get()
    if request_id is not None:
        entry.setdefault("request_id", request_id)
    if exception is not None:
        entry["exception"] = exception
    try:
        return orjson.dumps(entry).decode("utf-8")
    except TypeError:  # a value orjson does not know; json.dumps says it as text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str | None = None) -> None:
    """JSON lines on stderr for the ``c360`` loggers (``C360_LOG_LEVEL``, default INFO).
    Idempotent; leaves other loggers alone."""
    logger = logging.getLogger("c360")
    logger.setLevel(level or os.environ.get("C360_LOG_LEVEL", "INFO").upper())
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    errors = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, GraphQLErrorLog) for f in errors.filters):
        errors.addFilter(GraphQLErrorLog())


class GraphQLErrorLog(logging.Filter):
    """Strawberry logs each error of a response with the query text around it (literals
    included) and the exception, whose message may hold a value. This keeps only unexpected
    errors, and of those only the exception's type, the field path and the traceback's frames.
    Errors meant for the client (bad input, a source unavailable, validation) are in the
    response already and are not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        if not isinstance(error, GraphQLError):
            return True
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return False
        record.msg, record.args, record.exc_info, record.exc_text = "internal error", (), None, None
        setattr(
            record,
            _FIELDS,
            {
                "request_id": current_request_id.get(),
                "error": type(original).__name__,
                "path": [
                    p if isinstance(p, int) else safe_operation_name(p) for p in error.path or []
                ],
                "frames": [
                    f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
                    for frame in traceback.extract_tb(original.__traceback__)
                ],
            },
        )
        return True


_request_logger = logging.getLogger(REQUEST_LOGGER)
_c360_logger = logging.getLogger("c360")
_root_logger = logging.getLogger()


def log_request(**fields: Any) -> None:
    """One line for an answered request; ``fields`` must carry no customer value.

    Where the line goes only to the JSON handler :func:`configure_logging` installed (as when
    serving), it is written as that handler would write it, without a ``LogRecord`` and with
    the lines of one turn of the event loop in one write: the record, the handler's lock and
    a write per line had cost some 6 % of a one-customer request. Anywhere else (another
    handler or filter on the way, as in tests) it goes through ``logging``.
    """
    logger = _request_logger
    if not logger.isEnabledFor(logging.INFO):
        return
    handler = _sole_json_handler()
    if handler is None:
        # Not logger.info(): it walks the stack for the caller's file and line on every
        # request, and the line says neither.
        record = logger.makeRecord(
            REQUEST_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra={_FIELDS: fields}
        )
        logger.handle(record)
        return
    _lines.write(handler, json_line(time.time(), "INFO", REQUEST_LOGGER, "request", fields))


def _sole_json_handler() -> logging.StreamHandler[Any] | None:
    """The handler of :func:`configure_logging`, when a request line would reach it and
    nothing else (no other handler, no filter, not the root logger's handlers)."""
    request, c360 = _request_logger, _c360_logger
    if request.handlers or request.filters or not request.propagate or c360.filters:
        return None
    handlers = c360.handlers
    if len(handlers) != 1 or (c360.propagate and _root_logger.handlers):
        return None
    handler = handlers[0]
    if (
        type(handler) is not logging.StreamHandler
        or type(handler.formatter) is not JsonFormatter
        or handler.filters
        or handler.level > logging.INFO
    ):
        return None
    return handler


class _Lines:
    """Request lines waiting for the end of the event loop's turn, then written at once.

    Only the main thread's loop (the one serving) batches; a line logged without a running
    loop, or from another thread, is written at once. Lines still waiting when the process
    exits are written then.
    """

    def __init__(self) -> None:
        self._pending: list[str] = []
        self._handler: logging.StreamHandler[Any] | None = None

    def write(self, handler: logging.StreamHandler[Any], line: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or threading.current_thread() is not threading.main_thread():
            _emit(handler, [line])
            return
        if handler is not self._handler:
            self.flush()
            self._handler = handler
        self._pending.append(line)
        if len(self._pending) == 1:
            loop.call_soon(self.flush)

    def forget(self) -> None:
        """Drop the waiting lines (a forked child: its parent writes them)."""
        self._pending = []

    def flush(self) -> None:
        lines, self._pending = self._pending, []
        if lines and self._handler is not None:
            _emit(self._handler, lines)


def _emit(handler: logging.StreamHandler[Any], lines: list[str]) -> None:
    terminator = handler.terminator
    text = terminator.join(lines) + terminator
    handler.acquire()
    try:
        handler.stream.write(text)
        handler.flush()
    except Exception:
        handler.handleError(logging.makeLogRecord({"name": REQUEST_LOGGER, "msg": "request"}))
    finally:
        handler.release()


_lines = _Lines()
atexit.register(_lines.flush)
os.register_at_fork(after_in_child=_lines.forget)  # the parent writes its own lines
