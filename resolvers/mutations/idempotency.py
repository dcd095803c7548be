"""Idempotency keys: a retried mutation is answered with its first result, never written twice.

A key belongs to the caller who sent it (the token's subject). What a key promises is pinned
by a fingerprint of the mutation and its input: the same key with other input is refused.
The result kept for a retry is the written row itself, so a retry sees exactly what the
first request saw (masked for the retrying request, as any read is).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from enum import Enum
from types import SimpleNamespace
from typing import Any

import strawberry
from sqlalchemy import Date, DateTime, Table

MAX_KEY_LENGTH = 64
KEY_DESCRIPTION = (
    f"A key the caller makes up for this request (at most {MAX_KEY_LENGTH} characters): "
    "sending the same request again with it returns the first result and writes nothing."
)
KEY_FIELD = "idempotency_key"
MAX_OWNER_LENGTH = 128  # crm_idempotency.subject


def key_owner(subject: str) -> str:
    """Who a key belongs to, as the CRM stores it: the subject, or its hash when it is too
    long for the column (tokens put no bound on ``sub``)."""
    if len(subject) <= MAX_OWNER_LENGTH:
        return subject
    return "sha256:" + hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(mutation: str, data: Any) -> str:
    """SHA-256 of the mutation's name and its input, the idempotency key left out."""
    canonical = json.dumps([mutation, _plain(data)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != KEY_FIELD and getattr(value, f.name) is not strawberry.UNSET
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def encode_row(row: Any) -> str:
    """A written row as JSON, for the idempotency record."""
    values = row._asdict()
    return json.dumps(
        {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in values.items()},
        ensure_ascii=False,
    )


def decode_row(table: Table, text: str) -> Any:
    """A row of ``table`` back from :func:`encode_row` (attribute access, like a Row)."""
    values = json.loads(text)
    for column in table.columns:
        raw = values.get(column.name)
        if raw is None:
            continue
        if isinstance(column.type, DateTime):
            values[column.name] = datetime.fromisoformat(raw)
        elif isinstance(column.type, Date):
            values[column.name] = date.fromisoformat(raw)
    return SimpleNamespace(**values)
