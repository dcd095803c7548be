"""Global ids and cursors: opaque to clients, untrusted when they come back."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime

import strawberry

from gateway.errors import bad_user_input

# Node types and whether their key is an integer.
NODE_KEYS: dict[str, type] = {
    "Customer": str,
    "Account": int,
    "Transaction": int,
    "Holding": int,
    "Product": str,
    "RelationshipManager": str,
    "Branch": str,
    "Interaction": int,
    "Complaint": int,
}


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _encode(text: str) -> str:
    """URL-safe base64 without padding: ``base64.urlsafe_b64encode``'s text, in fewer
    Python-level calls."""
    return (
        binascii.b2a_base64(text.encode(), newline=False).rstrip(b"=").translate(_URLSAFE).decode()
    )


def _decode(token: str, what: str) -> str:
    try:
        padded = token + "=" * (-len(token) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise bad_user_input(f"Malformed {what}.") from None


def global_id(type_name: str, key: str | int) -> strawberry.ID:
    """The global id of a node."""
    return strawberry.ID(_encode(f"{type_name}:{key}"))


def parse_global_id(value: str, expected: str | None = None) -> tuple[str, str | int]:
    """(type name, key) of a global id; BAD_USER_INPUT when malformed or of the wrong type."""
    type_name, sep, raw_key = _decode(value, "global id").partition(":")
    key_type = NODE_KEYS.get(type_name)
    if not sep or key_type is None or not raw_key or len(raw_key) > 40:
        raise bad_user_input("Malformed global id.")
    if expected is not None and type_name != expected:
        raise bad_user_input(f"Expected the global id of a {expected}.")
    if key_type is int:
        if not raw_key.isascii() or not raw_key.isdigit():
            raise bad_user_input("Malformed global id.")
        return type_name, int(raw_key)
    return type_name, raw_key


def key_cursor(key: str) -> str:
    """Cursor of a list ordered by a string key."""
    return _encode(f"k:{key}")


def parse_key_cursor(cursor: str) -> str:
    """The key inside a key cursor."""
    kind, _, key = _decode(cursor, "cursor").partition(":")
    if kind != "k" or not key or len(key) > 40:
        raise bad_user_input("Malformed cursor.")
    return key


def moment_cursor(moment: date | datetime, row_id: int | date) -> str:
    """Cursor of a newest-first list: the (time, id) of a row."""
    return _encode(f"m:{moment.isoformat()}|{_iso_or_int(row_id)}")


def parse_moment_cursor(cursor: str, *, dates: bool = False) -> tuple[date | datetime, int | date]:
    """(time, id) inside a moment cursor; dates=True for lists keyed by a date alone."""
    kind, _, body = _decode(cursor, "cursor").partition(":")
    moment_text, sep, id_text = body.partition("|")
    try:
        if kind != "m" or not sep:
            raise ValueError
        if dates:
            return date.fromisoformat(moment_text), date.fromisoformat(id_text)
        return datetime.fromisoformat(moment_text), int(id_text)
    except ValueError:
        raise bad_user_input("Malformed cursor.") from None


def _iso_or_int(value: int | date) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
