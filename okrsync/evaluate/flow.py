"""Flow measures: how fast work finishes (throughput, cycle time, lead time) and how
much a team finishes per sprint (velocity).

All of them key on an item's *final* entry into done at or before T: an item that was
re-opened counts when it was done for the last time, and one re-opened and not done
again at T does not count at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from okrsync.evaluate.context import (
    MeasureContext,
    MeasureResult,
    MeasureSpec,
    evidence,
    keys_text,
    listing,
    number_text,
    plural,
)
from okrsync.evaluate.results import ItemEvidence
from okrsync.evaluate.state import ItemAt, Timeline
from okrsync.items import Sprint
from okrsync.mapping.models import (
    CycleTimeMeasure,
    LeadTimeMeasure,
    ThroughputMeasure,
    VelocityMeasure,
)

PER_DAYS = {"day": 1.0, "week": 7.0, "sprint": 14.0}
_DAY = 86400.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), interpolating linearly between closest ranks.

    The same definition and arithmetic as numpy's default (``method="linear"``).
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    fraction = rank - low
    below, above = ordered[low], ordered[high]
    # numpy interpolates from the nearer end, which keeps results exact at the ends.
    if fraction >= 0.5:
        return above - (above - below) * (1 - fraction)
    return below + (above - below) * fraction


def _window_start(ctx: MeasureContext, days: float) -> datetime:
    return ctx.at - timedelta(days=days)


def _in_window(items: list[ItemAt], start: datetime) -> list[tuple[ItemAt, datetime]]:
    """Items whose final entry into done falls in (start, T], with that instant. Only
    these are listed in the evidence: the counts say how many others were measured."""
    return [(i, i.done_at) for i in items if i.done_at is not None and i.done_at > start]


def throughput(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    assert isinstance(spec.measure, ThroughputMeasure)
    settings = spec.measure.throughput
    result = MeasureResult(None, f"items/{settings.per}")
    if settings.window <= 0:
        result.warn("the throughput window must be longer than 0 days")
        return result
    finished = _in_window(items, _window_start(ctx, settings.window))
    if ctx.with_evidence:
        result.items = [evidence(i, 1.0, f"done {ctx.local_date(at)}") for i, at in finished]
    result.counts["in_window"] = len(finished)
    result.value = len(finished) / (settings.window / PER_DAYS[settings.per])
    return result


def _durations(
    items: list[ItemAt],
    ctx: MeasureContext,
    percentile_of: float,
    window: float,
    begin_of: Callable[[ItemAt], datetime | None],
) -> MeasureResult:
    result = MeasureResult(None, "days")
    durations: list[float] = []
    never_started: list[ItemAt] = []
    finished = _in_window(items, _window_start(ctx, window))
    listed = ctx.with_evidence
    for item, done_at in finished:
        begin = begin_of(item)
        if begin is None:
            never_started.append(item)
            if listed:
                done = f"done {ctx.local_date(done_at)}"
                result.items.append(evidence(item, None, f"{done}, never in progress: excluded"))
            continue
        days = max(0.0, (done_at - begin).total_seconds() / _DAY)
        durations.append(days)
        if listed:
            done = f"done {ctx.local_date(done_at)}"
            note = f"from {ctx.local_date(begin)}, {done}: {ctx.number_text(days)} d"
            result.items.append(evidence(item, days, note))
    result.counts["in_window"] = len(finished)
    result.counts["excluded"] = len(never_started)
    if never_started:
        result.warn(
            f"{plural(len(never_started), 'item')} done in the window never went through an "
            f"in-progress status and {'is' if len(never_started) == 1 else 'are'} excluded: "
            f"{keys_text(never_started)}",
            listing(never_started),
        )
    if durations:
        result.value = percentile(durations, percentile_of)
    else:
        result.warn(f"no selected item was done in the {number_text(window)}-day window")
    return result


def cycle_time(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    assert isinstance(spec.measure, CycleTimeMeasure)
    settings = spec.measure.cycle_time
    return _durations(items, ctx, settings.percentile, settings.window, lambda i: i.started)


def lead_time(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    assert isinstance(spec.measure, LeadTimeMeasure)
    settings = spec.measure.lead_time
    return _durations(items, ctx, settings.percentile, settings.window, lambda i: i.created)


# --- velocity -------------------------------------------------------------------------


def closed_at(sprint: Sprint) -> datetime | None:
    if sprint.completed is not None:
        return sprint.completed
    return sprint.end if sprint.state == "closed" else None


def velocity(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    """Average points done per sprint over the last N sprints closed at or before T.

    Only sprints some selected item was in when the sprint closed take part (a Jira
    site has many boards' sprints). An item counts for that sprint if it was done at
    the close, with its estimate at that moment.
    """
    assert isinstance(spec.measure, VelocityMeasure)
    wanted = spec.measure.velocity.last
    result = MeasureResult(None, "points")
    members_of: dict[tuple[str, str], list[Timeline]] = defaultdict(list)
    for item in items:
        timeline = ctx.snapshot.timeline(item.source, item.key)
        if timeline is not None:
            for sprint_id in timeline.sprint_ids_ever():
                members_of[(item.source, sprint_id)].append(timeline)
    # A sprint shared by several boards is listed once per board: keep one.
    candidates: dict[tuple[str, str], tuple[datetime, Sprint]] = {}
    for source in sorted({i.source for i in items}):
        for sprint in ctx.snapshot.sprints(source):
            closed = closed_at(sprint)
            if closed is not None and closed <= ctx.at and (source, sprint.id) in members_of:
                candidates[(source, sprint.id)] = (closed, sprint)
    latest_first = sorted(candidates.items(), key=lambda pair: pair[1][0], reverse=True)

    chosen: list[tuple[Sprint, datetime, list[ItemAt]]] = []
    for key, (closed, sprint) in latest_first:
        states = (t.at(closed) for t in members_of[key])
        members = [s for s in states if s is not None and sprint.id in s.sprints]
        if members:
            chosen.append((sprint, closed, members))
            if len(chosen) == wanted:
                break
    chosen.reverse()  # oldest first reads naturally in the evidence

    unestimated: list[ItemAt] = []
    total = 0.0
    for sprint, closed, members in chosen:
        label = f"{sprint.name} (closed {ctx.local_date(closed)})"
        for member in members:
            entry = _velocity_entry(member, label, unestimated, ctx)
            if ctx.with_evidence:
                result.items.append(entry)
            if member.done and member.estimate is not None:
                total += member.estimate
    result.counts["sprints"] = len(chosen)
    result.counts["sprint_items_done"] = sum(m.done for _, _, ms in chosen for m in ms)
    result.counts["excluded"] = len(unestimated)
    if unestimated:
        result.warn(
            f"{plural(len(unestimated), 'done item')} without an estimate counted as 0 points: "
            f"{keys_text(unestimated)}",
            listing(unestimated),
        )
    if not chosen:
        result.warn("no sprint with selected items has closed yet: no velocity")
        return result
    if len(chosen) < wanted:
        result.warn(
            f"only {plural(len(chosen), 'sprint')} closed so far; velocity averages "
            f"{'it' if len(chosen) == 1 else 'them'} instead of the last {wanted}"
        )
    result.value = total / len(chosen)
    return result


def _velocity_entry(
    member: ItemAt, label: str, unestimated: list[ItemAt], ctx: MeasureContext
) -> ItemEvidence:
    if not member.done:
        return evidence(member, 0.0, f"{label}: not done at the close")
    if member.estimate is None:
        unestimated.append(member)
        return evidence(member, 0.0, f"{label}: done, unestimated (0 points)")
    points = ctx.number_text(member.estimate)
    return evidence(member, member.estimate, f"{label}: done, {points} pts")
