"""The operations behind the commands: pull, plan, apply, sync and back-fill, each
recorded as a run in the store with what it did, its warnings and its errors.

Evaluation reads the store alone. A pull is the only place where metric values are
read from their sources: each is recorded with the run's start, so that ``plan``,
``explain``, ``report`` and back-fills evaluate any instant without the network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from okrsync.apply import AppliedWrite, apply_writes, check_saved_plan, held_text
from okrsync.backfill import backfill, can_backfill, needs_backfill
from okrsync.connector import Connector, MetricSource, build_connector
from okrsync.errors import OkrsyncError, StalePlan
from okrsync.evaluate import Evaluation
from okrsync.evaluate.engine import evaluate_snapshot, rescore
from okrsync.evaluate.quality import add_quality_warnings, selection_sizes
from okrsync.evaluate.snapshot import Snapshot
from okrsync.failures import (
    KrFailure,
    fails_one_kr,
    metric_places,
    push_place,
    selection_places,
)
from okrsync.forecast import add_forecasts
from okrsync.forecast.series import store_series
from okrsync.links import ItemLinks, link_evaluation
from okrsync.plan import Held, Plan, PlannedWrite, build_plan, plan_writes, read_held
from okrsync.pull import ProgressCallback, PullReport, pull_queries, queries_of
from okrsync.run_record import (
    RunProgress,
    RunRecorder,
    describe_query,
    describe_write,
    run_deadline_of,
)
from okrsync.saved_plan import fresh_plan_advice
from okrsync.store_view import StoreDataView, explain_missing_metrics, metrics_read_by
from okrsync.summary import plural

if TYPE_CHECKING:
    from okrsync.mapping.models import MappingFile
    from okrsync.project import KeyResultRef, Project
    from okrsync.store import Store


def used_instances(project: Project) -> list[str]:
    """Connector instances the mappings pull from, read metrics from or push to."""
    names = {spec.source for spec in queries_of(project.pulled_files())}
    names.update(source for source, _ in metrics_used_by(project))
    for ref in project.key_results():
        names.update(push.to for push in ref.kr.push)
    return sorted(names)


def metrics_used_by(
    project: Project, kr_ids: Collection[str] | None = None
) -> list[tuple[str, str]]:
    """(instance, metric name) of every ``metric:`` measure (of some KRs), formula
    inputs included."""
    found: set[tuple[str, str]] = set()
    for ref in project.key_results():
        if kr_ids is None or ref.id in kr_ids:
            found.update(metrics_read_by(ref.kr))
    return sorted(found)


@asynccontextmanager
async def open_connectors(
    project: Project, names: list[str]
) -> AsyncIterator[Callable[[str], Connector]]:
    async with AsyncExitStack() as stack:
        # Everything a run asks the tools ends by its run_timeout (okrsync.http).
        stack.enter_context(run_deadline_of(project))
        # Metric sources are opened here too; ``record_metrics`` tells them apart.
        opened: dict[str, Connector] = {}
        for name in names:
            connector = build_connector(name, project.connector_settings(name))
            opened[name] = await stack.enter_async_context(connector)
        yield opened.__getitem__


async def pull_into_run(
    project: Project,
    store: Store,
    connector_for: Callable[[str], Connector],
    run: RunRecorder,
    progress: ProgressCallback | None = None,
) -> PullReport:
    """Pull every query into the store, then record every metric's current value.

    Queries are pulled one at a time so that a failure leaves a record of which were
    stored; the run's ``pulled`` numbers stay current meanwhile."""
    run.progress.stage = "pulling"
    run.assess()
    specs = [s for s in queries_of(project.pulled_files()) if project.is_item_source(s.source)]
    run.progress.queries = [describe_query(s.source, s.query) for s in specs]
    places = selections_by_query(project)
    tz = project.timezone
    report = PullReport()
    for spec in specs:
        try:
            part = await pull_queries(
                [spec], store, connector_for, progress, seen_at=run.started, timezone=tz
            )
        except OkrsyncError as error:
            # A query the tool rejects fails the KRs that select with it, and only them.
            used_by = places.get((spec.source, spec.query), [])
            if not used_by or not fails_one_kr(error, "select"):
                raise
            for ref, where in used_by:
                run.fail(KrFailure.of(ref, where, error))
            continue
        report.queries.extend(part.queries)
        run.progress.stored.append(describe_query(spec.source, spec.query))
        run.pulled = report.as_dict()
    recorded = await record_metrics(project, store, connector_for, run)
    run.pulled = {**report.as_dict(), "metrics": recorded}
    return report


