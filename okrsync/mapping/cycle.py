"""OKR cycles: ``2027-Q1``, ``2027-H2``, explicit ``{start, end}`` dates, or the
relative ``this-quarter`` and ``this-half``; and plans of several cycles.

A half (``2027-H1``, ``this-half``) is a plan of its two quarters; a list of contiguous
named cycles (``[2027-Q1, 2027-Q2]``) is a plan of those. A plan is a ``Cycle`` over its
whole span whose ``parts`` are its cycles; a single cycle has no parts.

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
    # The cycles of a plan, in order; empty for a single cycle.
    parts: tuple[Cycle, ...] = ()

    @property
    def is_plan(self) -> bool:
        return bool(self.parts)

    def part(self, label: str) -> Cycle | None:
        """The plan's cycle labelled ``label``, if it has one."""
        return next((c for c in self.parts if c.label == label), None)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def share_through(self, part: Cycle) -> float:
        """The fraction of the plan's calendar days that have passed at ``part``'s end:
        what a linearly prorated target reaches by then."""
        return ((part.last_day - self.first_day).days + 1) / self.days

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
    label = text.strip()
    if part.startswith("Q"):
        quarter = _quarter(year, int(part[1]))
        return Cycle(label, quarter.first_day, quarter.last_day)
    first = 1 if part == "H1" else 3
    parts = (_quarter(year, first), _quarter(year, first + 1))
    return Cycle(label, parts[0].first_day, parts[1].last_day, parts)


def _quarter(year: int, quarter: int) -> Cycle:
    first_month = 3 * (quarter - 1) + 1
    first = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return Cycle(f"{year}-Q{quarter}", first, after - timedelta(days=1))


def plan_of(texts: list[str], today: date | None = None) -> Cycle:
    """A plan of the named cycles ``texts``, which must follow each other without gap
    or overlap; one name alone is that cycle."""
    if not texts:
        raise ValueError("a list of cycles needs at least one, e.g. [2027-Q1, 2027-Q2]")
    cycles: list[Cycle] = []
    for text in texts:
        cycle = parse_named_cycle(text, today)
        if cycle.is_plan:
            raise ValueError(
                f"{cycle.label} is itself a plan of {cycle.parts[0].label} and "
                f"{cycle.parts[1].label}: list quarters, e.g. "
                f"[{cycle.parts[0].label}, {cycle.parts[1].label}]"
            )
        if cycles:
            _check_follows(cycles[-1], cycle)
        cycles.append(cycle)
    if len(cycles) == 1:
        return cycles[0]
    label = f"{cycles[0].label}..{cycles[-1].label}"
    return Cycle(label, cycles[0].first_day, cycles[-1].last_day, tuple(cycles))


def _check_follows(before: Cycle, cycle: Cycle) -> None:
    if cycle.first_day == before.last_day + timedelta(days=1):
        return
    if cycle.label == before.label:
        raise ValueError(f"{cycle.label} is listed twice: list each cycle of the plan once")
    if cycle.first_day <= before.last_day:
        raise ValueError(
            f"{cycle.label} overlaps {before.label}: a plan's cycles follow each other, "
            "each starting the day after the one before ends"
        )
    raise ValueError(
        f"{cycle.label} does not follow {before.label}: the plan would have a gap "
        f"({before.last_day + timedelta(days=1)} to {cycle.first_day - timedelta(days=1)}); "
        "list contiguous cycles"
    )


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
