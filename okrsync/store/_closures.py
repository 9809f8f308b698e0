"""Cycle closures: a closed cycle's final results and the team's notes, kept apart from
the results recorded later, and every re-opening. A cycle's state is its latest event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from okrsync.store import _tables as t
from okrsync.store._base import StoreBase


@dataclass(frozen=True)
class ClosureRecord:
    cycle: str
    action: str  # close | reopen
    at: datetime  # when it was closed or re-opened
    as_of: datetime  # the instant the final results were evaluated as of
    results: dict[str, Any]  # {"key_results": [...], "objectives": [...]}; {} on reopen
    notes: dict[str, str]


class CycleClosures(StoreBase):
    def record_closure(self, record: ClosureRecord) -> None:
        row = {
            "cycle": record.cycle,
            "action": record.action,
            "at": record.at,
            "as_of": record.as_of,
            "results": record.results,
            "notes": record.notes,
        }
        with self._transaction(write=True) as connection:
            connection.execute(insert(t.cycle_closures), [row])

    def closure_events(self, cycle: str | None = None) -> list[ClosureRecord]:
        """Every close and re-open (of one cycle), oldest first."""
        c = t.cycle_closures.c
        statement = select(t.cycle_closures).order_by(c.id)
        if cycle is not None:
            statement = statement.where(c.cycle == cycle)
        with self._transaction() as connection:
            return [
                ClosureRecord(r.cycle, r.action, r.at, r.as_of, r.results, r.notes)
                for r in connection.execute(statement).all()
            ]

    def closed_cycles(self) -> dict[str, ClosureRecord]:
        """The closing of every cycle closed now (not re-opened since), by cycle."""
        latest: dict[str, ClosureRecord] = {}
        for event in self.closure_events():
            latest[event.cycle] = event
        return {cycle: e for cycle, e in latest.items() if e.action == "close"}
