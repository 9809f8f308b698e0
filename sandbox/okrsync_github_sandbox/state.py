"""The live state of the GitHub sandbox, shared by the server thread and the tests."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from okrsync_github_sandbox.faults import Faults
from okrsync_github_sandbox.model import Comment, Issue, Project
from okrsync_github_sandbox.requestlog import RequestLog

# GitHub's primary limit for a personal access token: requests per hour.
HOURLY_LIMIT = 5000
# GitHub answers at most this many results per search.
SEARCH_CAP = 1000


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RateBudget:
    """The primary rate limit: ``remaining`` requests until ``reset`` (epoch seconds).
    A 304 costs nothing, as on GitHub."""

    limit: int = HOURLY_LIMIT
    remaining: int = HOURLY_LIMIT
    reset: int = 0

    def spend(self) -> None:
        self.remaining = max(self.remaining - 1, 0)

    def spent(self, now: float) -> bool:
        """Whether the hour's quota is used up; once ``reset`` has passed it is whole
        again, as on GitHub."""
        if self.remaining <= 0 and now >= self.reset:
            self.remaining = self.limit
        return self.remaining <= 0


@dataclass
class GitHubState:
    anchor: date
    repos: dict[str, int] = field(default_factory=dict)  # OWNER/REPO -> id
    issues: dict[str, Issue] = field(default_factory=dict)  # OWNER/REPO#N -> issue
    comments: list[Comment] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)  # login -> id
    tokens: dict[str, str] = field(default_factory=dict)  # token -> login
    project: Project | None = None
    log: RequestLog = field(default_factory=RequestLog)
    faults: Faults = field(default_factory=Faults)
    budget: RateBudget = field(default_factory=RateBudget)
    clock: Callable[[], datetime] = _now
    search_cap: int = SEARCH_CAP
    latency: float = 0.0  # seconds added to every answer (a network's round trip)
    base_url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5001))
    _nodes: dict[str, Issue] = field(default_factory=dict)

    def next_id(self) -> int:
        return next(self._ids)

    def issue(self, repo: str, number: int) -> Issue | None:
        return self.issues.get(f"{repo}#{number}")

    def by_node_id(self, node_id: str) -> Issue | None:
        if len(self._nodes) != len(self.issues):  # an issue was created since
            self._nodes = {i.node_id: i for i in self.issues.values()}
        return self._nodes.get(node_id)

    def add_issue(
        self,
        repo: str,
        number: int,
        title: str,
        created: datetime,
        *,
        author: str = "ana",
        is_pr: bool = False,
        **fields: Any,
    ) -> Issue:
        """A new issue (or pull request) of ``repo``, last updated when created, with a
        node id of the form the sandbox gives (``I_`` or ``PR_``, the repository's name,
        the number) and the next database id."""
        issue = Issue(
            repo=repo,
            number=number,
            node_id=f"{'PR' if is_pr else 'I'}_{repo.split('/')[1]}_{number}",
            database_id=self.next_id(),
            title=title,
            author=author,
            created=created,
            updated=created,
            is_pr=is_pr,
            **fields,
        )
        self.issues[issue.key] = issue
        return issue

    def add_to_project(self, issue: Issue, values: dict[str, Any] | None = None) -> str:
        """Add ``issue`` to the organization's project, with these field values; returns
        the project item's id."""
        assert self.project is not None, "the sandbox has no project"
        item_id = f"PVTI_{issue.repo.split('/')[1]}_{issue.number}"
        self.project.items[issue.key] = item_id
        self.project.values[item_id] = dict(values or {})
        return item_id

    def comments_of(self, key: str) -> list[Comment]:
        return [c for c in self.comments if c.issue == key]

    def next_number(self, repo: str) -> int:
        numbers = [i.number for i in self.issues.values() if i.repo == repo]
        return max(numbers, default=0) + 1
