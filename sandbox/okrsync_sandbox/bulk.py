"""Synthetic issues for load tests and benchmarks, built without the edit machinery.

Going through ``SandboxState.transition`` for 100,000 issues would take far too long,
so records are assembled directly; the change items of the few possible histories
are shared between issues (they carry no per-issue data and are never mutated).
"""

from __future__ import annotations

import gc
import random
from datetime import datetime, timedelta

from okrsync_sandbox import catalog
from okrsync_sandbox.model import ChangeItem, History, Issue
from okrsync_sandbox.state import SandboxState, to_millis

EPIC_EVERY = 50  # every 50th synthetic issue is an epic; the rest are its children
_POINTS = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0)
# The latest change of a synthetic issue: in progress 1..72 h after its creation, done
# 2..240 h after that (see ``_add``).
SETTLES_WITHIN = timedelta(hours=72 + 240)


def add_bulk_issues(
    state: SandboxState, count: int, *, start: datetime, span: timedelta, seed: int
) -> None:
    """Add ``count`` issues to project BULK, created evenly over ``span`` from ``start``.

    A quarter stay in To Do, a quarter are in progress, a quarter went through
    In Progress to Done and a quarter went straight to Done.
    """
    # A hundred thousand small records trigger many full collections that find nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _add(state, count, start=start, span=span, rng=random.Random(seed))
    finally:
        if collecting:
            gc.enable()


def _add(
    state: SandboxState, count: int, *, start: datetime, span: timedelta, rng: random.Random
) -> None:
    project = state.projects["BULK"]
    todo, doing, _review, done = project.workflow
    resolution = project.done_resolution
    to_doing = [ChangeItem("status", "jira", "status", todo.id, todo.name, doing.id, doing.name)]
    resolve = ChangeItem(
        "resolution", "jira", "resolution", None, None, resolution.id, resolution.name
    )
    doing_to_done = [
        ChangeItem("status", "jira", "status", doing.id, doing.name, done.id, done.name),
        resolve,
    ]
    todo_to_done = [
        ChangeItem("status", "jira", "status", todo.id, todo.name, done.id, done.name),
        resolve,
    ]
    epic_type = next(t for t in project.issue_types if t.name == "Epic")
    story_type = next(t for t in project.issue_types if t.name == "Story")
    author = state.bot
    step = span / max(count, 1)
    epic: Issue | None = None
    issues = state.by_project["BULK"]
    for n in range(count):
        created = to_millis(start + step * n)
        number = project.next_number
        project.next_number += 1
        is_epic = n % EPIC_EVERY == 0
        bits = rng.getrandbits(32)  # one draw per issue: shape, points and delays
        issue = Issue(
            id=state.next_issue_id,
            key=f"BULK-{number}",
            number=number,
            project=project,
            issuetype=epic_type if is_epic else story_type,
            summary=f"Synthetic {'epic' if is_epic else 'story'} {number}",
            status=todo,
            created=created,
            updated=created,
            reporter=author,
            status_changed=created,
            priority=catalog.MEDIUM,
        )
        state.next_issue_id += 1
        if is_epic:
            epic = issue
        else:
            issue.parent = epic
            if epic is not None:
                state.children.setdefault(epic.id, []).append(issue)
                issue.custom[catalog.EPIC_LINK] = epic.key
            if (bits >> 5) % 10:  # nine in ten stories are estimated
                issue.custom[catalog.STORY_POINTS] = _POINTS[(bits >> 2) % 6]
        shape = bits & 3
        if shape:
            first = created + timedelta(hours=1 + (bits >> 9) % 72)
            steps: list[tuple[datetime, list[ChangeItem]]] = []
            if shape in (1, 2):
                steps.append((first, to_doing))
            if shape == 2:
                steps.append((first + timedelta(hours=2 + (bits >> 16) % 239), doing_to_done))
            if shape == 3:
                steps.append((first, todo_to_done))
            for when, items in steps:
                issue.histories.append(History(state.next_history_id, author, when, items))
                state.next_history_id += 1
            last = steps[-1][0]
            issue.status = doing if shape == 1 else done
            issue.updated = issue.status_changed = last
            if shape != 1:
                issue.resolution = resolution
                issue.resolutiondate = last
        state.issues_by_id[issue.id] = issue
        state.issues_by_key[issue.key] = issue
        issues.append(issue)
    state.touch()
