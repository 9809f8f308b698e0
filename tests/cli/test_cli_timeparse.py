"""``--as-of``: dates are the end of that day in the configured zone; anything else is
one clear error, including instants at the ends of what dates can hold."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from okrsync.cli.timeparse import parse_as_of
from okrsync.errors import ConfigError

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_date_is_the_end_of_that_day_in_the_zone() -> None:
    # Berlin is UTC+1 in February: the day ends at 22:59:59.999999 UTC.
    assert parse_as_of("2027-02-15", BERLIN) == datetime(2027, 2, 15, 22, 59, 59, 999999, UTC)


def test_a_date_time_without_offset_is_read_in_the_zone() -> None:
    assert parse_as_of("2027-02-15T12:00", BERLIN) == datetime(2027, 2, 15, 11, 0, tzinfo=UTC)
    assert parse_as_of("2027-02-15T12:00Z", BERLIN) == datetime(2027, 2, 15, 12, 0, tzinfo=UTC)


NOT_AN_INSTANT = "is not a date or date-time; write e.g. 2027-02-15 or 2027-02-15T12:00"
OUT_OF_RANGE = "is out of range: give an instant between 1970 and 2999"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("yesterday", NOT_AN_INSTANT),
        ("2027-13-45", NOT_AN_INSTANT),
        ("2027-02-16T25:00", NOT_AN_INSTANT),
        ("99999-01-01", NOT_AN_INSTANT),
        # 9999-12-31 has no next day to end at; 0001-01-01 in Berlin starts in year 0.
        ("0001-01-01", OUT_OF_RANGE),
        ("9999-12-31", OUT_OF_RANGE),
        ("9999-12-31T23:59", OUT_OF_RANGE),
        ("1969-12-31", OUT_OF_RANGE),
    ],
)
def test_anything_else_is_one_clear_error(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_as_of(text, BERLIN)
    assert str(raised.value) == f"--as-of {text!r} {problem}"
