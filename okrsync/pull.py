"""Pull: bring every selection's items and history from the tools into the store.

Each distinct (instance, native query) is pulled once per run, however many KRs use
it. Batches are stored as they arrive (upserts, so a re-read after a crash is
harmless); the query's cursor and member set move only once the last batch is stored.

Storing happens in a worker thread, one write at a time, so that the connector goes on
fetching meanwhile; batches that arrive during a write are stored together by the next
one; every write waits for the one before it. The query's stored members, which may
be 100,000s of keys, are read meanwhile in a thread of their own when the store gives
each thread its own connection (otherwise in the worker, before the first write).
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from okrsync.connector import (
    Connector,
    PullBatch,
    PullDone,
    PullRequest,
    SeenAnswer,
    capabilities_of,
)
from okrsync.errors import QueryError
from okrsync.futures import settle
from okrsync.items import TrackedField, is_estimate_field
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
# Items handed over but not stored yet, beyond which the pull waits for the store.
BACKLOG_ITEMS = 5000
# A pull decodes millions of small JSON objects that die young. With CPython's default
# thresholds (a collection every 700 allocations) the cycle collector ran thousands of
# times and walked the whole heap dozens of times in a pull of 100,000 issues: a fifth
# of its CPU. While pulling, young objects are collected every this many allocations.
COLLECT_EVERY = 50_000


@runtime_checkable
class SweepLog(Protocol):
    """A store that remembers when each query's members were last listed in full, so
    that a connector may skip listing them again (``PullRequest.members_swept_at``)."""

    def members_swept_at(self, source: str, query: str) -> datetime | None: ...

    def record_members_swept(self, source: str, query: str, at: datetime) -> None: ...


@runtime_checkable
class AnswerLog(Protocol):
    """A store that keeps the GET answers a pull hands over (``PullDone.answers``) for
    the next pull of the query (``PullRequest.answers``), in another process too."""

    def kept_answers(self, source: str, query: str) -> dict[str, SeenAnswer]: ...

    def keep_answers(self, source: str, query: str, answers: Mapping[str, SeenAnswer]) -> None: ...


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
    # Fetched items updated after the query's cursor: the overlap re-reads the rest.
    changed: int = 0


@dataclass
class PullReport:
    queries: list[QueryReport] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(q.requests for q in self.queries)

    @property
    def fetched(self) -> int:
        return sum(q.fetched for q in self.queries)

    @property
    def changed(self) -> int:
        return sum(q.changed for q in self.queries)

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
    return {name for name in wanted if not is_estimate_field(name)}


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
    seen_at: datetime | None = None,
    timezone: ZoneInfo | None = None,
) -> PullReport:
    """Pull every query into the store; raises on the first failing query, leaving
    that query's cursor where it was (batches already stored are kept: they are
    upserts and the next run re-reads from the old cursor).

    ``used_by`` names, per (instance, query), the KRs that use it with their
    locations, so that a query the tool rejects is reported where it was written.
    ``seen_at`` is when the values of fields the tool keeps no history of are recorded
    as seen (default: now). ``timezone``: the config's, handed to the connectors
    (``PullRequest.timezone``; default UTC)."""
    report = PullReport()
    with _fewer_collections():
        for spec in specs:
            try:
                query_report = await _pull_one(
                    spec, connector_for(spec.source), store, progress, seen_at, timezone
                )
            except QueryError as error:
                users = (used_by or {}).get((spec.source, spec.query))
                if not users:
                    raise
                raise QueryError(
                    f"{error} (query of {'; '.join(users)})", status=error.status
                ) from None
            report.queries.append(query_report)
    return report


class _Collector:
    """The garbage collector's thresholds while pulls run (pulls may nest or overlap)."""

    lock = threading.Lock()
    pulls = 0
    before: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    with _Collector.lock:
        if _Collector.pulls == 0:
            _Collector.before = gc.get_threshold()
            young, *older = _Collector.before
            if 0 < young < COLLECT_EVERY:  # 0: collection is off; leave it so
                gc.set_threshold(COLLECT_EVERY, *older)
        _Collector.pulls += 1
    try:
        yield
    finally:
        with _Collector.lock:
            _Collector.pulls -= 1
            if _Collector.pulls == 0:
                gc.set_threshold(*_Collector.before)


async def _pull_one(
    spec: QuerySpec,
    connector: Connector,
    store: Store,
    progress: ProgressCallback | None,
    seen_at: datetime | None = None,
    timezone: ZoneInfo | None = None,
) -> QueryReport:
    query_report = QueryReport(spec.source, spec.query)
    cursor = store.cursor(spec.source, spec.query)
    sweeps = store if isinstance(store, SweepLog) else None
    swept_at = sweeps.members_swept_at(spec.source, spec.query) if sweeps and cursor else None
    kept = store if isinstance(store, AnswerLog) else None
    answers = kept.kept_answers(spec.source, spec.query) if kept and cursor else {}

    def stored(count: int) -> None:
        query_report.fetched += count
        if progress:
            progress(spec.source, spec.query, query_report.fetched)

    # Leaving the block waits for a read or write still under way, whatever happened.
    with ExitStack() as threads:
        worker = threads.enter_context(_store_thread("okrsync-store"))
        loop = asyncio.get_running_loop()
        # A large query has 100,000s of members: they are read while the connector's
        # first requests are under way and, where the store allows, while the first
        # batches are written.
        known: asyncio.Future[frozenset[str]] | None = None
        if cursor is not None:
            reader = (
                threads.enter_context(_store_thread("okrsync-store-read"))
                if store.reads_alongside_writes
                else worker
            )
            known = loop.run_in_executor(reader, store.known_keys, spec.source, spec.query)
        request = PullRequest(
            query=spec.query,
            fields=spec.fields,
            since=cursor,
            known_keys=known if known is not None else frozenset(),
            members_swept_at=swept_at,
            answers=answers,
            timezone=timezone or ZoneInfo("UTC"),
        )
        writer = _BatchWriter(store, spec, worker, stored)
        # Fields the tool keeps no history of are recorded as this pull sees them, at
        # the run's start (like metric values): the run's own "now" must see them.
        writer.observe(capabilities_of(type(connector)).observed, seen_at or datetime.now(UTC))
        try:
            async for part in connector.pull(request):
                if isinstance(part, PullBatch):
                    query_report.changed += sum(
                        cursor is None or item.updated > cursor for item in part.items
                    )
                    await writer.add(part)
                elif isinstance(part, PullDone):
                    await writer.flush()
                    previous = await known if known is not None else None
                    await loop.run_in_executor(
                        worker, _finish, store, spec, part, previous, sweeps, kept
                    )
                    query_report.members = len(part.members)
                    query_report.requests = part.requests
            await writer.flush()  # a connector that ended without PullDone: keep its batches
        finally:
            writer.stop()
            if known is not None:
                settle(known)
    return query_report


