"""The live site: its configuration, its issues and the knobs tests turn.

Everything the HTTP layer serves is read from one ``SandboxState``; tests change it in
process (``state.transition("SHOP-104", "Done")``) while the server runs. Handlers
and test-thread mutations serialize on ``state.lock``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, Literal

from okrsync_sandbox import catalog, changes
from okrsync_sandbox.faults import Faults
from okrsync_sandbox.model import (
    Board,
    Comment,
    Credential,
    FieldDef,
    History,
    Issue,
    IssueType,
    Project,
    Resolution,
    Sprint,
    Status,
    StatusCategory,
    User,
)
from okrsync_sandbox.ratelimit import IssueWriteLimit, TokenBucket
from okrsync_sandbox.requestlog import RequestLog
from okrsync_sandbox.timeline import FIXED_ANCHOR

# What ``/serverInfo`` calls the deployment. Anything but "Cloud" is Data Center mode:
# REST v2 only, Epic Link, wiki markup, offset-paged search (see DATASET.md).
Deployment = Literal["Cloud", "Server", "DataCenter"]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def to_millis(moment: datetime) -> datetime:
    """``moment`` at Jira's precision: times are kept (and compared in JQL) in whole
    milliseconds, so an issue's ``updated`` is exactly what it shows."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SandboxState:
    """A Jira site in memory. ``build_dataset`` returns a seeded one."""

    def __init__(self, anchor: date | None = None) -> None:
        self.anchor = anchor or FIXED_ANCHOR
        self.deployment: Deployment = "Cloud"
        self.base_url = "http://127.0.0.1"
        self.server_title = "okrsync sandbox"
        self.clock: Callable[[], datetime] = _wall_clock
        self.lock = threading.RLock()
        self.version = 0  # bumped by every change; search caches key on it

        self.users: dict[str, User] = {}
        self.credentials: list[Credential] = []
        self.forbidden_projects: set[str] = set()  # writes there answer 403
        # Issues bulkfetch reports in issueErrors (a retriable failure), by id or key.
        self.bulkfetch_failures: set[str] = set()
        self.status_categories: tuple[StatusCategory, ...] = catalog.STATUS_CATEGORIES
        self.issue_types: tuple[IssueType, ...] = catalog.ISSUE_TYPES
        self.priorities = catalog.PRIORITIES
        self.fields: dict[str, FieldDef] = {f.id: f for f in catalog.FIELDS}
        self.statuses: dict[str, Status] = {}
        self.resolutions: dict[str, Resolution] = {}
        self.projects: dict[str, Project] = {}
        self.boards: dict[int, Board] = {}
        self.sprints: dict[int, Sprint] = {}

        self.issues_by_id: dict[int, Issue] = {}
        self.issues_by_key: dict[str, Issue] = {}
        self.by_project: dict[str, list[Issue]] = {}
        self.children: dict[int, list[Issue]] = {}  # parent issue id -> child issues

        self.next_issue_id = 10001
        self.next_history_id = 10001
        self.next_comment_id = 10001
        self.next_project_id = 10000

        self.faults = Faults()
        self.latency = 0.0  # seconds added to every request
        self.log = RequestLog()
        # Data Center's per-user token bucket; None: rate limiting is off (its default).
        self.rate_limit: TokenBucket | None = None
        # Jira Cloud's per-issue write limits; None: not enforced (the default).
        self.issue_write_limit: IssueWriteLimit | None = None
        # APIs the site lacks, as older sites and partial reimplementations of Jira do:
        # paths ("{name}" stands for one segment) that answer, with all below them, as
        # paths no resource serves (see ``dialect.serves``). Empty: every API is there.
        self.absent_apis: set[str] = set()

    # --- configuration -------------------------------------------------------------

    def add_user(self, user: User) -> User:
        self.users[user.account_id] = user
        return user

    def add_credential(self, user: User, secret: str, *, basic: bool = True) -> None:
        """Let ``user`` log in with Basic ``email:secret`` or, if not ``basic``, a Bearer PAT."""
        self.credentials.append(Credential(user.account_id, secret, user.email if basic else None))

    def add_status(self, status: Status) -> Status:
        self.statuses[status.id] = status
        return status

    def add_project(self, project: Project) -> Project:
        self.projects[project.key] = project
        self.by_project.setdefault(project.key, [])
        for status in project.workflow:
            self.statuses[status.id] = status
        self.resolutions[project.done_resolution.id] = project.done_resolution
        return project

    def add_board(self, board: Board) -> Board:
        self.boards[board.id] = board
        return board

    def add_sprint(self, sprint: Sprint) -> Sprint:
        self.sprints[sprint.id] = sprint
        return sprint

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "Cloud"

    # --- lookups ---------------------------------------------------------------------

    @property
    def issues(self) -> list[Issue]:
        return list(self.issues_by_id.values())

    def issue(self, id_or_key: str | int) -> Issue | None:
        text = str(id_or_key)
        if text.isdigit():
            return self.issues_by_id.get(int(text))
        return self.issues_by_key.get(text.upper())

    def get(self, id_or_key: str | int) -> Issue:
        found = self.issue(id_or_key)
        if found is None:
            raise KeyError(f"no issue {id_or_key!r} in the sandbox")
        return found

    def field(self, id_or_name: str) -> FieldDef | None:
        if id_or_name in self.fields:
            return self.fields[id_or_name]
        lowered = id_or_name.lower()
        for f in self.fields.values():
            if f.name.lower() == lowered:
                return f
        return None

    def status_named(self, project: Project, name: str) -> Status:
        for status in project.workflow:
            if status.name.lower() == name.lower() or status.id == name:
                return status
        raise KeyError(f"project {project.key} has no status {name!r}")

    def now(self) -> datetime:
        return to_millis(self.clock())

    def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email == email), None)

    @property
    def bot(self) -> User:
        """The account the seeded credentials belong to (the first credential's user)."""
        return self.users[self.credentials[0].account_id]

    # --- changes ----------------------------------------------------------------------

    def touch(self) -> None:
        self.version += 1

    def add_issue(
        self,
        project_key: str,
        type_name: str,
        summary: str,
        *,
        created: datetime | None = None,
        reporter: User | None = None,
        fields: dict[str, Any] | None = None,
    ) -> Issue:
        """Create an issue in its project's initial status, keyed in creation order.

        ``fields`` maps field ids to values held from creation on (no history, as in
        Jira): ``labels``, ``assignee`` (a User), ``parent`` (an Issue),
        ``description``, and custom field ids (sprint: a list of sprint ids).
        """
        with self.lock:
            project = self.projects[project_key]
            issuetype = next(t for t in project.issue_types if t.name == type_name)
            at = to_millis(created or self.now())
            number = project.next_number
            project.next_number += 1
            issue = Issue(
                id=self.next_issue_id,
                key=f"{project.key}-{number}",
                number=number,
                project=project,
                issuetype=issuetype,
                summary=summary,
                status=project.workflow[0],
                created=at,
                updated=at,
                reporter=reporter or self.bot,
                status_changed=at,
                priority=catalog.MEDIUM,
            )
            self.next_issue_id += 1
            for field_id, value in (fields or {}).items():
                changes.assign(self, issue, field_id, value)
            self._index(issue)
            self.touch()
            return issue

    def _index(self, issue: Issue) -> None:
        self.issues_by_id[issue.id] = issue
        self.issues_by_key[issue.key] = issue
        self.by_project[issue.project.key].append(issue)

    def reparent(self, issue: Issue, parent: Issue | None) -> None:
        if issue.parent is not None:
            siblings = self.children.get(issue.parent.id, [])
            if issue in siblings:
                siblings.remove(issue)
        issue.parent = parent
        if parent is not None:
            self.children.setdefault(parent.id, []).append(issue)

    def record(
        self,
        issue: Issue,
        items: Iterable[Any],
        *,
        at: datetime | None = None,
        author: User | None = None,
    ) -> History | None:
        """Append one changelog history (if anything changed) and bump ``updated``."""
        listed = list(items)
        when = to_millis(at or self.now())
        with self.lock:
            if when > issue.updated:
                issue.updated = when
            self.touch()
            if not listed:
                return None
            history = History(self.next_history_id, author or self.bot, when, listed)
            self.next_history_id += 1
            issue.histories.append(history)
            if len(issue.histories) > 1 and issue.histories[-2].created > when:
                issue.histories.sort(key=lambda h: (h.created, h.id))
            return history

    def transition(
        self, key: str, status_name: str, *, at: datetime | None = None, author: User | None = None
    ) -> History | None:
        """Move an issue to a status of its workflow, as a user would on the board."""
        with self.lock:
            issue = self.get(key)
            status = self.status_named(issue.project, status_name)
            when = to_millis(at or self.now())
            return self.record(
                issue, changes.set_status(self, issue, status, when), at=when, author=author
            )

    def set_field(
        self,
        key: str,
        field: str,
        value: Any,
        *,
        at: datetime | None = None,
        author: User | None = None,
    ) -> History | None:
        """Change one field (by id or name) with a changelog entry, as an edit would."""
        with self.lock:
            issue = self.get(key)
            definition = self.field(field)
            if definition is None:
                raise KeyError(f"no field {field!r} in the sandbox")
            items = changes.assign(self, issue, definition.id, value)
            return self.record(issue, items, at=at, author=author)

    def add_comment(
        self, key: str, body: Any, *, at: datetime | None = None, author: User | None = None
    ) -> Comment:
        with self.lock:
            issue = self.get(key)
            when = to_millis(at or self.now())
            who = author or self.bot
            comment = Comment(self.next_comment_id, who, body, when, when, who)
            self.next_comment_id += 1
            issue.comments.append(comment)
            self.record(issue, (), at=when)
            return comment
