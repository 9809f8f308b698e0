"""How well a team estimates: across closed cycles, per team and KR kind, the final
scores, the bias of the targets, how often the forecasts the tool would have made at
each week of those cycles held the final value in their P15–P85 band, and the scope
added during the cycles.

- **bias** is the mean of ``(final − target) / (target − baseline)``: the unclamped
  progress less 1. Below 0 a team commits to more than it delivers, above 0 to less.
- **calibration** back-tests the forecasts: at the end of each whole week of a closed
  cycle, the KRs are evaluated and forecast again from the store as it was then (the
  cycle's mapping files as they were at the close), and a forecast *holds* when the
  final value lies within its P15–P85 band. Bands of a well-calibrated forecast hold
  about 70% of the time.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import yaml

from okrsync.evaluate.engine import evaluate_snapshot
from okrsync.evaluate.snapshot import Snapshot
from okrsync.forecast import SeriesReader, add_forecasts
from okrsync.mapping.models import MappingFile
from okrsync.store._closures import ClosureRecord
from okrsync.store_view import StoreDataView

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store

# A final value this close to a band's end is inside it (sums of estimates are floats).
_HELD = 1e-9


@dataclass
class _Group:
    scores: list[float] = field(default_factory=list)
    biases: list[float] = field(default_factory=list)
    forecasts: int = 0
    held: int = 0
    added: list[float] = field(default_factory=list)


def insights(project: Project, store: Store, cycles: int | None = None) -> dict[str, Any]:
    """The insights document over the last ``cycles`` closed cycles (default: all)."""
    closed = sorted(store.closed_cycles().values(), key=lambda c: c.as_of)
    if cycles is not None:
        closed = closed[-cycles:] if cycles > 0 else []
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    weeks: dict[int, list[bool]] = defaultdict(list)
    by_cycle: list[dict[str, Any]] = []
    for closure in closed:
        facts = closure.results.get("facts", {})
        finals = {kr["id"]: kr for kr in closure.results.get("key_results", [])}
        keys = {kr_id: _group_key(kr, facts.get(kr_id, {})) for kr_id, kr in finals.items()}
        for kr_id, kr in finals.items():
            group = groups[keys[kr_id]]
            if kr.get("progress") is not None:
                group.scores.append(kr["progress"])
            bias = _bias(kr)
            if bias is not None:
                group.biases.append(bias)
            if facts.get(kr_id, {}).get("scope_added") is not None:
                group.added.append(facts[kr_id]["scope_added"])
        biases = [b for b in map(_bias, finals.values()) if b is not None]
        by_cycle.append(
            {
                "cycle": closure.cycle,
                "bias": round(statistics.fmean(biases), 4) if biases else None,
                "key_results": len(finals),
            }
        )
        for week, kr_id, held in backtest(project, store, closure):
            weeks[week].append(held)
            groups[keys[kr_id]].forecasts += 1
            groups[keys[kr_id]].held += held
    return {
        "cycles": [c.cycle for c in closed],
        "groups": [_group_document(key, group) for key, group in sorted(groups.items())],
        "by_cycle": by_cycle,
        "calibration": [
            {"week": week, "forecasts": len(held), "held": sum(held), "rate": _rate(held)}
            for week, held in sorted(weeks.items())
        ],
    }


def _group_key(kr: dict[str, Any], fact: dict[str, Any]) -> tuple[str, str]:
    return (fact.get("team") or "—", str(kr.get("kind") or "output"))


def _bias(kr: dict[str, Any]) -> float | None:
    value, target, baseline = kr.get("value"), kr.get("target"), kr.get("baseline") or 0.0
    if value is None or target is None or target == baseline:
        return None
    return (value - target) / (target - baseline)


def _rate(held: list[bool]) -> float | None:
    return round(sum(held) / len(held), 4) if held else None


def _group_document(key: tuple[str, str], group: _Group) -> dict[str, Any]:
    team, kind = key
    scores = group.scores
    return {
        "team": team,
        "kind": kind,
        "key_results": len(scores),
        "score": None
        if not scores
        else {
            "mean": round(statistics.fmean(scores), 4),
            "min": round(min(scores), 4),
            "median": round(statistics.median(scores), 4),
            "max": round(max(scores), 4),
        },
        "bias": round(statistics.fmean(group.biases), 4) if group.biases else None,
        "forecasts": group.forecasts,
        "band_hit_rate": round(group.held / group.forecasts, 4) if group.forecasts else None,
        "scope_added": round(statistics.fmean(group.added), 4) if group.added else None,
    }


def week_ends(closure: ClosureRecord, start: datetime) -> list[datetime]:
    """The end of every whole week of the cycle, before its end."""
    ends = []
    at = start + timedelta(days=7)
    while at < closure.as_of:
        ends.append(at)
        at += timedelta(days=7)
    return ends


def backtest(project: Project, store: Store, closure: ClosureRecord) -> list[tuple[int, str, bool]]:
    """(week, KR id, whether its band held the final value) for every forecast the tool
    would have made at the end of each whole week of the closed cycle."""
    files = [_standalone(text) for text in closure.results.get("mappings", [])]
    if not files:
        return []
    finals = {kr["id"]: kr.get("value") for kr in closure.results.get("key_results", [])}
    plan = files[0].cycle_span
    if plan.is_plan and closure.cycle not in (plan.label, plan.parts[-1].label):
        # An earlier cycle of a plan: the forecasts made in it are of the plan's end,
        # not of the value the cycle closed on.
        return []
    tz = project.timezone
    start = plan.start(tz)
    found: list[tuple[int, str, bool]] = []
    for week, at in enumerate(week_ends(closure, start), start=1):
        snapshot = Snapshot(StoreDataView(store, at), at)
        evaluation = evaluate_snapshot(files, snapshot, tz, project.margins)
        add_forecasts(
            evaluation, files, snapshot, tz, _series_before(store, at), project.forecast_settings
        )
        for result in evaluation.key_results:
            made, final = result.forecast or {}, finals.get(result.id)
            if made.get("p15") is None or final is None:
                continue
            held = made["p15"] - _HELD <= final <= made["p85"] + _HELD
            found.append((week, result.id, held))
    return found


def _series_before(store: Store, at: datetime) -> SeriesReader:
    """The recorded and back-filled values of a KR from before ``at``: what a forecast
    made then could have followed."""

    def read(kr_id: str) -> list[tuple[datetime, float | None]]:
        return [(r.as_of, r.value) for r in store.kr_history(kr_id) if r.as_of < at]

    return read


def _standalone(text: str) -> MappingFile:
    """A closed cycle's mapping file on its own: alignments to other files left out."""
    mapping = MappingFile.model_validate(yaml.safe_load(text))
    objectives = [o.model_copy(update={"aligns_to": None}) for o in mapping.objectives]
    return mapping.model_copy(update={"objectives": objectives})
