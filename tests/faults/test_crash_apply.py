"""``okrsync apply`` and ``sync`` killed (SIGKILL) mid-run, then run again: Jira ends up
holding every result once (no second comment, no second KR issue, no write carried
out twice) and the store as a clean run leaves it. And two syncs started at once on one
store: one works, the other says why it does not.

okrsync runs in a process of its own, against the sandbox in this process, which
answers every request 50 ms late so that there is time to kill it mid-run; a write
whose answer is held back (``stall``) lets the test kill okrsync after Jira carried
the write out but before okrsync could learn of it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from faults_harness import (
    CREATE,
    FIRST_WRITES,
    ISSUE_BULKFETCH,
    SEARCH,
    Process,
    Workspace,
    assert_pushed,
    has_answered,
    has_carried_out,
    writes_carried_out,
)
from okrsync_sandbox import SandboxServer

pytestmark = pytest.mark.slow

LATENCY = 0.05
STALL = 20.0  # released once okrsync is killed


def finish(jira: SandboxServer, workspace: Workspace, tmp_path: Path, command: str) -> None:
    """Run ``command`` to its end, then check Jira and the store: every write carried
    out once over both runs, and the store's pulled state as a clean pull leaves it."""
    jira.latency = 0.0
    again = workspace.run(command)
    assert again.exit_code == 0, again
    assert_pushed(jira)
    assert sorted(writes_carried_out(jira)) == sorted(FIRST_WRITES)
    assert workspace.sql("SELECT kr_id, issue_key FROM created_issues") == [
        ("one-click-done", "OKR-13")
    ]
    (tmp_path / "clean").mkdir()
    clean = Workspace(tmp_path / "clean", jira)
    assert clean.run("pull").exit_code == 0
    assert workspace.pulled() == clean.pulled()


def test_apply_killed_after_its_first_write(
    jira: SandboxServer, workspace: Workspace, tmp_path: Path
) -> None:
    jira.latency = LATENCY
    killed = workspace.spawn("apply", name="killed")
    killed.kill_when(has_answered(jira, *FIRST_WRITES[0]))
    assert workspace.runs() == [("apply", "running")]
    assert writes_carried_out(jira)[:1] == FIRST_WRITES[:1]

    finish(jira, workspace, tmp_path, "apply")


def test_apply_killed_after_jira_created_the_kr_issue_but_before_it_said_so(
    jira: SandboxServer, workspace: Workspace, tmp_path: Path
) -> None:
    jira.latency = LATENCY
    stall = jira.faults.stall(CREATE, method="POST", seconds=STALL, exact=True)
    killed = workspace.spawn("apply", name="killed")
    killed.kill_when(has_carried_out(jira, "POST", CREATE))
    stall.release()
    # OKR-13 exists, labelled; the store never heard of it.
    assert jira.state.get("OKR-13").labels == ["okrsync-kr-one-click-done"]
    assert workspace.sql("SELECT count(*) FROM created_issues") == [(0,)]

    finish(jira, workspace, tmp_path, "apply")

    # Never sent again: the next run found OKR-13 by its label.
    assert [entry.path for entry in jira.log.entries("POST", CREATE)].count(CREATE) == 1


def test_apply_killed_after_jira_added_the_comment_but_before_it_said_so(
    jira: SandboxServer, workspace: Workspace, tmp_path: Path
) -> None:
    comment = FIRST_WRITES[1]
    jira.latency = LATENCY
    stall = jira.faults.stall(comment[1], method="POST", seconds=STALL)
    killed = workspace.spawn("apply", name="killed")
    killed.kill_when(has_carried_out(jira, *comment))
    stall.release()

    finish(jira, workspace, tmp_path, "apply")

    assert [entry.fault for entry in jira.log.entries(*comment)] == ["stall"]


def test_sync_killed_mid_pull_then_synced_again(
    jira: SandboxServer, workspace: Workspace, tmp_path: Path
) -> None:
    jira.latency = LATENCY
    killed = workspace.spawn("sync", name="killed")
    killed.kill_when(has_answered(jira, "POST", ISSUE_BULKFETCH))
    assert jira.writes == []

    finish(jira, workspace, tmp_path, "sync")

    # The next run found the killed one still "running" and marked it failed.
    assert workspace.runs() == [("sync", "failed"), ("sync", "ok")]


def test_two_syncs_at_once_one_writes_and_the_other_says_why_not(
    jira: SandboxServer, workspace: Workspace
) -> None:
    # Whichever takes the store first is held at its first search until the other ended.
    stall = jira.faults.stall(SEARCH, seconds=STALL)
    runs = [workspace.spawn("sync", name="first"), workspace.spawn("sync", name="second")]
    ended = wait_for_either(runs)
    refused = ended.outcome()
    stall.release()
    (other,) = [process for process in runs if process is not ended]
    synced = other.wait()

    assert refused.exit_code == 1, refused
    assert refused.stdout == ""
    assert refused.stderr.startswith("error: another okrsync run is using this store (started "), (
        refused
    )
    assert "try again when it finishes" in refused.stderr
    assert synced.exit_code == 0, synced
    assert writes_carried_out(jira) == FIRST_WRITES  # each once, by the one that ran
    assert_pushed(jira)
    assert workspace.runs() == [("sync", "ok")]


def wait_for_either(processes: list[Process], timeout: float = 60.0) -> Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.popen.poll() is not None:
                return process
        time.sleep(0.01)
    raise AssertionError("neither okrsync run ended")
