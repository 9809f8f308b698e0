"""The contract between okrsync and a tool, and the registry that finds connectors.

A connector type is a class registered in the ``okrsync.connectors`` entry point group
(see pyproject.toml). It is built from the instance's settings (a dict from the config
file, secrets already resolved) and used as an async context manager that owns its
HTTP client. Pull yields batches so that large sites never sit in memory at once; the
orchestrator stores each batch and moves the query's cursor only after the last one.

Every type declares what it can do in a ``capabilities`` class attribute
(``Capabilities``): whether it serves work items (``select``), metrics (``metric:``),
and which kinds of push; which item fields its history covers; its own names for the
estimate. ``okrsync validate`` checks every mapping against the declarations of the
instances it names, never by looking for methods. Connector authors import all of this
from ``okrsync.sdk``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal, Protocol, Self, runtime_checkable
from zoneinfo import ZoneInfo

from okrsync.errors import ConfigError
from okrsync.items import OBSERVABLE, Change, Item, Sprint, TrackedField, estimate_key

ENTRY_POINT_GROUP = "okrsync.connectors"
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class SeenAnswer:
    """A GET answer kept for a conditional re-read (``If-None-Match``): its ``ETag``
    and its body as the tool sent it, which a 304 does not send again."""

    etag: str
    body: bytes


@dataclass(frozen=True)
class PullRequest:
    """What to pull for one native query of one connector instance."""

    query: str
    # Extra fields the mappings read (``sum: FIELD``, ``weight_by: FIELD``), as written.
    fields: tuple[str, ...] = ()
    # High-water mark of the previous pull of this query; None means a full pull.
    since: datetime | None = None
    # Keys already stored for this query: members not in it are fetched in full. A query
    # with many members takes a while to read from the store, so the pull may hand them
    # over still being read (a future), and the first requests need not wait for them:
    # read them with ``await request.known()``.
    known_keys: frozenset[str] | asyncio.Future[frozenset[str]] = frozenset()
    # When the members were last listed in full (``PullDone.swept_at`` of an earlier
    # pull); None if unknown. While recent, a connector may trust ``known_keys`` plus
    # the changed issues instead of listing every member again, if a cheap check (an
    # approximate count, say) agrees.
    members_swept_at: datetime | None = None
    # GET answers an earlier pull of this query kept (``PullDone.answers``), by URL.
    answers: Mapping[str, SeenAnswer] = field(default_factory=dict)
    # The config's time zone: where a day the tool names without a time (a Redmine
    # version's due date) begins and ends.
    timezone: ZoneInfo = UTC_ZONE

    async def known(self) -> frozenset[str]:
        """``known_keys``, once read."""
        if isinstance(self.known_keys, frozenset):
            return self.known_keys
        return await self.known_keys


@dataclass
class PullBatch:
    """Items with their complete change history (it replaces what was stored)."""

    items: list[Item]
    changes: list[Change]


@dataclass
class PullDone:
    """The last thing a pull yields."""

    members: list[str]  # every key the query matches now
    cursor: datetime  # the next pull's ``since``
    sprints: list[Sprint] = field(default_factory=list)
    requests: int = 0  # HTTP requests made, for the run record
    # When this pull began listing every member, if it did; None if ``members`` is the
    # known keys updated with the changed issues (see ``PullRequest.members_swept_at``).
    swept_at: datetime | None = None
    # The GET answers the next pull of this query may re-read conditionally, by URL:
    # they replace the kept ones; None keeps those as they are.
    answers: dict[str, SeenAnswer] | None = None


PushWhat = Literal["create", "field", "comment", "property"]
PUSH_KINDS: tuple[PushWhat, ...] = ("field", "comment", "property", "create")


@dataclass(frozen=True)
class Capabilities:
    """What a connector type can do, declared as its ``capabilities`` class attribute.

    ``items``: it pulls work items (a ``Connector``: selections may name it).
    ``metrics``: it reads outcome metrics (a ``MetricSource``: ``metric: {source}``).
    ``push``: the kinds of push it writes (``push: [{to: ...}]``).
    ``online_check``: it answers ``validate --online`` (an ``OnlineChecker``) about
    queries and fields; its push targets are checked by reading them, its metrics by
    reading their values.
    ``history``: the tracked fields whose every change the tool keeps, so that its
    ``Change`` records rebuild them at any instant. The others are *observed*: okrsync
    records a change whenever a pull sees a value other than the last one it saw, and
    the connector sends no ``Change`` of them.
    ``estimate_names``: what the tool's users call the estimate besides okrsync's own
    ``estimate`` and ``story_points`` (Jira: ``Story point estimate``); a mapping that
    writes one of them (``sum:``, ``weight_by:``) reads the tracked estimate."""

    items: bool = False
    metrics: bool = False
    push: frozenset[PushWhat] = frozenset()
    online_check: bool = False
    history: frozenset[TrackedField] = frozenset()
    estimate_names: frozenset[str] = frozenset()

    @property
    def observed(self) -> frozenset[TrackedField]:
        """Tracked fields the tool keeps no history of (only for types with items)."""
        return OBSERVABLE - self.history if self.items else frozenset()

    def describe(self) -> str:
        """What the type does, in words: ``work items and pushes of field, comment``."""
        parts = [
            name for name, has in (("work items", self.items), ("metrics", self.metrics)) if has
        ]
        if self.push:
            kinds = ", ".join(k for k in PUSH_KINDS if k in self.push)
            parts.append(f"pushes of {kinds}")
        return " and ".join(parts) if parts else "nothing okrsync can use"


# A type that declares nothing can be given settings, but no mapping can use it.
NO_CAPABILITIES = Capabilities()


def capabilities_of(connector_type: type | None) -> Capabilities:
    """The type's declared capabilities (none when it declares none)."""
    declared = getattr(connector_type, "capabilities", None)
    return declared if isinstance(declared, Capabilities) else NO_CAPABILITIES


