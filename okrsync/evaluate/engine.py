"""The entry point: every KR and objective of the loaded mapping files, as of T."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from okrsync.errors import ConfigError
from okrsync.evaluate import plans, scoring
from okrsync.evaluate.context import MeasureContext, MeasureSpec, NoteTexts, queries_read
from okrsync.evaluate.measures import compute
from okrsync.evaluate.results import (
    Evaluation,
    KrResult,
    ObjectiveResult,
    OverrideInfo,
    Status,
)
from okrsync.evaluate.scoring import DEFAULT_MARGINS, Margins
from okrsync.evaluate.snapshot import DataView, Snapshot
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import KeyResult, MappingFile, Objective


@dataclass(frozen=True)
class _Placed:
    """An objective with the file-level settings it is evaluated under."""

    objective: Objective
    cycle: Cycle
    default_source: str | None


def evaluate(
    files: Sequence[MappingFile],
    data: DataView,
    as_of: datetime,
    tz: ZoneInfo,
    margins: Margins = DEFAULT_MARGINS,
) -> Evaluation:
    """Evaluate every KR and objective of ``files`` as of ``as_of``.

    A naive ``as_of`` is read in ``tz``. Raises ``ConfigError`` for problems that span
    files (duplicate ids, an unknown or circular ``aligns_to``).
    """
    at = (as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=tz)).astimezone(UTC)
    return evaluate_snapshot(files, Snapshot(data, at), tz, margins)


# Called after each unit (mapping file) with that unit's KR results, while its items
# are still in the snapshot: data-quality warnings, say.
UnitCheck = Callable[[Evaluation, MappingFile], None]


def evaluate_snapshot(
    files: Sequence[MappingFile],
    snapshot: Snapshot,
    tz: ZoneInfo,
    margins: Margins = DEFAULT_MARGINS,
    failed: Collection[str] = (),
    *,
    check: UnitCheck | None = None,
    with_evidence: bool = True,
) -> Evaluation:
    """``evaluate`` as of ``snapshot.at``, over a snapshot the caller keeps: reading the
    same items at T again afterwards (data-quality warnings) then rebuilds nothing.

    The KRs in ``failed`` (their data could not be read this run) are not evaluated:
    their objectives are scored from their other KRs and list them as
    ``failed_key_results``.

    With ``check``, files are evaluated one at a time (each a sync unit): ``check``
    sees each one's results, then the snapshot forgets the items no later file reads,
    so a large store is never held in memory all at once. Without it the snapshot
    keeps everything for the caller.

    Without ``with_evidence`` the KRs' evidence lists no items (its counts stay): what
    a back-filled point keeps."""
    return _evaluate(
        files, files, snapshot, tz, margins, failed, check, previous=(), with_evidence=with_evidence
    )


def rescore(
    previous: Evaluation,
    files: Sequence[MappingFile],
    snapshot: Snapshot,
    tz: ZoneInfo,
    units: Collection[MappingFile],
    margins: Margins = DEFAULT_MARGINS,
    failed: Collection[str] = (),
    *,
    check: UnitCheck | None = None,
) -> Evaluation:
    """What a service runs after syncing some units: the KRs of ``units`` (some of
    ``files``, the very objects) evaluated anew as of ``snapshot.at``, every other KR's
    result kept from ``previous``, and every objective rolled up again (objectives
    aligned across units included). Only the units' items are read."""
    chosen = {id(mapping) for mapping in units}
    again = _kr_ids(units)
    kept = [result for result in previous.key_results if result.id not in again]
    touched = [mapping for mapping in files if id(mapping) in chosen]
    return _evaluate(
        files, touched, snapshot, tz, margins, failed, check, previous=kept, with_evidence=True
    )


def _kr_ids(files: Iterable[MappingFile]) -> set[str]:
    return {kr.id for mapping in files for o in mapping.objectives for kr in o.key_results}


