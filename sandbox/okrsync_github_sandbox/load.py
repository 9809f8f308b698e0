"""Synthetic issues with history for load: repository ``acme/load``, every issue in the
organization's project with an Estimate and a Sprint, and timelines of the kinds
okrsync reads (assigned, project status changes, closed, reopened, sub-issue parents).

``add_load_issues(state, 10_000)`` takes a fraction of a second and gives the same
issues, events and ids for the same count and seed. Issue ``n``:

- is created ``A-60 days + n * step`` (``step``: 90 days over the count, in whole
  seconds, at least one), and enters the project in Todo an hour later;
- one in 25 (n = 1, 26, 51, ...) is an epic; the next 24 issues get it as their
  parent a day after they are created, one in 8 of them losing it again two days later;
- otherwise, by a seeded draw: 30% stay in Todo; 20% are assigned and move to
  In Progress; 50% are assigned, move to In Progress and are closed as completed
  (Done) some days later; a fifth of those are reopened (In Progress) a day after and
  half of the reopened closed as completed again two days later.

The done issues are exactly those whose last close is not followed by a reopening.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from okrsync_github_sandbox.model import Event, Issue
from okrsync_github_sandbox.state import GitHubState

LOAD_REPO = "acme/load"
SPAN = timedelta(days=90)
EPIC_EVERY = 25
ESTIMATES = (1.0, 2.0, 3.0, 5.0, 8.0)


def add_load_issues(
    state: GitHubState, count: int, *, repo: str = LOAD_REPO, seed: int = 7
) -> list[Issue]:
    """Add ``count`` issues numbered 1..count to ``repo`` (created if missing)."""
    if repo not in state.repos:
        state.repos[repo] = max(state.repos.values(), default=0) + 1
    project = state.project
    assert project is not None, "the load issues go into the organization's project"
    rng = random.Random(seed)
    start = datetime.combine(state.anchor, datetime.min.time(), tzinfo=UTC) - timedelta(days=60)
    step = max(timedelta(seconds=int(SPAN.total_seconds() // max(count, 1))), timedelta(seconds=1))
    added: list[Issue] = []
    epic: str | None = None
    for n in range(1, count + 1):
        created = start + step * n
        is_epic = n % EPIC_EVERY == 1
        issue = state.add_issue(
            repo,
            n,
            f"Load issue {n}",
            created,
            issue_type="Epic" if is_epic else ("Bug" if n % 7 == 0 else "Task"),
            labels=["load"],
        )
        iteration = project.iterations[n % len(project.iterations)]
        state.add_to_project(
            issue, {"Estimate": ESTIMATES[n % len(ESTIMATES)], "Sprint": iteration.id}
        )
        for kind, at, value in _history(rng, created, None if is_epic else epic, n):
            actor = "ben" if kind == "assigned" else "ana"
            issue.apply(Event(kind, at, actor, value, state.next_id()))  # type: ignore[arg-type]
        if is_epic:
            epic = issue.key
        added.append(issue)
    return added


def _history(
    rng: random.Random, created: datetime, epic: str | None, n: int
) -> list[tuple[str, datetime, str | None]]:
    hour, day = timedelta(hours=1), timedelta(days=1)
    events: list[tuple[str, datetime, str | None]] = [("status", created + hour, "Todo")]
    if epic is not None:
        events.append(("parent_added", created + day, epic))
        if n % 8 == 0:
            events.append(("parent_removed", created + 3 * day, epic))
    draw = rng.random()
    if draw >= 0.3:
        started = created + day * rng.randint(1, 5)
        events += [("assigned", started, "ben"), ("status", started + hour, "In Progress")]
        if draw >= 0.5:
            closed = started + day * rng.randint(1, 10)
            events += [("closed", closed, "COMPLETED"), ("status", closed, "Done")]
            if rng.random() < 0.2:
                reopened = closed + day
                events += [("reopened", reopened, None), ("status", reopened, "In Progress")]
                if rng.random() < 0.5:
                    again = reopened + 2 * day
                    events += [("closed", again, "COMPLETED"), ("status", again, "Done")]
    return sorted(events, key=lambda e: e[1])
