"""``okrsync pull`` killed (SIGKILL) at several points, then run again: the store ends up
exactly as a clean pull leaves it (items, history, members, sprints, cursors), and a
change made between the two runs is in it: the cursor skipped nothing.

okrsync runs in a process of its own, against the sandbox in this process; the sandbox
answers every request 50 ms late, so that there is time to kill it mid-run, and the
test kills it as soon as the sandbox's log shows the chosen request answered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from faults_harness import (
    CHANGELOG_BULKFETCH,
    ISSUE_BULKFETCH,
    Workspace,
    has_answered,
)
from okrsync_sandbox import SandboxServer

pytestmark = pytest.mark.slow

LATENCY = 0.05
KillPoint = Callable[[SandboxServer], Callable[[], bool]]

KILL_POINTS: dict[str, KillPoint] = {
    "after-the-first-bulkfetch": lambda jira: has_answered(jira, "POST", ISSUE_BULKFETCH),
    "after-the-first-changelog": lambda jira: has_answered(jira, "POST", CHANGELOG_BULKFETCH),
    # The first query's batches are stored; it is about to be marked as pulled.
    "after-the-first-sprints": lambda jira: has_answered(
        jira, "GET", "/rest/agile/1.0/board/1/sprint"
    ),
}


def status_of(workspace: Workspace, key: str) -> str:
    ((status,),) = workspace.sql("SELECT status FROM items WHERE key = ?", key)
    return str(status)


def pull_after_crash(jira: SandboxServer, workspace: Workspace, tmp_path: Path) -> None:
    """Finish with a complete pull, and compare with a clean pull of the same site."""
    jira.latency = 0.0
    again = workspace.run("pull")
    assert again.exit_code == 0, again
    (tmp_path / "clean").mkdir()
    clean = Workspace(tmp_path / "clean", jira)
    assert clean.run("pull").exit_code == 0
    assert workspace.pulled() == clean.pulled()


@pytest.mark.parametrize("kill_point", list(KILL_POINTS))
def test_a_first_pull_killed_midway_is_finished_by_the_next(
    jira: SandboxServer, workspace: Workspace, tmp_path: Path, kill_point: str
) -> None:
    jira.latency = LATENCY
    killed = workspace.spawn("pull", name="killed")
    killed.kill_when(KILL_POINTS[kill_point](jira))
    assert workspace.runs() == [("pull", "running")]  # it never got to the end
    # Work goes on in Jira meanwhile.
    jira.state.transition("SHOP-113", "Done")

    pull_after_crash(jira, workspace, tmp_path)

    assert status_of(workspace, "SHOP-113") == "Done"
    # The next run found the killed one still "running" and marked it failed.
    assert workspace.runs() == [("pull", "failed"), ("pull", "ok")]


def test_an_incremental_pull_killed_midway_loses_no_change(
    jira: SandboxServer, workspace: Workspace, tmp_path: Path
) -> None:
    assert workspace.run("pull").exit_code == 0
    jira.state.transition("SHOP-104", "Done")
    jira.latency = LATENCY
    jira.reset_log()
    killed = workspace.spawn("pull", name="killed")
    # SHOP-104 is fetched, and maybe stored, but its query's cursor has not moved.
    killed.kill_when(has_answered(jira, "POST", ISSUE_BULKFETCH))
    jira.state.transition("SHOP-113", "Done")

    pull_after_crash(jira, workspace, tmp_path)

    assert status_of(workspace, "SHOP-104") == "Done"
    assert status_of(workspace, "SHOP-113") == "Done"
    assert [status for _, status in workspace.runs()] == ["ok", "failed", "ok"]
