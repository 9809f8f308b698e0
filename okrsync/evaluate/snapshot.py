"""The data an evaluation reads, fetched once and seen at one instant T.

Items are read once per (source, query), their histories once per item, and each item
is rebuilt at T once however many KRs select it: twenty KRs over the same 100,000
items cost one reconstruction each, not twenty.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from heapq import heapify, heappop, heappush
from typing import Protocol

from okrsync.errors import ConfigError
from okrsync.evaluate.filters import Predicate, compile_all, needs_sprints
from okrsync.evaluate.state import ItemAt, Timeline
from okrsync.items import Change, Item, Sprint
from okrsync.mapping.models import Selection, Where


class DataView(Protocol):
    """What the evaluator reads: the store, or anything shaped like it."""

    def items(self, source: str, query: str) -> list[Item]: ...

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]: ...

    def sprints(self, source: str) -> list[Sprint]: ...

    def metric(self, source: str, name: str) -> float | None: ...


@dataclass
class Selected:
    """The items a measure runs over, as they were at T, and how they were chosen."""

    items: list[ItemAt]
    counts: dict[str, int] = field(default_factory=dict)
    # (source, key) of the items the tool's rules took out of the selection at T, by key.
    withdrawn: list[tuple[str, str]] = field(default_factory=list)


_Key = tuple[str, str]


@dataclass
class _QueryAt:
    """One query's items: those in it at T, the keys of those created later, and the
    keys of those withdrawn at T (they exist, but are in no selection then)."""

    states: list[ItemAt]
    later: list[str]
    withdrawn: list[str] = field(default_factory=list)

    @property
    def returned(self) -> int:
        return len(self.states) + len(self.later) + len(self.withdrawn)


@dataclass
class _Walk:
    """One query's items at the latest instant it was seen at, in the view's order, and
    when each item's state next changes: the earliest first (a heap of (instant,
    index)). Walking on to a later instant rebuilds only the items that changed since."""

    at: datetime
    states: list[ItemAt | None]
    upcoming: list[tuple[datetime, int]]

    @classmethod
    def start(cls, lines: Sequence[Timeline], at: datetime) -> _Walk:
        states = [timeline.state_at(at) for timeline in lines]
        upcoming = [(t.held_until, n) for n, t in enumerate(lines) if t.held_until < _NEVER]
        heapify(upcoming)
        return cls(at, states, upcoming)

    def walk_to(self, lines: Sequence[Timeline], at: datetime) -> None:
        """Move on to ``at`` (not earlier than ``self.at``)."""
        upcoming, states = self.upcoming, self.states
        while upcoming and upcoming[0][0] <= at:
            _, n = heappop(upcoming)
            timeline = lines[n]
            states[n] = timeline.state_at(at)
            if timeline.held_until < _NEVER:
                heappush(upcoming, (timeline.held_until, n))
        self.at = at


_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass
class Timelines:
    """Timelines kept across the snapshots of one view at several instants: by item,
    and each query's in the order the view returned its items, with how far each
    query's items were walked in time."""

    by_key: dict[_Key, Timeline] = field(default_factory=dict)
    by_query: dict[tuple[str, str], list[Timeline]] = field(default_factory=dict)
    walks: dict[tuple[str, str], _Walk] = field(default_factory=dict)


