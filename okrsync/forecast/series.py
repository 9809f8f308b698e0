"""The daily values a trend forecast follows, from the store: each KR's recorded and
back-filled points. KRs that were never back-filled (a fresh store, a KR added
mid-cycle, a ``plan`` without a sync) have their points rebuilt as the back-fill would
record them, so that their forecast does not change once the back-fill has run, and a
second apply writes nothing new. They are rebuilt together, on the first one asked
for: one pass over the days reads each item once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from okrsync.backfill import needs_backfill, rebuild_points
from okrsync.forecast.forecasts import SeriesReader
from okrsync.forecast.history import SIMULATED_MEASURES, days_left

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store


def store_series(project: Project, store: Store, at: datetime) -> SeriesReader:
    rebuilt: dict[str, list[tuple[datetime, float | None]]] | None = None

    def rebuild() -> dict[str, list[tuple[datetime, float | None]]]:
        # The KRs a trend follows in a running cycle: item KRs are simulated from
        # their items instead, and an ended cycle is not forecast.
        trend = [
            ref.id
            for ref in project.key_results()
            if (ref.kr.measure_name not in SIMULATED_MEASURES or not ref.kr.selections())
            and days_left(ref.cycle, project.timezone, at) > 0
        ]
        points = rebuild_points(project, store, at, needs_backfill(store, trend), False)
        return {kr_id: [(i, data["value"]) for i, data in p] for kr_id, p in points.items()}

    def read(kr_id: str) -> list[tuple[datetime, float | None]]:
        nonlocal rebuilt
        kept = store.kr_history(kr_id)
        points = [(r.as_of, r.value) for r in kept]
        if not any(r.backfilled for r in kept):
            if rebuilt is None:
                rebuilt = rebuild()
            points += rebuilt.get(kr_id, [])
        return sorted(points, key=lambda point: point[0])

    return read