async def record_metrics(
    project: Project,
    store: Store,
    connector_for: Callable[[str], Connector],
    run: RunRecorder,
) -> int:
    """Read every metric the KRs use from its source and record it at the run's start;
    returns how many were recorded."""
    keys = metrics_used_by(project)
    run.progress.metrics = [f"{source}/{name}" for source, name in keys]
    for source, name in keys:
        connector = connector_for(source)
        if not isinstance(connector, MetricSource):
            continue  # validation names the instance; nothing to read here
        try:
            value = await connector.read_metric(name)
        except OkrsyncError as error:
            # A metric source that is down fails the KRs measured by it, and only them.
            if not fails_one_kr(error, "measure"):
                raise
            for ref in project.key_results():
                for where in (w for s, n, w in metric_places(ref) if (s, n) == (source, name)):
                    run.fail(KrFailure.of(ref, where, error))
            continue
        store.record_metric(source, name, run.started, value)
        run.progress.recorded.append(f"{source}/{name}")
    return len(run.progress.recorded)


def selections_by_query(project: Project) -> dict[tuple[str, str], list[tuple[KeyResultRef, str]]]:
    """Every KR that selects with each (instance, query), with where the query is written."""
    found: dict[tuple[str, str], list[tuple[KeyResultRef, str]]] = {}
    for ref in project.key_results():
        for source, query, where in selection_places(ref):
            found.setdefault((source, query), []).append((ref, where))
    return found


def evaluate_project(
    project: Project, store: Store, as_of: datetime, failed: Collection[str] = ()
) -> Evaluation:
    """Every KR and objective as of ``as_of``, from the store alone, with data-quality
    warnings; the KRs in ``failed`` are left out (see ``okrsync.failures``).

    A selection's size is compared with the latest run recorded as of ``as_of`` or
    earlier (read before this run records anything): an evaluation of an earlier
    instant is not compared with a later one."""
    return _evaluate_from_store(project, store, as_of, failed, None)


def rescore_units(
    project: Project,
    store: Store,
    as_of: datetime,
    units: Collection[MappingFile],
    previous: Evaluation,
    failed: Collection[str] = (),
) -> Evaluation:
    """``evaluate_project`` after a run of some sync units (mapping files of
    ``project.files``): only their KRs are evaluated again, from their items alone;
    the other KRs keep their results in ``previous`` (the last evaluation); every
    objective is rolled up again. ``previous`` should be of the same instant, or the
    KRs not re-scored show an older one."""
    return _evaluate_from_store(project, store, as_of, failed, (units, previous))


def _kr_ids_of(files: Collection[MappingFile]) -> set[str]:
    return {kr.id for mapping in files for o in mapping.objectives for kr in o.key_results}


