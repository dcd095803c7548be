"""Structured JSON logs: one line per request, never a customer value.

A request's line carries its id, the subject and role of the caller, the operation name (as
``gateway.metrics.safe_operation_name`` lets it through), the outcome, the HTTP status and
the duration. Variables, the query text and the result are never logged: any of them can hold
a customer's identifiers.
"""

from __future__ import annotations

import json
import logging
import os
import random
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
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, _FIELDS, {}),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            entry.setdefault("request_id", request_id)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
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


def log_request(**fields: Any) -> None:
    """One line for an answered request; ``fields`` must carry no customer value."""
    logger = _request_logger
    if logger.isEnabledFor(logging.INFO):
        # Not logger.info(): it walks the stack for the caller's file and line on every
        # request, and the line says neither.
        record = logger.makeRecord(
            REQUEST_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra={_FIELDS: fields}
        )
        logger.handle(record)
