"""``--as-of``: one documented set of forms. Dates are the end of that day in the
configured zone, date-times that minute or second there (or at their offset); anything
else is one clear error listing the forms, including instants at the ends of what
dates can hold."""

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


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2027-02-15T12:00:30", datetime(2027, 2, 15, 11, 0, 30, tzinfo=UTC)),
        ("2027-02-15T12:00:30Z", datetime(2027, 2, 15, 12, 0, 30, tzinfo=UTC)),
        ("2027-02-15T12:00+05:30", datetime(2027, 2, 15, 6, 30, tzinfo=UTC)),
        ("2027-02-15T12:00:30-03:00", datetime(2027, 2, 15, 15, 0, 30, tzinfo=UTC)),
        # Summer time: Berlin is UTC+2 in July.
        ("2027-07-01T12:00", datetime(2027, 7, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_every_documented_form_is_an_instant(text: str, instant: datetime) -> None:
    assert parse_as_of(text, BERLIN) == instant


NOT_A_FORM = (
    "is not one of the forms okrsync reads: YYYY-MM-DD (the end of that day), "
    "YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, in the configured time zone unless followed "
    "by Z or an offset such as +01:00"
)
NO_SUCH = "names no day or time of day that exists: write e.g. 2027-02-15 or 2027-02-15T12:00"
OUT_OF_RANGE = "is out of range: give an instant between 1970 and 2999"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("yesterday", NOT_A_FORM),
        ("99999-01-01", NOT_A_FORM),
        # Forms Python would read too, but okrsync does not document.
        ("2027-02-15 12:00", NOT_A_FORM),
        ("20270215", NOT_A_FORM),
        ("2027-W07", NOT_A_FORM),
        ("2027-046", NOT_A_FORM),
        ("2027-02-15T12", NOT_A_FORM),
        ("2027-02-15T12:00:00.5", NOT_A_FORM),
        ("2027-02-15T12:00+0100", NOT_A_FORM),
        ("2027-02-15t12:00z", NOT_A_FORM),
        (" 2027-02-15", NOT_A_FORM),
        ("2027-13-45", NO_SUCH),
        ("2027-02-29", NO_SUCH),
        ("2027-02-16T25:00", NO_SUCH),
        ("2027-02-16T12:00+25:00", NO_SUCH),
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
