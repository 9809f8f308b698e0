"""The operations behind the commands: pull, plan, apply and sync, each recorded as a
run in the store with what it pulled, its warnings and its errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrsync.apply import AppliedWrite, apply_writes
from okrsync.connector import Connector, build_connector
from okrsync.errors import OkrsyncError
from okrsync.evaluate import Evaluation, evaluate
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
    """Connector instances the mappings pull from or push to."""
    names = {spec.source for spec in queries_of(project.files)}
    for ref in project.key_results():
        names.update(push.to for push in ref.kr.push)
    return sorted(names)


@asynccontextmanager
async def open_connectors(
    project: Project, names: list[str]
) -> AsyncIterator[Callable[[str], Connector]]:
    async with AsyncExitStack() as stack:
        opened: dict[str, Connector] = {}
        for name in names:
            connector = build_connector(name, project.connector_settings(name))
            opened[name] = await stack.enter_async_context(connector)
        yield opened.__getitem__


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


def evaluate_project(project: Project, store: Store, as_of: datetime) -> Evaluation:
    return evaluate(
        project.files,
        StoreDataView(store),
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
    evaluation = evaluate_project(project, store, as_of)
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


def record_results(store: Store, run_id: int, evaluation: Evaluation) -> None:
    data = evaluation.to_dict()
    store.record_results(run_id, evaluation.as_of, data["key_results"], data["objectives"])


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
    """The scheduled job: pull, evaluate, record the results, apply."""
    async with open_connectors(project, used_instances(project)) as connector_for:
        await pull_into_run(project, store, connector_for, run, progress)
        fresh = await plan(project, store, connector_for, as_of)
        record_results(store, run.run_id, fresh.evaluation)
        applied = await apply(fresh.all_writes(), store, connector_for, run.run_id)
        return fresh, applied


__all__ = [
    "OkrsyncError",
    "RunRecorder",
    "apply",
    "evaluate_project",
    "open_connectors",
    "plan",
    "pull",
    "pull_into_run",
    "record_results",
    "sync",
    "used_instances",
]
