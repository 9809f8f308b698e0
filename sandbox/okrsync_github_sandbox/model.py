"""The GitHub sandbox's records: repositories, issues and pull requests with their
timelines, comments, and one organization project with its fields.

An issue's current state is never stored beside its timeline: it is derived from the
events (``Issue.apply``), so the seeded history and what the APIs answer agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

EventKind = Literal[
    "assigned",
    "unassigned",
    "closed",
    "reopened",
    "merged",
    "status",
    "parent_added",
    "parent_removed",
    "labeled",
]
StateReason = Literal["COMPLETED", "NOT_PLANNED", "DUPLICATE", "REOPENED"]


@dataclass
class Event:
    kind: EventKind
    at: datetime
    actor: str
    # assigned/unassigned: user; closed: reason; status: status (the new one);
    # parent_added/removed: parent key; labeled: label.
    value: str | None = None
    id: int = 0


@dataclass
class Comment:
    id: int
    issue: str  # OWNER/REPO#N
    author: str
    body: str
    created: datetime
    updated: datetime


@dataclass
class Iteration:
    id: str
    title: str
    start: date
    duration: int  # days


@dataclass
class Project:
    """An organization project (Projects, "ProjectV2") with its fields."""

    id: str
    owner: str
    number: int
    title: str
    status_field_id: str
    status_options: list[str]
    number_fields: dict[str, str]  # name -> field id
    iteration_field: tuple[str, str]  # (field id, name)
    iterations: list[Iteration]
    # Item id by issue key; values by item id then field name.
    items: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def option_id(self, name: str) -> str:
        return f"{self.status_field_id}-{self.status_options.index(name)}"


@dataclass
class Issue:
    """An issue or a pull request (``is_pr``), keyed ``OWNER/REPO#N``."""

    repo: str
    number: int
    node_id: str
    database_id: int
    title: str
    author: str
    created: datetime
    is_pr: bool = False
    body: str = ""
    issue_type: str | None = None
    labels: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    updated: datetime | None = None
    # Derived from ``events`` by ``apply``.
    state: Literal["OPEN", "CLOSED", "MERGED"] = "OPEN"
    state_reason: StateReason | None = None
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    assignees: list[str] = field(default_factory=list)
    parent: str | None = None
    status: str | None = None  # its project item's Status

    @property
    def key(self) -> str:
        return f"{self.repo}#{self.number}"

    def touch(self, at: datetime) -> None:
        if self.updated is None or at > self.updated:
            self.updated = at

    def apply(self, event: Event) -> None:
        """Add ``event`` to the timeline and bring the current state in line."""
        self.events.append(event)
        self.touch(event.at)
        if event.kind == "assigned" and event.value not in self.assignees:
            self.assignees.append(str(event.value))
        elif event.kind == "unassigned" and event.value in self.assignees:
            self.assignees.remove(str(event.value))
        elif event.kind == "closed":
            self.state, self.closed_at = "CLOSED", event.at
            self.state_reason = event.value or "COMPLETED"  # type: ignore[assignment]
        elif event.kind == "merged":
            self.state, self.closed_at, self.merged_at = "MERGED", event.at, event.at
        elif event.kind == "reopened":
            self.state, self.closed_at, self.state_reason = "OPEN", None, "REOPENED"
        elif event.kind == "status":
            self.status = event.value
        elif event.kind == "parent_added":
            self.parent = event.value
        elif event.kind == "parent_removed":
            self.parent = None
        elif event.kind == "labeled" and event.value not in self.labels:
            self.labels.append(str(event.value))
