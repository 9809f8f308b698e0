"""Escaping and the few number and time formats the report uses.

Everything that reaches the page from a mapping file, a tool or a user (titles,
override reasons, item notes, even ids) goes through ``esc``.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from okrsync.summary import number, status_word

__all__ = ["esc", "instant", "number", "percent", "short_date", "stamp", "status_word"]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def percent(fraction: float | None) -> str:
    """Whole percents: a screen in a review needs "52%", not "51.9%"."""
    return "—" if fraction is None else f"{fraction * 100:.0f}%"


def instant(value: Any) -> datetime:
    """A point's time as an aware datetime; the store may hand back naive UTC values and
    JSON documents carry ISO strings."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def short_date(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}"


def stamp(moment: datetime) -> str:
    """The as-of time in the header, with the zone it is shown in."""
    zone = moment.tzname() or "UTC"
    return f"{moment.day} {moment:%b %Y, %H:%M} {zone}"
