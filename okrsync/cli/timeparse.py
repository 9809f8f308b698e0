"""``--as-of`` values: an ISO date or date-time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from okrsync.errors import ConfigError
from okrsync.mapping.cycle import FIRST_YEAR, LAST_YEAR


def parse_as_of(text: str | None, tz: ZoneInfo) -> datetime:
    """A date means the end of that day in the configured time zone (the day's work
    counts); a date-time without an offset is read in that zone too."""
    if text is None:
        return datetime.now(UTC)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            end = datetime.combine(day + timedelta(days=1), time(), tz) - timedelta(microseconds=1)
            moment = end.astimezone(UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
            moment = moment.astimezone(UTC)
    except ValueError:
        raise ConfigError(
            f"--as-of {text!r} is not a date or date-time; write e.g. 2027-02-15 "
            "or 2027-02-15T12:00"
        ) from None
    except OverflowError:  # at the very ends of what dates can hold
        raise _out_of_range(text) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise _out_of_range(text)  # far outside any cycle
    return moment


def _out_of_range(text: str) -> ConfigError:
    return ConfigError(
        f"--as-of {text!r} is out of range: give an instant between {FIRST_YEAR} and {LAST_YEAR}"
    )
