"""``--as-of`` values: one set of ISO 8601 forms, each naming an instant.

``YYYY-MM-DD`` is the end of that day; ``YYYY-MM-DDTHH:MM`` and ``YYYY-MM-DDTHH:MM:SS``
are that minute or second. Each is read in the configured time zone, unless it ends in
``Z`` (UTC) or an offset such as ``+01:00``. Nothing else is read (no week dates, no
space for the ``T``, no fractions): Python alone would accept several more forms,
and a user should not have to guess which of them mean what.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from okrsync.errors import ConfigError
from okrsync.mapping.cycle import FIRST_YEAR, LAST_YEAR

# Shown by --help and in the error for anything else.
AS_OF_FORMS = (
    "YYYY-MM-DD (the end of that day), YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, in the "
    "configured time zone unless followed by Z or an offset such as +01:00"
)
_DATE = r"\d{4}-\d{2}-\d{2}"
_FORM = re.compile(
    rf"{_DATE}(?:T\d{{2}}:\d{{2}}(?::\d{{2}})?(?:Z|[+-]\d{{2}}:\d{{2}})?)?", re.ASCII
)


def parse_as_of(text: str | None, tz: ZoneInfo) -> datetime:
    """The instant ``text`` names, in UTC (now when it is None)."""
    if text is None:
        return datetime.now(UTC)
    if not _FORM.fullmatch(text):
        raise ConfigError(f"--as-of {text!r} is not one of the forms okrsync reads: {AS_OF_FORMS}")
    try:
        if "T" not in text:
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
            f"--as-of {text!r} names no day or time of day that exists: write e.g. "
            "2027-02-15 or 2027-02-15T12:00"
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
