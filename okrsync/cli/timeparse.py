"""``--as-of`` values: an ISO date or date-time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from okrsync.errors import ConfigError


def parse_as_of(text: str | None, tz: ZoneInfo) -> datetime:
    """A date means the end of that day in the configured time zone (the day's work
    counts); a date-time without an offset is read in that zone too."""
    if text is None:
        return datetime.now(UTC)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            end = datetime.combine(day + timedelta(days=1), time(), tz) - timedelta(microseconds=1)
            return end.astimezone(UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"--as-of {text!r} is not a date or date-time; write e.g. 2027-02-15 "
            "or 2027-02-15T12:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)
