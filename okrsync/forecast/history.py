"""A KR's own daily history as of T, read from its items rebuilt at T: what the team
finished on each whole past day of the cycle, and what was added to the scope.

Only whole days count (local days in the project's zone, ending before T's own day):
the history, and so the forecast, is then the same all day long, and a second apply on
the same day writes nothing new. Days before the first selected item existed are no
history. Completions are the items done at T by the day of their final entry into
done (a re-opened item counts when it was done for the last time); additions are the
items created after the cycle start (before it, an item is the committed scope).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from okrsync.evaluate.context import MeasureContext, MeasureSpec, field_unit, weigh
from okrsync.evaluate.measures import select_items, since_instant
from okrsync.evaluate.state import ItemAt
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import ScopeAddedMeasure, measure_name

# The measures whose value follows from completions and additions day by day.
SIMULATED_MEASURES = ("count", "done", "completion", "scope_added")
# Those of them that weigh items with ``weight_by``; count and done count items.
_WEIGHED_MEASURES = ("completion", "scope_added")


@dataclass(frozen=True)
class DailyHistory:
    days: tuple[date, ...]  # whole local days, oldest first
    completed: tuple[float, ...]  # per day: items (or estimate) finished
    added: tuple[float, ...]  # per day: items (or estimate) added to the scope
    done: float  # done at T, in the same unit
    total: float  # existing at T, in the same unit
    days_left: int  # days of the cycle still to come, T's own day included


def days_left(cycle: Cycle, tz: ZoneInfo, at: datetime) -> int:
    today = at.astimezone(tz).date()
    return max(0, (cycle.last_day - max(today, cycle.first_day)).days + 1)


def history_days(cycle: Cycle, tz: ZoneInfo, at: datetime, first: date | None) -> list[date]:
    """The cycle's whole days before T's own day, from the day ``first`` (the first
    item's creation) on."""
    today = at.astimezone(tz).date()
    start = cycle.first_day if first is None else max(cycle.first_day, first)
    last = min(today - timedelta(days=1), cycle.last_day)
    return [start + timedelta(days=n) for n in range((last - start).days + 1)]


def daily_history(spec: MeasureSpec, ctx: MeasureContext) -> DailyHistory:
    """The KR's history as of ``ctx.at``; ``spec`` measures one of
    ``SIMULATED_MEASURES``. With ``weight_by`` (completion, scope added) every item
    weighs its estimate at T, unestimated ones as the measure itself treats them."""
    items = select_items(spec, ctx).items
    weighed = _weights(spec, items)
    first = min((i.created for i in items), default=None)
    days = history_days(ctx.cycle, ctx.tz, ctx.at, None if first is None else _day(first, ctx))
    index = {day: n for n, day in enumerate(days)}
    completed = [0.0] * len(days)
    added = [0.0] * len(days)
    growth_from = _growth_from(spec, ctx)
    for item, weight in weighed:
        if item.done_at is not None and (n := index.get(_day(item.done_at, ctx))) is not None:
            completed[n] += weight
        if item.created > growth_from and (n := index.get(_day(item.created, ctx))) is not None:
            added[n] += weight
    return DailyHistory(
        days=tuple(days),
        completed=tuple(completed),
        added=tuple(added),
        done=sum(w for i, w in weighed if i.done),
        total=sum(w for _, w in weighed),
        days_left=days_left(ctx.cycle, ctx.tz, ctx.at),
    )


def _day(instant: datetime, ctx: MeasureContext) -> date:
    return instant.astimezone(ctx.tz).date()


def _growth_from(spec: MeasureSpec, ctx: MeasureContext) -> datetime:
    if isinstance(spec.measure, ScopeAddedMeasure):
        return max(ctx.cycle_start, since_instant(spec.measure.scope_added.since, ctx))
    return ctx.cycle_start


def _weights(spec: MeasureSpec, items: Sequence[ItemAt]) -> list[tuple[ItemAt, float]]:
    """Each item with what it counts for; items the measure leaves out are left out."""
    if spec.weight_by is None or measure_name(spec.measure) not in _WEIGHED_MEASURES:
        return [(item, 1.0) for item in items]
    entries = weigh(items, spec, field_unit(spec.weight_by) or spec.weight_by).entries
    return [(item, weight) for item, weight, _ in entries if weight is not None]
