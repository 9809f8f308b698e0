"""Back-filling KR trends from the stored history: the value at the end of every day of
the cycle so far, so that a KR added mid-cycle, or a fresh store, shows a full trend
after one sync instead of a single point.

Days end at midnight in the project's time zone; the last point is the instant the
back-fill was asked for, so it equals the live value. Back-filled points are kept apart
from recorded runs in the store (``backfilled``), and a new back-fill of a KR replaces
its earlier one.

Only history the store keeps can be rebuilt. A KR that reads a metrics source
(``metric``, or a formula with a metric input) has past values only from the first pull
that recorded each of its metrics: its points start at the first day that ended after
all of them were recorded, and a KR none of whose metrics was recorded gets no points.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from okrsync.evaluate import KrResult
from okrsync.evaluate.engine import evaluate_snapshot
from okrsync.evaluate.snapshot import Snapshot, Timelines
from okrsync.items import Change, Item, Sprint
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import KeyResult, MappingFile
from okrsync.store_view import StoreDataView, metrics_read_by

if TYPE_CHECKING:
    from okrsync.evaluate import DataView
    from okrsync.project import Project
    from okrsync.store import Store


def backfill(
    project: Project,
    store: Store,
    as_of: datetime,
    kr_ids: Iterable[str] | None = None,
    *,
    run_id: int | None = None,
    include_as_of: bool = True,
) -> dict[str, int]:
    """Rebuild and record the daily points of each KR (default: every KR that can be
    rebuilt) from its cycle start to ``as_of``; returns the number of points per KR.

    A naive ``as_of`` is read in the project's time zone. An unknown KR id raises
    ``ConfigError``; a KR that cannot be rebuilt (a metric never recorded) gets no
    points (0) and keeps what it had. Without ``include_as_of`` the points stop at the
    last day's end before ``as_of``: a sync records the value at ``as_of`` itself.
    """
    refs = project.key_results() if kr_ids is None else [project.kr(i) for i in kr_ids]
    counts = {ref.id: 0 for ref in refs}
    points = rebuild_points(project, store, as_of, [ref.id for ref in refs], include_as_of)
    for kr_id, series in points.items():
        if series or include_as_of:
            store.record_backfill(kr_id, series, run_id=run_id)
        counts[kr_id] = len(series)
    return counts


def rebuild_points(
    project: Project,
    store: Store,
    as_of: datetime,
    kr_ids: Sequence[str],
    include_as_of: bool = True,
    read: Timelines | None = None,
) -> dict[str, list[tuple[datetime, dict[str, Any]]]]:
    """The daily points ``backfill`` records for each of ``kr_ids`` that can be
    rebuilt, without recording them. ``read``: timelines of queries an evaluation of
    the same store has read already (``Snapshot.kept_timelines``), not read again."""
    tz = project.timezone
    at = (as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=tz)).astimezone(UTC)
    wanted: dict[str, list[datetime]] = {}
    for ref in (project.kr(kr_id) for kr_id in kr_ids):
        if not can_backfill(ref.kr, store):
            continue
        instants = point_instants(ref.cycle, tz, at)
        since = _metrics_since(store, ref.kr)
        if since is not None:
            instants = [i for i in instants[:-1] if i >= since] + instants[-1:]
        wanted[ref.id] = instants if include_as_of else instants[:-1]
    points: dict[str, list[tuple[datetime, dict[str, Any]]]] = {kr_id: [] for kr_id in wanted}
    # One mapping file (sync unit) at a time, day after day: only that unit's items
    # are held, each read and sorted once, and rebuilt only on the days it changed.
    for unit in _by_unit(project.files, wanted):
        needing: dict[datetime, set[str]] = {}
        for kr_id in unit:
            for instant in wanted[kr_id]:
                needing.setdefault(instant, set()).add(kr_id)
        view = CachedView(StoreDataView(store))
        timelines = Timelines() if read is None else read
        pruned: dict[frozenset[str], list[MappingFile]] = {}
        for instant in sorted(needing):
            ids = frozenset(needing[instant])
            if ids not in pruned:
                # A unit's back-fill reads its own alignment tree only (``evaluated_files``).
                pruned[ids] = only_key_results(project.evaluated_files(), ids)
            instant_utc = instant.astimezone(UTC)
            snapshot = Snapshot(view.at(instant), instant_utc, timelines)
            evaluation = evaluate_snapshot(
                pruned[ids], snapshot, tz, project.margins, with_evidence=False
            )
            for result in evaluation.key_results:
                points[result.id].append((instant, point_of(result)))
    return points


def _by_unit(files: Sequence[MappingFile], kr_ids: Iterable[str]) -> list[list[str]]:
    """``kr_ids`` grouped by the mapping file that defines them, in the files' order."""
    wanted = set(kr_ids)
    units = [
        [kr.id for o in mapping.objectives for kr in o.key_results if kr.id in wanted]
        for mapping in files
    ]
    return [unit for unit in units if unit]


