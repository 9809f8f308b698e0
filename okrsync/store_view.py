"""The store seen through the evaluator's eyes: items, history, sprints and metric
values as of one instant, with no network involved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from okrsync.items import Change, Item, Sprint
from okrsync.mapping.models import KeyResult, MetricMeasure

if TYPE_CHECKING:
    from okrsync.evaluate import Evaluation
    from okrsync.store import Store


class StoreDataView:
    """A ``DataView`` over the store. Metrics read the value recorded at or before
    ``as_of`` (default: the latest recorded), since the evaluator asks for a metric by
    name alone."""

    def __init__(self, store: Store, as_of: datetime | None = None) -> None:
        self._store = store
        self._as_of = as_of
        # Metrics asked for that had no value at ``as_of``: explained after evaluating.
        self.missing: set[tuple[str, str]] = set()

    def seen_at(self, as_of: datetime) -> StoreDataView:
        """The same store with metrics read as of ``as_of``: what a plan's ended cycle
        is evaluated through."""
        return StoreDataView(self._store, as_of)

    def items(self, source: str, query: str) -> list[Item]:
        return self._store.items_for(source, query, lean=True)

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]:
        return self._store.history_for(source, keys)

    def sprints(self, source: str) -> list[Sprint]:
        return self._store.sprints(source)

    def metric(self, source: str, name: str) -> float | None:
        at = self._as_of or datetime.now(UTC)
        value = self._store.metric_at(source, name, at)
        if value is None:
            self.missing.add((source, name))
        return value

    def metric_series(self, source: str, name: str) -> list[tuple[datetime, float]]:
        return self._store.metric_series(source, name)


def metrics_read_by(kr: KeyResult) -> list[tuple[str, str]]:
    """(instance, metric name) of every ``metric:`` measure of the KR, formula inputs
    included."""
    measures = [kr.measure, *(i.measure for i in kr.formula_inputs().values())]
    found = {(m.metric.source, m.metric.name) for m in measures if isinstance(m, MetricMeasure)}
    return sorted(found)


def explain_missing_metrics(evaluation: Evaluation, view: StoreDataView) -> None:
    """Say why a metric had no value: never pulled, or not yet at the instant evaluated.

    The evaluator only knows that the value is missing; the store knows whether a pull
    ever recorded one, which tells the champion what to do."""
    if not view.missing:
        return
    better: dict[str, str] = {}
    for source, name in sorted(view.missing):
        generic = (
            f"metric {name!r} of source {source!r} has no value: "
            "check the source's settings and run a pull"
        )
        series = view.metric_series(source, name)
        if not series:
            better[generic] = (
                f"no value of metric {name!r} from source {source!r} recorded yet: run okrsync pull"
            )
        else:
            first = series[0][0].astimezone(UTC)
            better[generic] = (
                f"no value of metric {name!r} from source {source!r} recorded at or before "
                f"this instant: the first was recorded at {first:%Y-%m-%d %H:%M} UTC"
            )
    for result in evaluation.key_results:
        reworded = []
        for warning in result.warnings:
            for generic, text in better.items():
                # Formula inputs prefix their warnings (``conversion: metric ...``).
                if warning.endswith(generic):
                    warning = warning[: -len(generic)] + text
            reworded.append(warning)
        result.warnings[:] = reworded


__all__ = ["StoreDataView", "explain_missing_metrics", "metrics_read_by"]
