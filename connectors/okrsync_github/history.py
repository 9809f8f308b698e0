"""An issue's status history from its timeline (contract 6.1).

Done: closed as completed (a pull request: merged). Closed as not planned or as a
duplicate: not done, and withdrawn (``TrackedField.WITHDRAWN``: in no selection) from
that instant until it is reopened. In progress: open, and its project Status one of ``in_progress``;
with no project configured, open and assigned at least once. The status name shown is
the project Status while open, else how it was closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from okrsync.items import WITHDRAWN_VALUE, Change, StatusCategory, TrackedField

__all__ = ["Rules", "Shape", "changes_of", "parse_instant"]

_CLOSED_NAMES = {
    "COMPLETED": "Closed",
    "NOT_PLANNED": "Closed as not planned",
    "DUPLICATE": "Closed as duplicate",
}
# Ways of closing that take an issue out of the selection (contract 6.1).
WITHDRAWING = frozenset({"NOT_PLANNED", "DUPLICATE"})


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Rules:
    project_id: str | None  # the configured project, or None
    in_progress: frozenset[str]


@dataclass
class Shape:
    """What decides an issue's status at one moment."""

    closed: str | None = None  # None (open), COMPLETED, NOT_PLANNED, DUPLICATE, MERGED
    project_status: str | None = None
    assigned: bool = False

    def name(self, rules: Rules) -> str:
        if self.closed == "MERGED":
            return "Merged"
        if self.closed is not None:
            return _CLOSED_NAMES.get(self.closed, "Closed")
        if rules.project_id is not None and self.project_status:
            return self.project_status
        return "Open"

    @property
    def withdrawn(self) -> str | None:
        """``WITHDRAWN_VALUE`` while closed as not planned or as a duplicate."""
        return WITHDRAWN_VALUE if self.closed in WITHDRAWING else None

    def category(self, rules: Rules) -> StatusCategory:
        if self.closed in ("COMPLETED", "MERGED"):
            return StatusCategory.DONE
        if self.closed is not None:
            return StatusCategory.TODO
        if rules.project_id is not None:
            started = self.project_status in rules.in_progress
        else:
            started = self.assigned
        return StatusCategory.IN_PROGRESS if started else StatusCategory.TODO


def _parent_key(parent: Any) -> str | None:
    if not isinstance(parent, Mapping):
        return None
    return f"{parent['repository']['nameWithOwner']}#{parent['number']}"


def changes_of(
    source: str, key: str, events: Sequence[Mapping[str, Any]], rules: Rules, *, is_pr: bool
) -> tuple[Shape, list[Change]]:
    """The issue's shape now and the changes of status, category and parent that led
    there. ``events`` are timeline nodes, oldest first."""
    ordered = sorted(events, key=lambda e: e.get("createdAt") or "")
    shape = Shape()
    ours = [
        e
        for e in ordered
        if e.get("__typename") == "ProjectV2ItemStatusChangedEvent"
        and (e.get("project") or {}).get("id") == rules.project_id
    ]
    if ours:
        shape.project_status = ours[0].get("previousStatus") or None
    changes: list[Change] = []
    parent: str | None = None
    first_parent_event = True
    for event in ordered:
        kind = event.get("__typename")
        at = parse_instant(str(event["createdAt"]))
        change_id = str(event.get("id", ""))
        before = (shape.name(rules), shape.category(rules), shape.withdrawn)
        if kind == "AssignedEvent":
            shape.assigned = True
        elif kind == "ClosedEvent" and is_pr:
            # A merge closes the pull request too; closed without a merge is not done.
            shape.closed = "MERGED" if shape.closed == "MERGED" else "UNMERGED"
        elif kind == "ClosedEvent":
            shape.closed = str(event.get("stateReason") or "COMPLETED")
        elif kind == "MergedEvent":
            shape.closed = "MERGED"
        elif kind == "ReopenedEvent":
            shape.closed = None
        elif kind == "ProjectV2ItemStatusChangedEvent" and event in ours:
            shape.project_status = event.get("status") or None
        elif kind in ("ParentIssueAddedEvent", "ParentIssueRemovedEvent"):
            new = _parent_key(event.get("parent")) if kind == "ParentIssueAddedEvent" else None
            if first_parent_event and kind == "ParentIssueRemovedEvent":
                parent = _parent_key(event.get("parent"))
            first_parent_event = False
            changes.append(Change(source, key, at, TrackedField.PARENT, parent, new, change_id))
            parent = new
        after = (shape.name(rules), shape.category(rules), shape.withdrawn)
        if after[0] != before[0]:
            changes.append(
                Change(source, key, at, TrackedField.STATUS, before[0], after[0], change_id)
            )
        if after[1] != before[1]:
            changes.append(
                Change(
                    source,
                    key,
                    at,
                    TrackedField.STATUS_CATEGORY,
                    before[1].value,
                    after[1].value,
                    change_id,
                )
            )
        if after[2] != before[2]:
            changes.append(
                Change(source, key, at, TrackedField.WITHDRAWN, before[2], after[2], change_id)
            )
    return shape, changes