@dataclass(frozen=True)
class PushTarget:
    """One place a KR's result is written to."""

    kr_id: str
    to: str  # connector instance name
    what: PushWhat
    issue: str | None = None  # None until okrsync has created the KR's issue
    field: str | None = None  # for ``field``: name or id
    field_value: Literal["progress", "current"] = "progress"
    create: Mapping[str, str] | None = None  # for ``create``: {project, type}

    def describe(self) -> str:
        if self.what == "field":
            return f"field {self.field}"
        if self.what == "create":
            spec = self.create or {}
            if "repo" in spec:  # GitHub: an issue in a repository
                return f"create an issue in {spec['repo']}"
            return f"create {spec.get('type', 'issue')} in {spec.get('project', '?')}"
        return self.what


@dataclass(frozen=True)
class WriteReceipt:
    """What a write produced (e.g. the created issue key, the comment id)."""

    issue: str | None = None
    ref: str | None = None  # comment id, property key...


@runtime_checkable
class Connector(Protocol):
    """What every connector type implements. ``instance`` is the configured name."""

    instance: str

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    def pull(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        """Yield batches, then exactly one ``PullDone``."""
        ...

    async def read(self, target: PushTarget) -> Any:
        """What the tool holds now at ``target``, in the form ``write`` takes.

        ``field``: a float or None; ``comment``: the okrsync-owned comment's text or
        None; ``property``: the JSON value or None; ``create``: the key of the issue
        okrsync created for the KR earlier, or None.
        """
        ...

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        """Make the tool hold ``value`` at ``target``. Idempotent."""
        ...


@runtime_checkable
class WritesAs(Protocol):
    """A connector whose tool keeps a pushed value in a form of its own (Redmine's %
    Done: a whole number from 0 to 100). The plan compares that form with what the
    tool holds, so a value the tool cannot hold more exactly is never planned again."""

    def written(self, target: PushTarget, value: Any) -> Any:
        """``value`` as the tool will hold it once ``write`` has written it."""
        ...


def as_written(connector: Connector, target: PushTarget, value: Any) -> Any:
    """``value`` as ``connector`` writes it at ``target`` (unchanged for most tools)."""
    return connector.written(target, value) if isinstance(connector, WritesAs) else value


@runtime_checkable
class MetricSource(Protocol):
    """A source of outcome metrics (``metric: {source, name}``): one number per name."""

    instance: str

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def read_metric(self, name: str) -> float:
        """The metric's current value."""
        ...


@runtime_checkable
class OnlineChecker(Protocol):
    """What ``validate --online`` asks a type that declares ``online_check``. Nothing is
    written; a problem is raised as a ``SourceError`` carrying the tool's own words."""

    async def check_query(self, query: str) -> None:
        """Whether the tool can run the native query (it parses, names what exists)."""
        ...

    async def check_field(self, name: str) -> None:
        """Whether the tool has the item field a mapping reads (``sum: FIELD``,
        ``weight_by``); the estimate's names ask for the tool's estimate field."""
        ...

    async def check_issue(self, issue: str) -> None:
        """Whether the issue a push names exists (and the account can see it)."""
        ...


# Types registered by ``register_connector_type``: name -> entry point.
_REGISTERED: dict[str, EntryPoint] = {}


def register_connector_type(name: str, value: str | None) -> None:
    """Make ``type: NAME`` load ``value`` (``"package.module:Class"``) in this process as
    if an installed package declared it in the ``okrsync.connectors`` group; None
    removes it again. For tests of a connector run from its source folder
    (``okrsync.testing.connector_type`` wraps it); installed packages need none of it."""
    if value is None:
        _REGISTERED.pop(name, None)
    else:
        _REGISTERED[name] = EntryPoint(name, value, ENTRY_POINT_GROUP)
    declared_estimate_names.cache_clear()


@cache
def _installed_types() -> dict[str, EntryPoint]:
    """The installed packages' types, read once: scanning every installed package's
    metadata costs more than a whole incremental run, and what is installed does not
    change while okrsync runs (as ``declared_estimate_names`` assumes)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def connector_types() -> dict[str, Any]:
    """Registered connector types by name (``type:`` in the config)."""
    return _installed_types() | _REGISTERED


@cache
def declared_estimate_names() -> frozenset[str]:
    """Every installed type's own names for the estimate (``estimate_key`` form). Read
    once: the installed types do not change while okrsync runs."""
    names: set[str] = set()
    for entry in connector_types().values():
        try:
            declared = capabilities_of(entry.load())
        except Exception:  # a broken third-party package must not break evaluation
            continue
        names.update(estimate_key(name) for name in declared.estimate_names)
    return frozenset(names)


def load_connector_type(type_name: str) -> type:
    types = connector_types()
    if type_name not in types:
        known = ", ".join(sorted(types)) or "none"
        raise ConfigError(f"unknown connector type {type_name!r}; installed types: {known}")
    loaded: type = types[type_name].load()
    return loaded


def build_connector(instance: str, settings: Mapping[str, Any]) -> Connector:
    """Instantiate the connector for one configured instance."""
    cls = load_connector_type(str(settings.get("type", "")))
    connector: Connector = cls(instance, settings)
    return connector
