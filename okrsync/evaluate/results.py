"""What an evaluation produces: one result per KR and per objective, JSON-ready.

``to_dict()`` gives the fields of the ``--json`` contract (mapping-language.md §8);
the plan adds each KR's ``pushes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

from okrsync.evaluate.warning import ItemRef, Warns


class Status(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    CLOSED = "closed"
    NO_DATA = "no_data"  # in the cycle, but nothing to score (no value, no KRs)


class ItemEvidence(TypedDict):
    """One item behind a KR and what it contributes to the value."""

    key: str
    source: str
    status: str
    status_category: str
    done: bool
    contributes: float | None
    note: str
    url: NotRequired[str]  # the item's page in its tool (okrsync.links), when known


class Evidence(TypedDict):
    counts: dict[str, int]
    items: list[ItemEvidence]


class CycleScore(TypedDict):
    """One cycle of a plan: its span (first and last day), the target the cycle is
    scored against, the value (at the cycle's end once it has ended), and its score.
    Objectives carry ``target`` and ``value`` as None."""

    cycle: str
    start: str
    end: str
    target: float | None
    value: float | None
    progress: float | None
    score: float | None
    expected: float
    status: str


class OverrideInfo(TypedDict):
    value: float
    reason: str
    until: str  # ISO date: the last day the override applies


@dataclass
class KrResult(Warns):
    id: str
    objective: str
    title: str
    kind: str
    measure: str
    unit: str
    value: float | None
    baseline: float
    target: float | None
    # The progress every output shows: the override's value while one is active.
    progress: float | None
    computed_progress: float | None
    expected: float
    status: str
    score: float | None
    override: OverrideInfo | None
    evidence: Evidence
    warnings: list[str]
    weight: float
    cycle: str
    stretch: bool = False
    # Where the value will land at the cycle's end (okrsync.forecast); None until made.
    forecast: dict[str, Any] | None = None
    # In a plan of several cycles: the score of each (okrsync.evaluate.plans).
    cycles: list[CycleScore] | None = None
    # For each warning, the items it names with their source and link (okrsync.links).
    warning_items: list[list[dict[str, str]]] = field(default_factory=list)
    # For each warning, the (source, key) of the items it names: what those links are
    # made from. Not an output of its own.
    warned_items: list[tuple[ItemRef, ...]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "objective": self.objective,
            "title": self.title,
            "kind": self.kind,
            "measure": self.measure,
            "unit": self.unit,
            "value": self.value,
            "baseline": self.baseline,
            "target": self.target,
            "progress": self.progress,
            "computed_progress": self.computed_progress,
            "expected": self.expected,
            "status": str(self.status),
            "score": self.score,
            "override": None if self.override is None else dict(self.override),
            "evidence": {
                "counts": dict(self.evidence["counts"]),
                # Entries hold only strings, numbers and booleans; they are shared.
                "items": list(self.evidence["items"]),
            },
            "warnings": list(self.warnings),
            "weight": self.weight,
            "cycle": self.cycle,
            "stretch": self.stretch,
            "forecast": None if self.forecast is None else dict(self.forecast),
            **_cycles_entry(self.cycles),
            **({"warning_items": self.warning_items} if any(self.warning_items) else {}),
        }


@dataclass
class ObjectiveResult:
    id: str
    title: str
    score: float | None
    progress: float | None
    expected: float
    status: str
    key_results: list[str]
    aligned: list[str]  # ids of the objectives aligned to this one
    weight: float
    aligns_to: str | None = None
    cycle: str = ""
    # KRs that failed this run: listed in ``key_results``, left out of the score.
    failed: list[str] = field(default_factory=list)
    cycles: list[CycleScore] | None = None

    def to_dict(self) -> dict[str, Any]:
        document = {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "progress": self.progress,
            "expected": self.expected,
            "status": str(self.status),
            "key_results": list(self.key_results),
            "aligned": list(self.aligned),
            "aligns_to": self.aligns_to,
            "weight": self.weight,
            "cycle": self.cycle,
            **_cycles_entry(self.cycles),
        }
        if self.failed:
            document["failed_key_results"] = list(self.failed)
        return document


def _cycles_entry(cycles: list[CycleScore] | None) -> dict[str, Any]:
    """``{"cycles": [...]}`` for a plan's results; nothing for a single cycle's."""
    return {} if cycles is None else {"cycles": [dict(c) for c in cycles]}


@dataclass
class Evaluation:
    as_of: datetime
    key_results: list[KrResult] = field(default_factory=list)
    objectives: list[ObjectiveResult] = field(default_factory=list)

    def key_result(self, kr_id: str) -> KrResult:
        for result in self.key_results:
            if result.id == kr_id:
                return result
        raise KeyError(kr_id)

    def objective(self, objective_id: str) -> ObjectiveResult:
        for result in self.objectives:
            if result.id == objective_id:
                return result
        raise KeyError(objective_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "objectives": [o.to_dict() for o in self.objectives],
            "key_results": [k.to_dict() for k in self.key_results],
        }