class Snapshot:
    """Cached reads through a ``DataView``, with items rebuilt at ``at``."""

    def __init__(self, data: DataView, at: datetime, shared: Timelines | None = None) -> None:
        """With ``shared``, the timelines are kept across the snapshots of several
        instants of one view (evaluating day after day): each item's history is then
        read and sorted once, and its state rebuilt only on the days it changed
        (``Timeline.state_at``)."""
        self.data = data
        self.at = at
        self._queries: dict[tuple[str, str], _QueryAt] = {}
        self._shared = shared
        self._timelines: dict[_Key, Timeline] = {} if shared is None else shared.by_key
        # Each query's timelines in the order the view returned its items.
        self._lines: dict[tuple[str, str], list[Timeline]] = (
            {} if shared is None else shared.by_query
        )
        self._states: dict[_Key, ItemAt | None] = {}
        self._sprints: dict[str, list[Sprint]] = {}
        self._metrics: dict[tuple[str, str], float | None] = {}

    def query(self, source: str, query: str) -> _QueryAt:
        """The query's items at T; histories are read only for items not seen before."""
        cached = self._queries.get((source, query))
        if cached is not None:
            return cached
        shared = self._shared
        if shared is not None and (source, query) in shared.by_query:
            return self._query_again(source, query, shared.by_query[(source, query)])
        items = self.data.items(source, query)
        timelines = self._timelines
        missing = [i.key for i in items if (source, i.key) not in timelines]
        history = self.data.history(source, missing) if missing else {}
        states = self._states
        existing: list[ItemAt] = []
        later: list[str] = []
        withdrawn: list[str] = []
        # Kept across instants, a timeline keeps its last state for the next one.
        rebuild = Timeline.at if shared is None else Timeline.state_at
        for item in items:
            key = (source, item.key)
            if key not in states:
                timeline = timelines.get(key)
                if timeline is None:
                    timeline = timelines[key] = Timeline(item, history.get(item.key, ()))
                states[key] = rebuild(timeline, self.at)
            state = states[key]
            if state is None:
                later.append(item.key)
            elif state.withdrawn:
                withdrawn.append(item.key)
            else:
                existing.append(state)
        result = self._queries[(source, query)] = _QueryAt(existing, later, withdrawn)
        self._lines[(source, query)] = [timelines[(source, i.key)] for i in items]
        return result

    def _query_again(self, source: str, query: str, lines: list[Timeline]) -> _QueryAt:
        """A query read at an earlier instant, its items' states at this one. Day after
        day, only the items that changed since the day before are rebuilt."""
        at = self.at
        assert self._shared is not None  # only a shared query is read again
        walks = self._shared.walks
        walk = walks.get((source, query))
        if walk is None or at < walk.at:
            walk = walks[(source, query)] = _Walk.start(lines, at)
        else:
            walk.walk_to(lines, at)
        states = walk.states
        existing = [s for s in states if s is not None and not s.withdrawn]
        later = [t.item.key for t, s in zip(lines, states, strict=True) if s is None]
        withdrawn = [s.key for s in states if s is not None and s.withdrawn]
        result = self._queries[(source, query)] = _QueryAt(existing, later, withdrawn)
        return result

    def retain(self, queries: Collection[tuple[str, str]]) -> None:
        """Forget every query but ``queries`` (source, query) and the items only the
        forgotten ones returned: evaluating one unit after another, a million stored
        items are never all held at once."""
        if all(key in queries for key in self._queries):
            return
        self._queries = {key: part for key, part in self._queries.items() if key in queries}
        live: set[_Key] = set()
        for (source, _), part in self._queries.items():
            live.update((source, state.key) for state in part.states)
            live.update((source, key) for key in part.later)
            live.update((source, key) for key in part.withdrawn)
        self._timelines = {key: t for key, t in self._timelines.items() if key in live}
        self._lines = {key: lines for key, lines in self._lines.items() if key in queries}
        self._states = {key: state for key, state in self._states.items() if key in live}

    def kept_timelines(self) -> Timelines:
        """The timelines of the queries read so far, for snapshots of the same view at
        other instants (a trend's days, rebuilt while the unit's items are at hand):
        they read none of these items again. A copy: what those snapshots read is
        not added to this one."""
        return Timelines(by_key=dict(self._timelines), by_query=dict(self._lines))

    def timeline(self, source: str, key: str) -> Timeline | None:
        return self._timelines.get((source, key))

    def sprints(self, source: str) -> list[Sprint]:
        if source not in self._sprints:
            self._sprints[source] = list(self.data.sprints(source))
        return self._sprints[source]

    def metric(self, source: str, name: str) -> float | None:
        if (source, name) not in self._metrics:
            self._metrics[(source, name)] = self.data.metric(source, name)
        return self._metrics[(source, name)]

    def select(
        self,
        selections: Sequence[Selection],
        wheres: Sequence[Where | None],
        default_source: str | None,
        committed_before: datetime | None = None,
    ) -> Selected:
        """The union of the selections at T, de-duplicated by (source, key).

        ``wheres`` apply to every selection on top of its own ``where``;
        ``committed_before`` (the cycle start, for ``scope: committed``) drops items
        created after it.
        """
        parts: list[tuple[str, _QueryAt, Predicate | None]] = []
        for selection in selections:
            source = selection.source or default_source
            if source is None:
                raise ConfigError(
                    f"the selection {selection.query!r} names no source: add 'source:' "
                    "to it or 'defaults: {source: ...}' to its mapping file"
                )
            all_wheres = [w for w in (selection.where, *wheres) if w is not None]
            sprints = self.sprints(source) if needs_sprints(all_wheres) else []
            keep = compile_all(all_wheres, sprints) if all_wheres else None
            parts.append((source, self.query(source, selection.query), keep))

        if len(parts) == 1:
            source, only, keep = parts[0]
            returned, existing = only.returned, len(only.states)
            chosen = only.states if keep is None else [s for s in only.states if keep(s)]
            withdrawn = [(source, key) for key in sorted(only.withdrawn)]
        else:
            returned, existing, chosen, withdrawn = self._union(parts)
        counts = {"selected": returned, "existing": existing}
        if withdrawn:
            counts["withdrawn"] = len(withdrawn)
        if any(keep is not None for _, _, keep in parts):
            counts["filtered_out"] = existing - len(chosen)
        if committed_before is not None:
            committed = [s for s in chosen if s.created <= committed_before]
            counts["scope_added"] = len(chosen) - len(committed)
            chosen = committed
        counts["measured"] = len(chosen)
        return Selected(items=list(chosen), counts=counts, withdrawn=withdrawn)

    @staticmethod
    def _union(
        parts: list[tuple[str, _QueryAt, Predicate | None]],
    ) -> tuple[int, int, list[ItemAt], list[_Key]]:
        """Items returned by several queries count once; an item one selection filters
        out may still come in through another."""
        kept: set[_Key] = set()
        chosen: list[ItemAt] = []
        existing: set[_Key] = set()
        later: set[_Key] = set()
        withdrawn: set[_Key] = set()
        for source, part, keep in parts:
            later.update((source, key) for key in part.later)
            withdrawn.update((source, key) for key in part.withdrawn)
            for state in part.states:
                key = (source, state.key)
                existing.add(key)
                if key not in kept and (keep is None or keep(state)):
                    kept.add(key)
                    chosen.append(state)
        shown = sorted(withdrawn, key=lambda pair: (pair[1], pair[0]))
        return len(existing) + len(later) + len(withdrawn), len(existing), chosen, shown
