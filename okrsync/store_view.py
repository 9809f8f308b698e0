"""The store seen through the evaluator's eyes: items, history, sprints and metric
values, with no network involved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from okrsync.items import Change, Item, Sprint

if TYPE_CHECKING:
    from okrsync.store import Store


class StoreDataView:
    def __init__(self, store: Store, metrics: dict[tuple[str, str], float] | None = None) -> None:
        self._store = store
        self._metrics = metrics or {}

    def items(self, source: str, query: str) -> list[Item]:
        return self._store.items_for(source, query)

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]:
        return self._store.history_for(source, keys)

    def sprints(self, source: str) -> list[Sprint]:
        return self._store.sprints(source)

    def metric(self, source: str, name: str) -> float | None:
        return self._metrics.get((source, name))