def _finish(
    store: Store,
    spec: QuerySpec,
    done: PullDone,
    previous: frozenset[str] | None,
    sweeps: SweepLog | None,
    kept: AnswerLog | None = None,
) -> None:
    """In the worker, after the last batch: the members (as a difference from
    ``previous``, the ones read at the start), sprints and cursor; then, if the members
    were listed in full, when; then the answers the connector hands over."""
    source, query = spec.source, spec.query
    store.finish_pull(source, query, done.members, done.cursor, done.sprints, previous=previous)
    if sweeps is not None and done.swept_at is not None:
        sweeps.record_members_swept(source, query, done.swept_at)
    if kept is not None and done.answers is not None:
        kept.keep_answers(source, query, done.answers)


def _store_thread(name: str) -> ThreadPoolExecutor:
    """A thread for store calls, which it makes one after the other."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)


class _BatchWriter:
    """Stores a query's batches in the worker thread, one write at a time, while the
    pull goes on: batches handed over during a write are stored together by the next,
    which starts as soon as that write is done."""

    def __init__(
        self,
        store: Store,
        spec: QuerySpec,
        worker: ThreadPoolExecutor,
        stored: Callable[[int], None],
    ) -> None:
        self._store, self._spec, self._worker, self._stored = store, spec, worker, stored
        self._pending: list[PullBatch] = []
        self._backlog = 0  # items handed over and not stored yet
        self._writing: asyncio.Future[int] | None = None
        self._failed: BaseException | None = None
        self._stopped = False
        self._observed: frozenset[TrackedField] = frozenset()
        self._seen_at: datetime | None = None

    def observe(self, fields: frozenset[TrackedField], seen_at: datetime) -> None:
        """Record the items' values of ``fields`` as seen at ``seen_at``."""
        self._observed, self._seen_at = fields, seen_at

    async def add(self, batch: PullBatch) -> None:
        """Hand a batch over; waits only while too many items are waiting to be stored."""
        self._raise_failure()
        self._pending.append(batch)
        self._backlog += len(batch.items)
        if self._writing is None:
            self._start()
        while self._writing is not None and self._backlog >= BACKLOG_ITEMS:
            await asyncio.wait([self._writing])
            self._raise_failure()

    async def flush(self) -> None:
        """Returns once everything handed over is stored."""
        while self._writing is not None:
            await asyncio.wait([self._writing])
        self._raise_failure()

    def stop(self) -> None:
        """No write starts after this (the pull ended, or failed)."""
        self._stopped = True

    def _start(self) -> None:
        handed = sum(len(batch.items) for batch in self._pending)
        batch = merge_batches(self._pending)
        self._pending = []
        loop = asyncio.get_running_loop()
        self._writing = loop.run_in_executor(self._worker, self._write, batch, handed)
        self._writing.add_done_callback(self._done)

    def _done(self, writing: asyncio.Future[int]) -> None:
        self._writing = None
        if writing.cancelled():
            self._failed = asyncio.CancelledError()
        elif (error := writing.exception()) is not None:
            self._failed = error
        else:
            self._backlog -= writing.result()
            self._stored(writing.result())
            if self._pending and not self._stopped:
                self._start()

    def _raise_failure(self) -> None:
        if self._failed is not None:
            raise self._failed

    def _write(self, batch: PullBatch, handed: int) -> int:
        """In the worker thread; returns how many items were handed over for it."""
        source, query = self._spec.source, self._spec.query
        self._store.save_pull_batch(
            source,
            query,
            batch.items,
            batch.changes,
            observed=self._observed,
            seen_at=self._seen_at,
        )
        return handed


def merge_batches(batches: list[PullBatch]) -> PullBatch:
    """One batch holding what several hold. An item in more than one keeps its last
    version and that version's history, as storing them one after the other would."""
    if len(batches) == 1:
        return batches[0]
    later: set[str] = set()
    kept: list[PullBatch] = []
    for batch in reversed(batches):
        kept.append(
            PullBatch(
                items=[item for item in batch.items if item.key not in later],
                changes=[change for change in batch.changes if change.key not in later],
            )
        )
        later.update(item.key for item in batch.items)
    kept.reverse()
    return PullBatch(
        items=[item for batch in kept for item in batch.items],
        changes=[change for batch in kept for change in batch.changes],
    )