def _evaluate_from_store(
    project: Project,
    store: Store,
    as_of: datetime,
    failed: Collection[str],
    again: tuple[Collection[MappingFile], Evaluation] | None,
) -> Evaluation:
    tz = project.timezone
    at = (as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=tz)).astimezone(UTC)
    # What the KRs evaluated here were last recorded with (a unit's own, not every KR's).
    evaluated = project.evaluated_files()
    kr_ids = None if evaluated is project.files else _kr_ids_of(evaluated)
    previous = selection_sizes(r.data for r in store.latest_results(at, kr_ids)[1])
    view = StoreDataView(store, at)
    snapshot = Snapshot(view, at)
    series = store_series(project, store, at, snapshot)

    def check(unit: Evaluation, mapping: MappingFile) -> None:
        add_quality_warnings(
            unit,
            [mapping],
            snapshot,
            tz=tz,
            in_progress_age=project.in_progress_age,
            previous_sizes=previous,
        )
        # Forecasts of item KRs read the unit's items, so they are made here too; each
        # KR's forecast depends on its own history alone (okrsync.forecast.simulate).
        add_forecasts(unit, [mapping], snapshot, tz, series, project.forecast_settings)

    # One unit at a time, each checked while its items are at hand (see evaluate_snapshot).
    files, margins = project.files, project.margins
    if again is None:
        evaluation = evaluate_snapshot(evaluated, snapshot, tz, margins, failed, check=check)
    else:
        units, last = again
        evaluation = rescore(last, files, snapshot, tz, units, margins, failed, check=check)
    explain_missing_metrics(evaluation, view)
    link_evaluation(evaluation, ItemLinks(project.connectors))
    return evaluation


async def plan(
    project: Project,
    store: Store,
    connector_for: Callable[[str], Connector],
    as_of: datetime,
    run: RunRecorder | None = None,
) -> Plan:
    """Evaluate every KR and compare what it would write with what its targets hold.

    In a run, a KR whose push target the tool refuses fails on its own (as do those
    that failed while pulling): it is left out of the evaluation and of the plan."""
    if run is None:
        evaluation = evaluate_project(project, store, as_of)
        key_results = [ref.kr for ref in project.key_results()]
        return await build_plan(key_results, evaluation, store, connector_for)
    run.progress.stage = "planning"
    held = await read_push_targets(project, store, connector_for, run)
    evaluation = evaluate_project(project, store, as_of, run.failed)
    return plan_writes(evaluation.as_of, evaluation, held, run.assess(), connector_for)


async def read_push_targets(
    project: Project, store: Store, connector_for: Callable[[str], Connector], run: RunRecorder
) -> dict[str, list[Held]]:
    """What every push target of the KRs not failed yet holds now, by KR id. A KR
    whose target the tool refuses fails, and its other targets are not read."""
    held: dict[str, list[Held]] = {}
    for ref in project.key_results():
        if ref.id in run.failed:
            continue
        targets: list[Held] = []
        for push in ref.kr.push:
            try:
                targets += await read_held(ref.kr, push, store, connector_for)
            except OkrsyncError as error:
                if not fails_one_kr(error, "push"):
                    raise
                run.fail(KrFailure.of(ref, push_place(ref, push, error), error))
                break
        else:
            held[ref.id] = targets
    return held


async def apply(
    writes: list[PlannedWrite],
    store: Store,
    connector_for: Callable[[str], Connector],
    run: RunRecorder,
    progress: Callable[[AppliedWrite], None] | None = None,
) -> list[AppliedWrite]:
    """Perform ``writes``, keeping count in the run of which were made."""
    run.progress.stage = "applying"
    run.progress.planned = list(writes)

    def made(write: AppliedWrite) -> None:
        run.progress.made.append(write)
        if progress is not None:
            progress(write)

    return await apply_writes(writes, store, connector_for, run.run_id, made)


