"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as UTC; always returns it aware, in UTC.

    SQLite keeps no offset, so the value is written as naive UTC and re-tagged on the
    way out; PostgreSQL's ``timestamptz`` answers in the session's time zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous: storing it would silently shift it by the
            # machine's offset somewhere else.
            raise ValueError(f"naive datetime {value.isoformat()} given to the store; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """The engines' JSON serializer: compact, and tolerant of datetimes and enums."""
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)


def plain(value: Any) -> Any:
    """``value`` with non-finite floats made ``None``, containers made JSON-shaped.

    PostgreSQL's ``json`` rejects ``NaN`` and SQLite turns a ``NaN`` REAL into NULL, so
    results are cleaned before storing to make both backends answer alike.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def number(value: Any) -> float | None:
    """A finite float, or None for anything that is not one (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None
