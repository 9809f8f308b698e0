"""The daily values a trend forecast follows, from the store: each KR's recorded and
back-filled points. KRs that were never back-filled (a fresh store, a KR added
mid-cycle, a ``plan`` without a sync) have their points rebuilt as the back-fill would
record them, so that their forecast does not change once the back-fill has run, and a
second apply writes nothing new. Those of one mapping file (sync unit) are rebuilt
together, on the first one asked for: one pass over the days reads each item once, and
re-scoring one unit rebuilds that unit's alone."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from okrsync.backfill import needs_backfill, rebuild_points
from okrsync.forecast.forecasts import SeriesReader
from okrsync.forecast.history import SIMULATED_MEASURES, days_left

if TYPE_CHECKING:
    from okrsync.evaluate.snapshot import Snapshot
    from okrsync.project import Project
    from okrsync.store import Store


def store_series(
    project: Project, store: Store, at: datetime, snapshot: Snapshot | None = None
) -> SeriesReader:
    """The reader of every KR's points as of ``at``. ``snapshot``: the evaluation's
    own, which holds the unit's items when its forecasts are made (their points are
    then rebuilt from those, not read from the store again)."""
    # Rebuilt points by KR id, and the mapping files (sync units) already rebuilt.
    rebuilt: dict[str, list[tuple[datetime, float | None]]] = {}
    units: set[int] = set()

    def rebuild(kr_id: str) -> None:
        # The trend KRs of the KR's own unit: a service re-scoring one unit rebuilds no
        # other unit's. Item KRs are simulated from their items instead, and an ended
        # cycle is not forecast.
        unit = project.kr(kr_id).mapping
        units.add(id(unit))
        trend = [
            ref.id
            for ref in project.key_results()
            if ref.mapping is unit
            and (ref.kr.measure_name not in SIMULATED_MEASURES or not ref.kr.selections())
            and days_left(ref.cycle, project.timezone, at) > 0
        ]
        missing = needs_backfill(store, trend)
        read = None if snapshot is None else snapshot.kept_timelines()
        points = rebuild_points(project, store, at, missing, False, read)
        rebuilt.update((kr, [(i, data["value"]) for i, data in p]) for kr, p in points.items())

    def read(kr_id: str) -> list[tuple[datetime, float | None]]:
        kept = store.kr_history(kr_id)
        points = [(r.as_of, r.value) for r in kept]
        if not any(r.backfilled for r in kept):
            if project.has_kr(kr_id) and id(project.kr(kr_id).mapping) not in units:
                rebuild(kr_id)
            points += rebuilt.get(kr_id, [])
        return sorted(points, key=lambda point: point[0])

    return read
