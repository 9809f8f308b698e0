"""The work done in Jira between the full and the incremental pull: one status change
on each of K issues spread evenly over project BULK."""

from __future__ import annotations

from datetime import timedelta

from okrsync_sandbox import SandboxState

PROJECT = "BULK"
QUERY = f"project = {PROJECT}"


def change_issues(state: SandboxState, count: int) -> list[str]:
    """Move ``count`` BULK issues one step along the workflow; returns their keys.

    The seeded history lies in the future of the wall clock (around the 2027 anchor), so
    the changes are stamped an hour after the latest ``updated`` of the site: later than
    any pull's cursor, as real new work would be.
    """
    issues = state.by_project.get(PROJECT, [])
    if count <= 0 or not issues:
        return []
    count = min(count, len(issues))
    step = len(issues) / count
    chosen = [issues[int(index * step)] for index in range(count)]
    with state.lock:
        latest = max(issue.updated for issue in state.issues_by_id.values())
        for index, issue in enumerate(chosen):
            category = issue.status.category.key
            target = "Done" if category == "indeterminate" else "In Progress"
            at = latest + timedelta(hours=1, milliseconds=index)
            state.transition(issue.key, target, at=at, author=state.bot)
    return [issue.key for issue in chosen]
