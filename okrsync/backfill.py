"""Back-filling KR trends from the stored history: the value at the end of every day of
the cycle so far, so that a KR added mid-cycle, or a fresh store, shows a full trend
after one sync instead of a single point.

Days end at midnight in the project's time zone; the last point is the instant the
back-fill was asked for, so it equals the live value. Back-filled points are kept apart
from recorded runs in the store (``backfilled``), and a new back-fill of a KR replaces
its earlier one.

Only history the store keeps can be rebuilt: KRs that read a metrics source (``metric``,
or a formula with a metric input) are left out, since a metric has no past values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from okrsync.evaluate import KrResult, evaluate
from okrsync.items import Change, Item, Sprint
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import FormulaMeasure, KeyResult, MappingFile, Measure, MetricMeasure
from okrsync.store_view import StoreDataView

if TYPE_CHECKING:
    from okrsync.evaluate import DataView
    from okrsync.project import Project
    from okrsync.store import Store


def backfill(
    project: Project,
    store: Store,
    as_of: datetime,
    kr_ids: Iterable[str] | None = None,
) -> dict[str, int]:
    """Rebuild and record the daily points of each KR (default: every KR that can be
    rebuilt) from its cycle start to ``as_of``; returns the number of points per KR.

    A naive ``as_of`` is read in the project's time zone. An unknown KR id raises
    ``ConfigError``; a KR that reads a metrics source gets no points (0) and keeps what
    it had.
    """
    tz = project.timezone
    at = (as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=tz)).astimezone(UTC)
    refs = project.key_results() if kr_ids is None else [project.kr(i) for i in kr_ids]
    counts = {ref.id: 0 for ref in refs}
    wanted = {ref.id: point_instants(ref.cycle, tz, at) for ref in refs if can_backfill(ref.kr)}
    needing: dict[datetime, set[str]] = {}
    for kr_id, instants in wanted.items():
        for instant in instants:
            needing.setdefault(instant, set()).add(kr_id)

    view = CachedView(StoreDataView(store))
    pruned: dict[frozenset[str], list[MappingFile]] = {}
    points: dict[str, list[tuple[datetime, dict[str, Any]]]] = {kr_id: [] for kr_id in wanted}
    for instant in sorted(needing):
        ids = frozenset(needing[instant])
        if ids not in pruned:
            pruned[ids] = only_key_results(project.files, ids)
        evaluation = evaluate(pruned[ids], view, instant, tz, project.margins)
        for result in evaluation.key_results:
            points[result.id].append((instant, point_of(result)))
    for kr_id, series in points.items():
        store.record_backfill(kr_id, series)
        counts[kr_id] = len(series)
    return counts


def needs_backfill(store: Store, kr_ids: Iterable[str]) -> list[str]:
    """The KRs (in the order given) that have no back-filled point yet."""
    return [
        kr_id
        for kr_id in dict.fromkeys(kr_ids)
        if not any(point.backfilled for point in store.kr_history(kr_id))
    ]


def can_backfill(kr: KeyResult) -> bool:
    """Whether the KR's past values can be rebuilt from stored items and history."""
    return _from_history(kr.measure, kr.inputs)


def _from_history(measure: Measure, inputs: Any) -> bool:
    if isinstance(measure, MetricMeasure):
        return False
    if isinstance(measure, FormulaMeasure):
        every = {**(measure.inputs or {}), **(inputs or {})}
        return all(_from_history(item.measure, None) for item in every.values())
    return True


def point_instants(cycle: Cycle, tz: ZoneInfo, at: datetime) -> list[datetime]:
    """The end of every day of ``cycle`` that ended before ``at`` (local midnight, as
    UTC), then ``at`` itself."""
    instants = []
    day = cycle.first_day
    while day <= cycle.last_day:
        end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
        if end >= at:
            break
        instants.append(end)
        day += timedelta(days=1)
    return [*instants, at]


def point_of(result: KrResult) -> dict[str, Any]:
    """The KR's result as a back-filled point: everything but the per-item evidence,
    which would repeat every item once a day."""
    data = result.to_dict()
    data["evidence"] = {"counts": data["evidence"]["counts"], "items": []}
    return data


def only_key_results(files: Sequence[MappingFile], kr_ids: frozenset[str]) -> list[MappingFile]:
    """The mapping files with every other KR left out. Objectives all stay, so that
    ``aligns_to`` still resolves."""
    return [
        mapping.model_copy(
            update={
                "objectives": [
                    objective.model_copy(
                        update={"key_results": [k for k in objective.key_results if k.id in kr_ids]}
                    )
                    for objective in mapping.objectives
                ]
            }
        )
        for mapping in files
    ]


class CachedView:
    """A ``DataView`` that reads each query's items, each item's history and each
    source's sprints once, however many instants are evaluated over it."""

    def __init__(self, data: DataView) -> None:
        self._data = data
        self._items: dict[tuple[str, str], list[Item]] = {}
        self._history: dict[tuple[str, str], list[Change]] = {}
        self._sprints: dict[str, list[Sprint]] = {}

    def items(self, source: str, query: str) -> list[Item]:
        key = (source, query)
        if key not in self._items:
            self._items[key] = self._data.items(source, query)
        return self._items[key]

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]:
        missing = [k for k in dict.fromkeys(keys) if (source, k) not in self._history]
        if missing:
            read = self._data.history(source, missing)
            for key in missing:
                self._history[(source, key)] = read.get(key, [])
        return {key: self._history[(source, key)] for key in keys}

    def sprints(self, source: str) -> list[Sprint]:
        if source not in self._sprints:
            self._sprints[source] = self._data.sprints(source)
        return self._sprints[source]

    def metric(self, source: str, name: str) -> float | None:
        return self._data.metric(source, name)


__all__ = ["CachedView", "backfill", "can_backfill", "needs_backfill", "point_instants"]
