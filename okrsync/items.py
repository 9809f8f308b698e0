"""The normalized work items every connector produces and every measure reads.

A connector turns its tool's issues into ``Item`` records plus the ``Change`` records of
their history. The evaluator reconstructs any tracked field as of an instant from the
changes alone, so the store never needs a tool again to answer "what was true at T".

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class StatusCategory(StrEnum):
    """The three status categories every tool can be mapped onto.

    Each connector maps its tool's own categories onto these (the Jira connector: its
    keys); status *names* are localized and never used to decide whether something is
    done.
    """

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ItemType(StrEnum):
    """Normalized item types; an item also keeps the tool's own type name."""

    EPIC = "epic"
    STORY = "story"
    TASK = "task"
    BUG = "bug"
    SUBTASK = "subtask"
    OTHER = "other"


class TrackedField(StrEnum):
    """Fields whose history is kept, so their value at any instant can be rebuilt.

    Values in ``Change`` records are strings: status names, category values, numbers
    written with ``repr(float)``, sprint ids joined with ``,`` (sorted), parent keys.
    ``None`` means empty. ``withdrawn`` is ``"true"`` from the instant the tool's own
    rules take the item out of every selection (GitHub: closed as not planned or as a
    duplicate) until they bring it back (reopened); it is never observed, only recorded.
    """

    STATUS = "status"
    STATUS_CATEGORY = "status_category"
    ESTIMATE = "estimate"
    SPRINT = "sprint"
    PARENT = "parent"
    WITHDRAWN = "withdrawn"


WITHDRAWN_VALUE = "true"
# Fields a pull may observe where the tool keeps no history; ``withdrawn`` is set by
# the tool's own history alone (no item is withdrawn without it).
OBSERVABLE = frozenset(TrackedField) - {TrackedField.WITHDRAWN}


# What a mapping may write for the tracked estimate on any source (``weight_by:
# story_points``, contract 6.3), compared after ``estimate_key``. Such a field is read
# from the item's estimate (its value at T), so a pull never asks the tool for it as an
# extra field. A connector type adds its tool's own names (``Capabilities.estimate_names``).
ESTIMATE_NAMES = frozenset({"story_points", "estimate"})


def estimate_key(name: str) -> str:
    """``Story Points``, ``story points`` and ``story-points`` all read ``story_points``."""
    return "_".join(name.strip().lower().replace("-", " ").replace("_", " ").split())


def is_estimate_field(name: str) -> bool:
    """Whether a field name written in a mapping means the item's tracked estimate: one
    of okrsync's names, or one an installed connector type declares for its tool."""
    key = estimate_key(name)
    if key in ESTIMATE_NAMES:
        return True
    from okrsync.connector import declared_estimate_names  # the registry imports items

    return key in declared_estimate_names()


@dataclass(frozen=True)
class Change:
    """One change of one tracked field of one item, as the tool recorded it."""

    source: str
    key: str
    at: datetime
    field: TrackedField
    from_value: str | None
    to_value: str | None
    # The tool's id of the change group (Jira: changelog history id); with ``field`` it
    # makes the change's natural key, so re-reading history is an idempotent upsert.
    change_id: str = ""


@dataclass(frozen=True)
class Item:
    """A work item's current state. ``source`` is the connector instance name."""

    source: str
    key: str
    id: str
    project: str
    type: ItemType
    type_name: str
    summary: str
    status: str
    status_category: StatusCategory
    created: datetime
    updated: datetime
    resolved: datetime | None = None
    estimate: float | None = None
    parent: str | None = None
    sprints: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    # Other field values okrsync was asked for (``sum: FIELD``, ``weight_by: FIELD``),
    # keyed by the name the mapping used.
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sprint:
    """A sprint of a board. ``completed`` is when it was closed."""

    source: str
    id: str
    name: str
    state: str  # future | active | closed
    board_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    completed: datetime | None = None


def tracked_value(item: Item, field: TrackedField) -> str | None:
    """The item's current value of a tracked field, written as ``Change`` values are."""
    if field is TrackedField.STATUS:
        return item.status
    if field is TrackedField.STATUS_CATEGORY:
        return item.status_category.value
    if field is TrackedField.ESTIMATE:
        return None if item.estimate is None else repr(float(item.estimate))
    if field is TrackedField.SPRINT:
        return ",".join(sorted(item.sprints)) or None
    if field is TrackedField.WITHDRAWN:
        return None
    return item.parent
