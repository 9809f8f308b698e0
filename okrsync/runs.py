"""The operations behind the commands: pull, plan, apply and sync, each recorded as a
run in the store with what it pulled, its warnings and its errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrsync.apply import AppliedWrite, apply_writes
from okrsync.connector import Connector, MetricSource, build_connector
from okrsync.errors import OkrsyncError
from okrsync.evaluate import Evaluation, evaluate
from okrsync.mapping.models import MetricMeasure
from okrsync.plan import Plan, PlannedWrite, build_plan
from okrsync.pull import ProgressCallback, PullReport, kr_selections, pull_queries, queries_of
from okrsync.secrets import redact
from okrsync.store_view import StoreDataView

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store


@dataclass
class RunRecorder:
    """Collects what a run did, and records it when the run ends."""

    store: Store
    command: str
    as_of: datetime | None
    run_id: int = 0
    pulled: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __enter__(self) -> RunRecorder:
        self.run_id = self.store.start_run(self.command, self.as_of)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        errors = [] if exc is None else [redact(str(exc) or type(exc).__name__)]
        self.store.finish_run(
            self.run_id,
            "ok" if exc is None else "failed",
            pulled=self.pulled,
            warnings=self.warnings,
            errors=errors,
        )


def used_instances(project: Project) -> list[str]:
    """Connector instances the mappings pull from, read metrics from or push to."""
    names = {spec.source for spec in queries_of(project.files)}
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
        if kr_ids is not None and ref.id not in kr_ids:
            continue
        measures = [ref.kr.measure, *(i.measure for i in ref.kr.formula_inputs().values())]
        found.update(
            (m.metric.source, m.metric.name) for m in measures if isinstance(m, MetricMeasure)
        )
    return sorted(found)


async def read_metrics(
    project: Project,
    connector_for: Callable[[str], Connector],
    keys: list[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], float]:
    """The current value of every metric the KRs use (or of ``keys``).

    Read whenever a plan is made, like the push targets: the store keeps no metric
    values, so evaluating one as of an earlier instant uses today's value."""
    values: dict[tuple[str, str], float] = {}
    for source, name in metrics_used_by(project) if keys is None else keys:
        connector = connector_for(source)
        if isinstance(connector, MetricSource):
            values[(source, name)] = await connector.read_metric(name)
    return values


@asynccontextmanager
async def open_connectors(
    project: Project, names: list[str]
) -> AsyncIterator[Callable[[str], Connector]]:
    async with AsyncExitStack() as stack:
        # Metric sources are opened here too; ``read_metrics`` tells them apart.
        opened: dict[str, Connector] = {}
        for name in names:
            connector = build_connector(name, project.connector_settings(name))
            opened[name] = await stack.enter_async_context(connector)
        yield opened.__getitem__


async def current_metrics(
    project: Project, kr_ids: Collection[str]
) -> dict[tuple[str, str], float]:
    """The metrics some KRs use, read from their sources (nothing else is opened)."""
    keys = metrics_used_by(project, kr_ids)
    if not keys:
        return {}
    async with open_connectors(project, sorted({source for source, _ in keys})) as connector_for:
        return await read_metrics(project, connector_for, keys)


async def pull(
    project: Project,
    store: Store,
    connector_for: Callable[[str], Connector],
    progress: ProgressCallback | None = None,
) -> PullReport:
    specs = [s for s in queries_of(project.files) if project.is_item_source(s.source)]
    return await pull_queries(specs, store, connector_for, progress, queries_used_by(project))


def queries_used_by(project: Project) -> dict[tuple[str, str], list[str]]:
    """``KR id at FILE:LINE:COL`` for every (instance, query) a KR selects with."""
    users: dict[tuple[str, str], list[str]] = {}
    for ref in project.key_results():
        for selection in kr_selections(ref.kr):
            key = (ref.source_of(selection), selection.query)
            users.setdefault(key, []).append(f"KR {ref.id} at {ref.location}")
    return users


def evaluate_project(
    project: Project,
    store: Store,
    as_of: datetime,
    metrics: dict[tuple[str, str], float] | None = None,
) -> Evaluation:
    return evaluate(
        project.files,
        StoreDataView(store, metrics),
        as_of,
        project.timezone,
        project.margins,
    )


async def plan(
    project: Project,
    store: Store,
    connector_for: Callable[[str], Connector],
    as_of: datetime,
) -> Plan:
    metrics = await read_metrics(project, connector_for)
    evaluation = evaluate_project(project, store, as_of, metrics)
    key_results = [ref.kr for ref in project.key_results()]
    return await build_plan(key_results, evaluation, store, connector_for)


async def apply(
    writes: list[PlannedWrite],
    store: Store,
    connector_for: Callable[[str], Connector],
    run_id: int,
    progress: Callable[[AppliedWrite], None] | None = None,
) -> list[AppliedWrite]:
    return await apply_writes(writes, store, connector_for, run_id, progress)


def record_results(
    store: Store, run_id: int, plan: Plan, applied: list[AppliedWrite] | None = None
) -> None:
    """Record the run's results, each KR with its pushes: pending ones until ``applied``
    says which writes were made."""
    made = None if applied is None else [a.write for a in applied]
    data = plan.to_dict(made)
    store.record_results(run_id, plan.as_of, data["key_results"], data["objectives"])


async def pull_into_run(
    project: Project,
    store: Store,
    connector_for: Callable[[str], Connector],
    run: RunRecorder,
    progress: ProgressCallback | None,
) -> PullReport:
    report = await pull(project, store, connector_for, progress)
    run.pulled = report.as_dict()
    return report


async def sync(
    project: Project,
    store: Store,
    as_of: datetime,
    run: RunRecorder,
    progress: ProgressCallback | None = None,
) -> tuple[Plan, list[AppliedWrite]]:
    """The scheduled job: pull, evaluate, record the results, apply, and record which
    writes were made (the results stay recorded if a write fails)."""
    async with open_connectors(project, used_instances(project)) as connector_for:
        await pull_into_run(project, store, connector_for, run, progress)
        fresh = await plan(project, store, connector_for, as_of)
        record_results(store, run.run_id, fresh)
        applied = await apply(fresh.all_writes(), store, connector_for, run.run_id)
        record_results(store, run.run_id, fresh, applied)
        return fresh, applied


__all__ = [
    "OkrsyncError",
    "RunRecorder",
    "apply",
    "current_metrics",
    "evaluate_project",
    "metrics_used_by",
    "open_connectors",
    "plan",
    "pull",
    "pull_into_run",
    "read_metrics",
    "record_results",
    "sync",
    "used_instances",
]
