"""Outcome metric values over time: each pull records what a metric source answered,
so that any instant can be evaluated later from the store alone."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select

from okrsync.store import _tables as t
from okrsync.store._base import StoreBase
from okrsync.store._bulk import upsert


class MetricValues(StoreBase):
    def record_metric(self, source: str, name: str, at: datetime, value: float) -> None:
        """Record the value metric ``name`` of instance ``source`` had at ``at``; recording
        the same instant again replaces the value."""
        if isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"metric {name!r} of {source!r}: {value!r} is not a finite number")
        row = {"source": source, "name": name, "at": at, "value": float(value)}
        with self._transaction(write=True) as connection:
            upsert(connection, t.metric_values, [row])

    def metric_at(self, source: str, name: str, at: datetime) -> float | None:
        """The latest value recorded at or before ``at``; None if there is none."""
        c = t.metric_values.c
        statement = (
            select(c.value)
            .where(c.source == source, c.name == name, c.at <= at)
            .order_by(c.at.desc())
            .limit(1)
        )
        with self._transaction() as connection:
            value: float | None = connection.execute(statement).scalar()
        return value

    def metric_series(self, source: str, name: str) -> list[tuple[datetime, float]]:
        """Every recorded value of the metric, oldest first."""
        c = t.metric_values.c
        statement = select(c.at, c.value).where(c.source == source, c.name == name).order_by(c.at)
        with self._transaction() as connection:
            return [(row.at, row.value) for row in connection.execute(statement).all()]
