"""The daily values a trend forecast follows, from the store: each KR's recorded and
back-filled points. A KR that was never back-filled (a fresh store, a KR added
mid-cycle, a ``plan`` without a sync) has its points rebuilt as the back-fill would
record them, so that its forecast does not change once the back-fill has run, and a
second apply writes nothing new."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from okrsync.backfill import rebuild_points
from okrsync.forecast.forecasts import SeriesReader

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store


def store_series(project: Project, store: Store, at: datetime) -> SeriesReader:
    def read(kr_id: str) -> list[tuple[datetime, float | None]]:
        kept = store.kr_history(kr_id)
        points = [(r.as_of, r.value) for r in kept]
        if not any(r.backfilled for r in kept):
            rebuilt = rebuild_points(project, store, at, [kr_id], include_as_of=False)
            points += [(instant, data["value"]) for instant, data in rebuilt.get(kr_id, [])]
        return sorted(points, key=lambda point: point[0])

    return read
