"""Cron expressions (``*/15 * * * *``), read in the config's time zone.

croniter does the arithmetic: five fields, ranges, steps, names, and the days of a
month and of a week combined the way cron combines them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter

CRON_HELP = "a cron expression of five fields, such as '*/15 * * * *'"


def check_cron(expression: str) -> str:
    """The expression, stripped; ``ValueError`` saying why it is not one."""
    text = expression.strip()
    if len(text.split()) != 5:
        raise ValueError(f"{expression!r} is not {CRON_HELP}")
    try:
        croniter(text)
    except (CroniterError, ValueError, KeyError) as error:
        raise ValueError(f"{expression!r} is not {CRON_HELP}: {error}") from None
    return text


@dataclass(frozen=True)
class Schedule:
    """When a unit is synced: a cron expression in a time zone."""

    expression: str
    tz: ZoneInfo

    def next_after(self, instant: datetime) -> datetime:
        """The first time strictly after ``instant`` the expression matches (UTC)."""
        local = instant.astimezone(self.tz)
        following = croniter(self.expression, local).get_next(datetime)
        return following.astimezone(UTC)