async def apply_saved(
    writes: list[PlannedWrite],
    store: Store,
    connector_for: Callable[[str], Connector],
    run: RunRecorder,
    plan_file: str,
) -> tuple[list[AppliedWrite], list[PlannedWrite]]:
    """Perform a saved plan's writes whose targets still hold what they held when it
    was made; returns the writes made and those whose targets were already current.

    A target that changed since refuses the whole plan (``StalePlan``) before any
    write, as a stale saved plan in Terraform."""
    run.progress.stage = "checking the plan"
    check = await check_saved_plan(writes, store, connector_for)
    run.pulled["writes_current"] = len(check.current)
    if check.stale:
        changed = ", ".join(
            f"{describe_write(w.target)}: held {held_text(w.target, w.old)} when planned, "
            f"holds {held_text(w.target, holds)} now"
            for w, holds in check.stale
        )
        raise StalePlan(
            f"plan file {plan_file} is stale: {plural(len(check.stale), 'target')} changed "
            f"since it was made ({changed}); {fresh_plan_advice(plan_file)}"
        )
    return await apply(check.to_make, store, connector_for, run), check.current


def record_results(
    store: Store, run_id: int, plan: Plan, applied: list[AppliedWrite] | None = None
) -> None:
    """Record the run's results, each KR with its pushes: pending ones until ``applied``
    says which writes were made."""
    made = None if applied is None else [a.write for a in applied]
    data = plan.to_dict(made)
    store.record_results(run_id, plan.as_of, data["key_results"], data["objectives"])


def backfill_into_run(
    project: Project,
    store: Store,
    as_of: datetime,
    run: RunRecorder,
    kr_ids: Sequence[str] | None = None,
    *,
    include_as_of: bool = True,
) -> dict[str, int]:
    """Back-fill daily points of some KRs (default: all) from their cycle start to
    ``as_of``, recorded under the run; returns the points per KR."""
    run.progress.stage = "back-filling"
    counts = backfill(project, store, as_of, kr_ids, run_id=run.run_id, include_as_of=include_as_of)
    run.pulled["backfilled"] = {kr_id: n for kr_id, n in counts.items() if n}
    return counts


def backfill_new(project: Project, store: Store, as_of: datetime, run: RunRecorder) -> list[str]:
    """Back-fill the KRs that have no back-filled point yet (a fresh store, a KR added
    to a mapping mid-cycle), up to the last day's end before ``as_of``: the run itself
    records the value at ``as_of``. Returns the KRs that got points."""
    ready = [
        ref.id
        for ref in project.key_results()
        if ref.id not in run.failed and can_backfill(ref.kr, store)
    ]
    missing = needs_backfill(store, ready)
    if not missing:
        return []
    counts = backfill_into_run(project, store, as_of, run, missing, include_as_of=False)
    return [kr_id for kr_id, n in counts.items() if n]


async def sync(
    project: Project,
    store: Store,
    as_of: datetime,
    run: RunRecorder,
    progress: ProgressCallback | None = None,
) -> tuple[Plan, list[AppliedWrite]]:
    """The scheduled job: pull, evaluate, record the results, apply, record which
    writes were made (the results stay recorded if a write fails), then back-fill the
    KRs that have no history yet. A sync unit's run (``okrsync.units``) does all of it
    for its own KRs and records the objectives they count towards."""
    async with open_connectors(project, used_instances(project)) as connector_for:
        await pull_into_run(project, store, connector_for, run, progress)
        fresh = await plan(project, store, connector_for, as_of, run)
        fresh.evaluation = project.own_results(fresh.evaluation)
        run.progress.stage = "recording"
        record_results(store, run.run_id, fresh)
        applied = await apply(fresh.all_writes(), store, connector_for, run)
        run.progress.stage = "recording"
        record_results(store, run.run_id, fresh, applied)
    backfill_new(project, store, as_of, run)
    return fresh, applied


__all__ = [
    "OkrsyncError",
    "RunProgress",
    "RunRecorder",
    "apply",
    "apply_saved",
    "backfill_into_run",
    "backfill_new",
    "describe_query",
    "describe_write",
    "evaluate_project",
    "metrics_used_by",
    "open_connectors",
    "plan",
    "pull_into_run",
    "read_push_targets",
    "record_metrics",
    "record_results",
    "rescore_units",
    "selections_by_query",
    "sync",
    "used_instances",
]