def needs_backfill(store: Store, kr_ids: Iterable[str]) -> list[str]:
    """The KRs (in the order given) that have no back-filled point yet."""
    ids = list(dict.fromkeys(kr_ids))
    done = store.backfilled_kr_ids(ids)
    return [kr_id for kr_id in ids if kr_id not in done]


def can_backfill(kr: KeyResult, store: Store | None = None) -> bool:
    """Whether the KR's past values can be rebuilt from what the store keeps: always
    from items and history; from metrics only once ``store`` holds a value of each
    metric the KR reads (without a store, a metric KR cannot be rebuilt)."""
    metrics = metrics_read_by(kr)
    if not metrics:
        return True
    return store is not None and all(store.metric_series(s, n) for s, n in metrics)


def _metrics_since(store: Store, kr: KeyResult) -> datetime | None:
    """When the last of the KR's metrics got its first value (None: it reads none)."""
    firsts = [store.metric_series(s, n)[0][0] for s, n in metrics_read_by(kr)]
    return max(firsts) if firsts else None


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
    """A ``DataView`` that reads each query's items, each item's history, each source's
    sprints and each metric's recorded values once, however many instants are evaluated
    over it. ``at(instant)`` is the view an evaluation as of ``instant`` reads."""

    def __init__(self, data: DataView) -> None:
        self._data = data
        self._items: dict[tuple[str, str], list[Item]] = {}
        self._history: dict[tuple[str, str], list[Change]] = {}
        self._sprints: dict[str, list[Sprint]] = {}
        self._series: dict[tuple[str, str], list[tuple[datetime, float]] | None] = {}

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

    def metric_at(self, source: str, name: str, at: datetime) -> float | None:
        """The metric's latest value recorded at or before ``at``."""
        key = (source, name)
        if key not in self._series:
            read = getattr(self._data, "metric_series", None)
            self._series[key] = read(source, name) if read is not None else None
        series = self._series[key]
        if series is None:
            return self._data.metric(source, name)  # a view that keeps no series
        index = bisect_right(series, at, key=lambda point: point[0])
        return series[index - 1][1] if index else None

    def at(self, instant: datetime) -> DataView:
        return _AtInstant(self, instant)


class _AtInstant:
    """The cached view with its metrics read as of one instant."""

    def __init__(self, cached: CachedView, instant: datetime) -> None:
        self._cached = cached
        self._instant = instant

    def items(self, source: str, query: str) -> list[Item]:
        return self._cached.items(source, query)

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]:
        return self._cached.history(source, keys)

    def sprints(self, source: str) -> list[Sprint]:
        return self._cached.sprints(source)

    def metric(self, source: str, name: str) -> float | None:
        return self._cached.metric_at(source, name, self._instant)


__all__ = [
    "CachedView",
    "backfill",
    "can_backfill",
    "needs_backfill",
    "point_instants",
    "rebuild_points",
]
