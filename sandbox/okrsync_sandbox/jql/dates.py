"""JQL date values: literals in the user's time zone, periods, epoch millis, functions."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from okrsync_sandbox.jql.errors import JqlError

_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_PERIOD = re.compile(r"^\s*([+-])?\s*((?:\d+\s*[yMwdhm]\s*)+)$")
_PART = re.compile(r"(\d+)\s*([yMwdhm])")
_INCREMENT = re.compile(r"^\s*([+-]?\d+)\s*([yMwdhm])?\s*$")

DATE_FUNCTIONS = frozenset(
    {
        "now",
        "startofday",
        "endofday",
        "startofweek",
        "endofweek",
        "startofmonth",
        "endofmonth",
        "startofyear",
        "endofyear",
    }
)


def invalid_date(value: str, field: str) -> JqlError:
    return JqlError(
        f"Date value '{value}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
        "format e.g. '-5d', '4w 2d'."
    )


def parse_date(
    text: str, *, quoted: bool, field: str, tz: ZoneInfo, now: datetime
) -> tuple[datetime, bool]:
    """A JQL date operand as an aware UTC instant, and whether it is relative to now.

    An unquoted number is epoch milliseconds; dates and minutes are read in ``tz``.
    """
    if not quoted and text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC), False
    for fmt in _FORMATS:
        try:
            local = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=tz).astimezone(UTC), False
    period = _PERIOD.match(text)
    if period:
        sign = -1 if period.group(1) == "-" else 1
        result = now
        for amount, unit in _PART.findall(period.group(2)):
            result = shift(result, sign * int(amount), unit, tz)
        return result, True
    raise invalid_date(text, field)


def shift(moment: datetime, amount: int, unit: str, tz: ZoneInfo) -> datetime:
    if unit in ("m", "h", "d", "w"):
        seconds = {"m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
        return moment + timedelta(seconds=seconds * amount)
    local = moment.astimezone(tz)
    months = amount * (12 if unit == "y" else 1)
    total = local.year * 12 + local.month - 1 + months
    year, month = divmod(total, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day).astimezone(UTC)


def date_function(
    name: str, args: tuple[str, ...], *, tz: ZoneInfo, now: datetime, week_starts_sunday: bool
) -> datetime:
    """Evaluate now(), startOfDay(), endOfMonth("-1"), ... in the user's time zone."""
    lowered = name.lower()
    if lowered == "now":
        return now
    unit_of = {"day": "d", "week": "w", "month": "M", "year": "y"}
    period = lowered.removeprefix("startof").removeprefix("endof")
    local = now.astimezone(tz)
    if args:
        match = _INCREMENT.match(args[0])
        if not match:
            raise JqlError(f"Invalid increment '{args[0]}' for function '{name}'.")
        local = shift(local, int(match.group(1)), match.group(2) or unit_of[period], tz).astimezone(
            tz
        )
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        weekday = (start.weekday() + 1) % 7 if week_starts_sunday else start.weekday()
        start -= timedelta(days=weekday)
        following = start + timedelta(days=7)
    elif period == "month":
        start = start.replace(day=1)
        following = shift(start, 1, "M", tz).astimezone(tz)
    elif period == "year":
        start = start.replace(month=1, day=1)
        following = start.replace(year=start.year + 1)
    else:
        following = start + timedelta(days=1)
    if lowered.startswith("start"):
        return start.replace(tzinfo=tz).astimezone(UTC)
    end = following.replace(tzinfo=tz) - timedelta(milliseconds=1)
    return end.astimezone(UTC)
