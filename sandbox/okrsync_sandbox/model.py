"""The sandbox's Jira objects, kept as plain slotted records.

They hold what Jira stores, not what it renders: rendering to Jira's JSON shapes is
``render.py``'s job, so the same records can later be shown the Data Center way too.
Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class User:
    account_id: str
    email: str
    display_name: str
    time_zone: str = "UTC"
    locale: str = "en_US"
    active: bool = True

    @property
    def username(self) -> str:
        """The Data Center login name (Data Center users have one; Cloud accounts do not)."""
        return self.email.split("@", 1)[0]


@dataclass(slots=True)
class Credential:
    """One way to log in: Basic ``email:token`` (Cloud) or a Bearer PAT (Data Center)."""

    account_id: str
    secret: str
    email: str | None = None  # None means a Bearer Personal Access Token


@dataclass(slots=True)
class StatusCategory:
    id: int
    key: str  # new | indeterminate | done | undefined
    name: str
    color: str


@dataclass(slots=True)
class Status:
    id: str
    name: str
    category: StatusCategory
    description: str = ""


@dataclass(slots=True)
class IssueType:
    id: str
    name: str
    hierarchy_level: int  # 1 epic, 0 standard, -1 subtask (Jira's levels)
    description: str = ""

    @property
    def subtask(self) -> bool:
        return self.hierarchy_level < 0


@dataclass(slots=True)
class Resolution:
    id: str
    name: str
    description: str = ""


@dataclass(slots=True)
class Priority:
    id: str
    name: str


@dataclass(slots=True)
class FieldDef:
    """A field as ``/rest/api/3/field`` lists it, plus what JQL and edits need.

    ``kind`` drives JQL operators and edit validation: string, text, number, datetime,
    date, project, issuetype, status, statuscategory, resolution, priority, user,
    labels, sprint, parent, epiclink, issuekey, comment, other.
    """

    id: str
    name: str
    kind: str
    schema: dict[str, Any]
    clause_names: tuple[str, ...]
    custom: bool = False
    navigable: bool = True
    orderable: bool = True
    searchable: bool = True
    editable: bool = False

    @property
    def custom_id(self) -> int | None:
        return int(self.id.rsplit("_", 1)[1]) if self.custom else None


@dataclass(slots=True)
class Project:
    id: str
    key: str
    name: str
    lead: User
    workflow: list[Status]  # statuses in board-column order; the first is the initial one
    issue_types: list[IssueType]
    done_resolution: Resolution
    # Fields on the edit screen, per issue type name: what PUT /issue may set.
    screens: dict[str, frozenset[str]]
    next_number: int = 1


@dataclass(slots=True)
class Board:
    id: int
    name: str
    type: str  # scrum | kanban
    project_key: str
    estimation_field: str | None = None


@dataclass(slots=True)
class Sprint:
    id: int
    board_id: int
    name: str
    state: str  # future | active | closed
    start: datetime | None = None
    end: datetime | None = None
    complete: datetime | None = None
    goal: str = ""


@dataclass(slots=True)
class ChangeItem:
    """One item of a changelog history, with Jira's from/to conventions."""

    field: str
    fieldtype: str  # jira | custom
    field_id: str | None
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None


@dataclass(slots=True)
class History:
    id: int
    author: User
    created: datetime
    items: list[ChangeItem]


@dataclass(slots=True)
class Comment:
    id: int
    author: User
    body: Any  # ADF document (Cloud) or wiki markup string (Data Center)
    created: datetime
    updated: datetime
    update_author: User
    # Comment entity properties by key: JSON values an app attaches, never shown as text.
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Issue:
    id: int
    key: str
    number: int
    project: Project
    issuetype: IssueType
    summary: str
    status: Status
    created: datetime
    updated: datetime
    reporter: User | None
    status_changed: datetime  # statuscategorychangedate
    assignee: User | None = None
    description: Any = None
    resolution: Resolution | None = None
    resolutiondate: datetime | None = None
    priority: Priority | None = None
    labels: list[str] = field(default_factory=list)
    parent: Issue | None = None
    # Custom field values by field id; sprints are a list of sprint ids.
    custom: dict[str, Any] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    histories: list[History] = field(default_factory=list)
