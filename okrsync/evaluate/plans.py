"""Plans of several cycles (mapping-language.md §10): every KR and objective of a plan
file scored per cycle, beside its score across the whole plan.

Per cycle a KR is scored against its cycle target: the ``targets`` entry for that cycle,
or else the plan's target prorated linearly over the plan's calendar days at the
cycle's end (``baseline + (target - baseline) * days through the cycle / plan days``).
Progress runs from the plan's baseline to the cycle target. A cycle that has ended is
scored on the value at its end, the current cycle on the value at T, and a future one
has no score yet. An objective scores each cycle as the weighted mean of its KRs' (and
its aligned objectives') scores for that cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from okrsync.evaluate import scoring
from okrsync.evaluate.context import MeasureContext, MeasureSpec
from okrsync.evaluate.measures import compute
from okrsync.evaluate.results import CycleScore, KrResult, ObjectiveResult, Status
from okrsync.evaluate.scoring import Margins
from okrsync.evaluate.snapshot import DataView, Snapshot
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import KeyResult, MappingFile


@runtime_checkable
class _Timed(Protocol):
    """A data view whose metrics are read as of an instant (the store's)."""

    def seen_at(self, as_of: datetime) -> DataView: ...


def _data_at(data: DataView, at: datetime) -> DataView:
    """``data`` with its metrics read as of ``at`` where it reads them as of an instant."""
    return data.seen_at(at) if isinstance(data, _Timed) else data


def cycle_target(kr: KeyResult, plan: Cycle, part: Cycle) -> float | None:
    """What ``kr`` should reach by the end of ``part``, a cycle of ``plan``."""
    if kr.targets and part.label in kr.targets:
        return kr.targets[part.label]
    target = kr.effective_target
    if target is None:
        return None
    baseline = kr.effective_baseline
    return baseline + (target - baseline) * plan.share_through(part)


def score_key_results(
    mapping: MappingFile,
    results: Sequence[KrResult],
    snapshot: Snapshot,
    tz: ZoneInfo,
    margins: Margins,
) -> None:
    """Give each of ``results`` (KRs of ``mapping``, evaluated as of ``snapshot.at``)
    its ``cycles`` when the file is a plan; a single cycle's results are left alone."""
    plan = mapping.cycle_span
    if not plan.is_plan:
        return
    krs = {kr.id: kr for o in mapping.objectives for kr in o.key_results}
    at = snapshot.at
    # The value each ended cycle closed on, read through one snapshot per cycle end.
    ended = [part for part in plan.parts if part.end(tz) <= at]
    at_ends = {
        part.label: Snapshot(_data_at(snapshot.data, part.end(tz)), part.end(tz)) for part in ended
    }
    for result in results:
        kr = krs[result.id]
        spec = MeasureSpec.of_key_result(kr, mapping.defaults.source)
        scores: list[CycleScore] = []
        for part in plan.parts:
            target = cycle_target(kr, plan, part)
            value: float | None
            progress: float | None
            if part.label in at_ends:
                ctx = MeasureContext(at_ends[part.label], plan, tz, with_evidence=False)
                value = compute(spec, ctx).value
                progress = scoring.progress(value, kr.effective_baseline, target, kr.stretch)
            elif part.start(tz) <= at:
                value = result.value
                progress = scoring.progress(value, kr.effective_baseline, target, kr.stretch)
                if result.override is not None and kr.override is not None:
                    progress = scoring.overridden_progress(kr.override, kr.stretch)
            else:
                value = progress = None
            scores.append(_entry(part, target, value, progress, at, tz, margins))
        result.cycles = scores


def score_objectives(
    files: Iterable[MappingFile],
    objectives: Sequence[ObjectiveResult],
    krs: Mapping[str, KrResult],
    at: datetime,
    tz: ZoneInfo,
    margins: Margins,
) -> None:
    """Give each objective of a plan file its ``cycles``: the weighted mean of its KRs'
    scores for the cycle, and of the objectives aligned to it that share that cycle."""
    plans = {o.id: m.cycle_span for m in files for o in m.objectives}
    by_id = {o.id: o for o in objectives}
    done: dict[str, dict[str, float | None]] = {}

    for objective in objectives:
        plan = plans[objective.id]
        if not plan.is_plan:
            continue
        progress = _per_cycle(objective.id, by_id, plans, krs, done)
        empty = not objective.key_results and not objective.aligned
        entries = []
        for part in plan.parts:
            entry = _entry(part, None, None, progress[part.label], at, tz, margins)
            if empty and entry["status"] not in (Status.NOT_STARTED, Status.CLOSED):
                entry["status"] = str(Status.NO_DATA)
            entries.append(entry)
        objective.cycles = entries


def _per_cycle(
    oid: str,
    by_id: Mapping[str, ObjectiveResult],
    plans: Mapping[str, Cycle],
    krs: Mapping[str, KrResult],
    done: dict[str, dict[str, float | None]],
) -> dict[str, float | None]:
    """The objective's score in each cycle of its plan, memoised in ``done``. A plain
    function, not a closure: a closure calling itself is a reference cycle, which would
    keep every KR result alive while evaluation pauses the cyclic collector."""
    # Alignment is acyclic (checked by the engine), so the recursion ends.
    if oid not in done:
        objective = by_id[oid]
        mine: dict[str, float | None] = {}
        for part in plans[oid].parts:
            parts = [
                (_progress_in(krs[k], part.label), krs[k].weight)
                for k in objective.key_results
                if k in krs
            ]
            parts += [
                (_per_cycle(child, by_id, plans, krs, done).get(part.label), by_id[child].weight)
                for child in objective.aligned
            ]
            mine[part.label] = scoring.weighted_mean(parts)
        done[oid] = mine
    return done[oid]


def _progress_in(result: KrResult, label: str) -> float | None:
    for entry in result.cycles or ():
        if entry["cycle"] == label:
            return entry["progress"]
    return None


def _entry(
    part: Cycle,
    target: float | None,
    value: float | None,
    progress: float | None,
    at: datetime,
    tz: ZoneInfo,
    margins: Margins,
) -> CycleScore:
    return {
        "cycle": part.label,
        "start": part.first_day.isoformat(),
        "end": part.last_day.isoformat(),
        "target": target,
        "value": value,
        "progress": progress,
        "score": scoring.score(progress),
        "expected": scoring.expected(part, at, tz),
        "status": str(scoring.status(progress, at, part, tz, margins)),
    }


__all__ = ["cycle_target", "score_key_results", "score_objectives"]