def _evaluate(
    files: Sequence[MappingFile],
    evaluated: Sequence[MappingFile],
    snapshot: Snapshot,
    tz: ZoneInfo,
    margins: Margins,
    failed: Collection[str],
    check: UnitCheck | None,
    previous: Iterable[KrResult],
    with_evidence: bool,
) -> Evaluation:
    if snapshot.at.tzinfo is None:
        raise ValueError("a snapshot's instant must be timezone-aware")
    at = snapshot.at.astimezone(UTC)
    placed = _place(files)
    evaluation = Evaluation(as_of=at)
    fresh: dict[str, KrResult] = {}
    # What the files after each one read: what the snapshot keeps once it is done.
    read_later: list[set[tuple[str, str]]] = [set()]
    if check is not None:
        for mapping in reversed(evaluated[1:]):
            read_later.append(read_later[-1] | queries_read(mapping))
        read_later.reverse()
    # The evaluation's own: its notes' texts go with it (see NoteTexts).
    texts = NoteTexts()
    with collector_paused():
        for index, mapping in enumerate(evaluated):
            unit: list[KrResult] = []
            for objective in mapping.objectives:
                where = placed[objective.id]
                ctx = MeasureContext(snapshot, where.cycle, tz, with_evidence, texts)
                unit.extend(
                    evaluate_key_result(kr, objective.id, ctx, where.default_source, margins)
                    for kr in objective.key_results
                    if kr.id not in failed
                )
            plans.score_key_results(mapping, unit, snapshot, tz, margins)
            fresh.update((result.id, result) for result in unit)
            if check is not None:
                check(Evaluation(as_of=at, key_results=unit), mapping)
                snapshot.retain(read_later[index])
    results = {result.id: result for result in previous}
    results.update(fresh)
    # In the files' order, as every output lists them.
    by_objective: dict[str, list[KrResult]] = {}
    for objective_id, where in placed.items():
        found = [results[kr.id] for kr in where.objective.key_results if kr.id in results]
        by_objective[objective_id] = found
        evaluation.key_results.extend(found)
    evaluation.objectives = _roll_up(placed, by_objective, at, tz, margins)
    plans.score_objectives(files, evaluation.objectives, results, at, tz, margins)
    return evaluation


