"""Where the seeded site's moments fall: around a fixed anchor, or in the current quarter.

The dataset describes its issues in days after the anchor (the cycle start). Tests pass
a fixed anchor and get the same instants on every run. Without one, the site is placed
in the current calendar quarter (UTC) so that someone trying okrsync today sees a cycle
under way: history before the anchor stays as it is, and when less of the quarter has
passed than the dataset spans, the in-cycle part is compressed to end just before now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# The anchor tests and ``okrsync demo`` use: their hand-computed values assume it.
FIXED_ANCHOR = date(2027, 1, 1)
# The dataset's last seeded event is at A+46d 15:00 (DATASET.md).
SEEDED_SPAN = timedelta(days=46, hours=15)
# How far before "now" the compressed timeline ends, at most.
_LEAD = timedelta(hours=1)


def quarter_start(moment: datetime) -> date:
    """The first day of the calendar quarter (UTC) ``moment`` falls in."""
    day = moment.astimezone(UTC).date()
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Timeline:
    """Turns the dataset's (day, hour) offsets from the anchor into instants."""

    start: datetime  # the anchor, 00:00 UTC
    # How much of each in-cycle offset remains (1: none compressed).
    factor: float = 1.0
    # The moment the site was seeded at, when placed relative to it.
    now: datetime | None = None

    @classmethod
    def fixed(cls, anchor: date) -> Timeline:
        return cls(datetime.combine(anchor, time(0, 0), tzinfo=UTC))

    @classmethod
    def current(cls, now: datetime) -> Timeline:
        """The current quarter, every seeded event before ``now``."""
        start = datetime.combine(quarter_start(now), time(0, 0), tzinfo=UTC)
        elapsed = now - start
        room = elapsed - min(elapsed / 2, _LEAD)
        # A linear squeeze keeps every event's order and the gaps' proportions.
        return cls(start, factor=min(1.0, room / SEEDED_SPAN), now=now)

    @property
    def anchor(self) -> date:
        return self.start.date()

    def at(self, day: float, hour: int = 10) -> datetime:
        offset = timedelta(days=day, hours=hour)
        if offset > timedelta(0):
            offset *= self.factor
        return self.start + offset

    def window(
        self, first: datetime, last: datetime, settles: timedelta
    ) -> tuple[datetime, datetime]:
        """``(first, last)`` shortened so that things created up to ``last`` and changing
        for ``settles`` after that have finished changing by ``now``."""
        if self.now is None:
            return first, last
        return first, max(first, min(last, self.now - settles))
