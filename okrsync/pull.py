"""Pull: bring every selection's items and history from the tools into the store.

Each distinct (instance, native query) is pulled once per run, however many KRs use
it. Batches are stored as they arrive (upserts, so a re-read after a crash is
harmless); the query's cursor and member set move only once the last batch is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from okrsync.connector import Connector, PullBatch, PullDone, PullRequest
from okrsync.errors import QueryError
from okrsync.mapping.models import (
    AverageMeasure,
    KeyResult,
    MappingFile,
    MaxMeasure,
    MinMeasure,
    Selection,
    SumMeasure,
)

if TYPE_CHECKING:
    from okrsync.store import Store

# What a pull reports to a progress display: (instance, query, items so far).
ProgressCallback = Callable[[str, str, int], None]


@dataclass(frozen=True)
class QuerySpec:
    """One native query of one connector instance, and the extra fields it needs."""

    source: str
    query: str
    fields: tuple[str, ...] = ()


@dataclass
class QueryReport:
    source: str
    query: str
    members: int = 0
    fetched: int = 0
    requests: int = 0


@dataclass
class PullReport:
    queries: list[QueryReport] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(q.requests for q in self.queries)

    @property
    def fetched(self) -> int:
        return sum(q.fetched for q in self.queries)

    def as_dict(self) -> dict[str, object]:
        return {
            "queries": len(self.queries),
            "items_fetched": self.fetched,
            "requests": self.requests,
        }


def _fields_read_by(kr: KeyResult) -> set[str]:
    """Item fields (beyond the tracked ones) that a KR's measure reads."""
    wanted: set[str] = set()
    measure = kr.measure
    if isinstance(measure, SumMeasure):
        wanted.add(measure.sum)
    elif isinstance(measure, AverageMeasure):
        wanted.add(measure.average)
    elif isinstance(measure, MinMeasure):
        wanted.add(measure.min)
    elif isinstance(measure, MaxMeasure):
        wanted.add(measure.max)
    if kr.weight_by:
        wanted.add(kr.weight_by)
    # Story points are tracked as the estimate; no extra field is needed for them.
    return {name for name in wanted if name.lower().replace(" ", "_") != "story_points"}


def kr_selections(kr: KeyResult) -> list[Selection]:
    """The KR's own selections and those of its formula inputs."""
    selections = list(kr.selections())
    for sub in kr.formula_inputs().values():
        if isinstance(sub.select, list):
            selections.extend(sub.select)
        elif sub.select is not None:
            selections.append(sub.select)
    return selections


def _kr_selections(kr: KeyResult) -> Iterable[tuple[Selection, set[str]]]:
    fields = _fields_read_by(kr)
    for sub in kr.formula_inputs().values():
        if sub.weight_by:
            fields.add(sub.weight_by)
    for selection in kr_selections(kr):
        yield selection, fields


def queries_of(files: Iterable[MappingFile]) -> list[QuerySpec]:
    """Every distinct query the mappings use, with the union of fields each needs."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for mapping in files:
        default_source = mapping.defaults.source
        for objective in mapping.objectives:
            for kr in objective.key_results:
                for selection, fields in _kr_selections(kr):
                    source = selection.source or default_source
                    if source is None:
                        continue  # reported by validation
                    wanted.setdefault((source, selection.query), set()).update(fields)
    return [
        QuerySpec(source, query, tuple(sorted(fields)))
        for (source, query), fields in sorted(wanted.items())
    ]


async def pull_queries(
    specs: list[QuerySpec],
    store: Store,
    connector_for: Callable[[str], Connector],
    progress: ProgressCallback | None = None,
    used_by: Mapping[tuple[str, str], list[str]] | None = None,
) -> PullReport:
    """Pull every query into the store; raises on the first failing query, leaving
    that query's cursor where it was (batches already stored are kept: they are
    upserts and the next run re-reads from the old cursor).

    ``used_by`` names, per (instance, query), the KRs that use it with their
    locations, so that a query the tool rejects is reported where it was written."""
    report = PullReport()
    for spec in specs:
        try:
            query_report = await _pull_one(spec, connector_for(spec.source), store, progress)
        except QueryError as error:
            users = (used_by or {}).get((spec.source, spec.query))
            if not users:
                raise
            raise QueryError(
                f"{error} (query of {'; '.join(users)})", status=error.status
            ) from None
        report.queries.append(query_report)
    return report


async def _pull_one(
    spec: QuerySpec, connector: Connector, store: Store, progress: ProgressCallback | None
) -> QueryReport:
    query_report = QueryReport(spec.source, spec.query)
    cursor = store.cursor(spec.source, spec.query)
    request = PullRequest(
        query=spec.query,
        fields=spec.fields,
        since=cursor,
        known_keys=store.known_keys(spec.source, spec.query) if cursor else frozenset(),
    )
    async for part in connector.pull(request):
        if isinstance(part, PullBatch):
            store.save_pull_batch(spec.source, spec.query, part.items, part.changes)
            query_report.fetched += len(part.items)
            if progress:
                progress(spec.source, spec.query, query_report.fetched)
        elif isinstance(part, PullDone):
            store.finish_pull(spec.source, spec.query, part.members, part.cursor, part.sprints)
            query_report.members = len(part.members)
            query_report.requests = part.requests
    return query_report