@contextmanager
def collector_paused() -> Iterator[None]:
    """Evaluation allocates millions of small acyclic objects; the cyclic garbage
    collector would rescan the whole growing heap again and again meanwhile (it
    tripled the time over 100,000 items). Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate_key_result(
    kr: KeyResult,
    objective_id: str,
    ctx: MeasureContext,
    default_source: str | None,
    margins: Margins = DEFAULT_MARGINS,
) -> KrResult:
    measured = compute(MeasureSpec.of_key_result(kr, default_source), ctx)
    at, tz, cycle = ctx.at, ctx.tz, ctx.cycle
    target = kr.effective_target
    baseline = kr.effective_baseline
    computed = scoring.progress(measured.value, baseline, target, kr.stretch)
    shown = computed
    override: OverrideInfo | None = None
    if kr.override is not None and scoring.override_active(kr.override, at, tz):
        shown = scoring.overridden_progress(kr.override, kr.stretch)
        override = {
            "value": kr.override.value,
            "reason": kr.override.reason,
            "until": kr.override.until.isoformat(),
        }
    return KrResult(
        id=kr.id,
        objective=objective_id,
        title=kr.title,
        kind=kr.kind,
        measure=kr.measure_name,
        unit=measured.unit,
        value=measured.value,
        baseline=baseline,
        target=target,
        progress=shown,
        computed_progress=computed,
        expected=scoring.expected(cycle, at, tz),
        status=scoring.status(shown, at, cycle, tz, margins),
        score=scoring.score(shown),
        override=override,
        evidence={"counts": measured.counts, "items": measured.items},
        warnings=measured.warnings,
        warned_items=measured.warned_items,
        weight=kr.weight,
        cycle=cycle.label,
        stretch=kr.stretch,
    )


def _place(files: Sequence[MappingFile]) -> dict[str, _Placed]:
    placed: dict[str, _Placed] = {}
    kr_ids: set[str] = set()
    for mapping in files:
        for objective in mapping.objectives:
            if objective.id in placed:
                raise ConfigError(
                    f"objective id {objective.id!r} is used twice: ids must be unique "
                    "across all mapping files"
                )
            placed[objective.id] = _Placed(objective, mapping.cycle_span, mapping.defaults.source)
            for kr in objective.key_results:
                if kr.id in kr_ids:
                    raise ConfigError(
                        f"key result id {kr.id!r} is used twice: ids must be unique "
                        "across all mapping files"
                    )
                kr_ids.add(kr.id)
    for objective_id, where in placed.items():
        parent = where.objective.aligns_to
        if parent is not None and parent not in placed:
            raise ConfigError(
                f"objective {objective_id!r} aligns to {parent!r}, which no loaded mapping "
                "file defines: fix the id or load that file"
            )
    _refuse_cycles(placed)
    return placed


def _refuse_cycles(placed: dict[str, _Placed]) -> None:
    settled: set[str] = set()
    for start in placed:
        path: list[str] = []
        current: str | None = start
        while current is not None and current not in settled:
            if current in path:
                loop = [*path[path.index(current) :], current]
                raise ConfigError(
                    f"objectives align to each other in a circle ({' -> '.join(loop)}): "
                    "remove one of these aligns_to"
                )
            path.append(current)
            current = placed[current].objective.aligns_to
        settled.update(path)


def _roll_up(
    placed: dict[str, _Placed],
    krs: dict[str, list[KrResult]],
    at: datetime,
    tz: ZoneInfo,
    margins: Margins,
) -> list[ObjectiveResult]:
    children: dict[str, list[str]] = {oid: [] for oid in placed}
    for oid, where in placed.items():
        if where.objective.aligns_to is not None:
            children[where.objective.aligns_to].append(oid)
    progress: dict[str, float | None] = {}
    results = []
    for oid, where in placed.items():
        value = _progress_of(oid, placed, krs, children, progress)
        cycle = where.cycle
        empty = not krs[oid] and not children[oid]
        scored = {kr.id for kr in krs[oid]}
        every = [kr.id for kr in where.objective.key_results]
        results.append(
            ObjectiveResult(
                id=oid,
                title=where.objective.title,
                score=scoring.score(value),
                progress=value,
                expected=scoring.expected(cycle, at, tz),
                status=Status.NO_DATA if empty else scoring.status(value, at, cycle, tz, margins),
                key_results=every,
                aligned=children[oid],
                weight=where.objective.weight,
                aligns_to=where.objective.aligns_to,
                cycle=cycle.label,
                failed=[kr_id for kr_id in every if kr_id not in scored],
            )
        )
    return results


def _progress_of(
    oid: str,
    placed: dict[str, _Placed],
    krs: dict[str, list[KrResult]],
    children: dict[str, list[str]],
    progress: dict[str, float | None],
) -> float | None:
    """The objective's progress from its KRs and aligned objectives, memoised in
    ``progress``. Not a closure: a recursive closure refers to itself, a cycle that
    kept every KR result (and its evidence) alive until the cyclic collector ran,
    which evaluation pauses, and a trend's back-fill evaluates once a day."""
    # Alignment is acyclic (checked in _place), so the recursion ends.
    if oid not in progress:
        parts = [(kr.progress, kr.weight) for kr in krs[oid]]
        parts += [
            (_progress_of(c, placed, krs, children, progress), placed[c].objective.weight)
            for c in children[oid]
        ]
        progress[oid] = scoring.weighted_mean(parts)
    return progress[oid]


__all__ = [
    "Margins",
    "Status",
    "collector_paused",
    "evaluate",
    "evaluate_key_result",
    "evaluate_snapshot",
    "rescore",
]
