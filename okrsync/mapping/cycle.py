"""OKR cycles: ``2027-Q1``, ``2027-H2``, explicit ``{start, end}`` dates, or the
relative ``this-quarter`` and ``this-half``.

A cycle runs from the start of its first day to the end of its last day in the
configured time zone; the bounds are turned into UTC instants for evaluation. A
relative cycle is the quarter or half containing today's local date: mapping files are
read before (and apart from) the configuration that names the time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_NAMED = re.compile(r"^(\d{4})-(Q[1-4]|H[12])$")
# For trying okrsync out and for files regenerated each cycle.
RELATIVE_CYCLES = ("this-quarter", "this-half")
# What a mapping file's ``cycle`` text may be; the JSON Schema carries it too.
CYCLE_TEXT_PATTERN = r"^(\d{4}-(Q[1-4]|H[12])|this-quarter|this-half)$"
# The years okrsync works in: far beyond any real cycle, and clear of the ends of what
# dates can hold (a cycle ends at the midnight after its last day).
FIRST_YEAR = 1970
LAST_YEAR = 2999


@dataclass(frozen=True)
class Cycle:
    """A cycle's first and last day (inclusive), and its label."""

    label: str
    first_day: date
    last_day: date

    def start(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.first_day, time(), tz).astimezone(UTC)

    def end(self, tz: ZoneInfo) -> datetime:
        """The instant the cycle ends: midnight after its last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), tz).astimezone(UTC)

    def elapsed_fraction(self, at: datetime, tz: ZoneInfo) -> float:
        start, end = self.start(tz), self.end(tz)
        if at <= start:
            return 0.0
        if at >= end:
            return 1.0
        return (at - start) / (end - start)


def parse_named_cycle(text: str, today: date | None = None) -> Cycle:
    """``2027-Q1`` or ``2027-H2``; ``this-quarter`` and ``this-half`` name the one
    containing ``today`` (default: the local date) and are labelled by that name."""
    if text.strip() in RELATIVE_CYCLES:
        text = _current_name(text.strip(), today or date.today())
    match = _NAMED.match(text.strip())
    if not match:
        raise ValueError(
            f"{text!r} is not a cycle: write 2027-Q1..Q4, 2027-H1/H2, this-quarter, "
            "this-half, or {start: 2027-01-01, end: 2027-03-31}"
        )
    year, part = int(match.group(1)), match.group(2)
    _check_year(year)
    if part.startswith("Q"):
        first_month = 3 * (int(part[1]) - 1) + 1
        months = 3
    else:
        first_month = 1 if part == "H1" else 7
        months = 6
    first = date(year, first_month, 1)
    next_month = first_month + months
    after = date(year + 1, 1, 1) if next_month > 12 else date(year, next_month, 1)
    return Cycle(label=text.strip(), first_day=first, last_day=after - timedelta(days=1))


def _current_name(relative: str, today: date) -> str:
    if relative == "this-quarter":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


def explicit_cycle(start: date, end: date) -> Cycle:
    _check_year(start.year)
    _check_year(end.year)
    if end < start:
        raise ValueError(f"the cycle ends ({end}) before it starts ({start})")
    return Cycle(label=f"{start.isoformat()}..{end.isoformat()}", first_day=start, last_day=end)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"the cycle's year {year} is out of range: cycles fall between {FIRST_YEAR} "
            f"and {LAST_YEAR}"
        )
