"""A server that drips its answer or never ends it, as the Jira site or as a metric
source: the run fails within its deadline with one line, in bounded memory, is recorded
failed, and the next run takes the store's lock. A run killed with SIGKILL is marked
failed by the next one, which goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import TOKEN_VAR, Outcome, Workspace, assert_no_secret
from hostile_servers import Sent, dripping, endless, raw_server
from okrsync_sandbox import API_TOKEN, SandboxServer
from test_e2e_errors import ONE_KR, last_run, one_kr_failed, one_line_error

NOT_STORED = (
    "run 1 (plan) failed while pulling: 0 of 1 queries stored (not stored: jira: parent = SHOP-100)"
)
# Far below what reading an endless answer for seconds takes, far above okrsync's own need.
RSS_LIMIT_KIB = 300 * 1024
METRIC_KR = (Path(__file__).parents[1] / "data" / "conversion_kr.yaml").read_text()


@pytest.fixture
def drip() -> Iterator[tuple[str, Sent]]:
    with raw_server(dripping()) as server:
        yield server


@pytest.fixture
def flood() -> Iterator[tuple[str, Sent]]:
    with raw_server(endless()) as server:
        yield server


@pytest.fixture
def workspace(site: SandboxServer, tmp_path: Path) -> Workspace:
    site.reset_log()
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", ONE_KR)
    return workspace


def timed(workspace: Workspace, *args: str) -> tuple[Outcome, float]:
    started = time.monotonic()
    outcome = workspace.run(*args)
    return outcome, time.monotonic() - started


def next_run_goes_on(workspace: Workspace, site: SandboxServer) -> None:
    """Back on the real site, the next run takes the lock and plans (exit 2: changes)."""
    workspace.write_config(url=site.url)
    again = workspace.run("plan")
    assert again.exit_code == 2, again
    assert last_run(workspace)[:2] == ("plan", "ok")


def run_measured(workspace: Workspace, *args: str) -> tuple[Outcome, int]:
    """``okrsync ARGS`` in a process of its own; also its peak resident memory in KiB."""
    out, err = workspace.folder / "stdout.txt", workspace.folder / "stderr.txt"
    command = [sys.executable, "-m", "okrsync.cli", "--config", str(workspace.config), *args]
    env = {**os.environ, TOKEN_VAR: API_TOKEN}
    peak = 0
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
        # The process's own high-water mark, read while it runs: ru_maxrss would also
        # count the test process it was forked from, which a long suite makes large.
        while process.poll() is None:
            peak = max(peak, _high_water_kib(process.pid))
            time.sleep(0.005)
    outcome = Outcome(args, process.returncode, out.read_text(), err.read_text())
    assert_no_secret(outcome)
    assert peak > 0, "the process's memory was never read"
    return outcome, peak


def _high_water_kib(pid: int) -> int:
    """``VmHWM`` of a running process (its peak resident memory since its exec), in KiB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:  # it has just ended
        pass
    return 0


# --- as the Jira site -------------------------------------------------------------------


def test_a_dripping_jira_fails_within_the_answer_deadline(
    workspace: Workspace, site: SandboxServer, drip: tuple[str, Sent]
) -> None:
    url, sent = drip
    workspace.write_config(url=url, extra="    timeout: 1\n    max_attempts: 2\n")
    outcome, took = timed(workspace, "plan")
    line = one_line_error(outcome, summary=NOT_STORED)
    assert line.startswith(f"error: jira: cannot reach {url}: timed out (no complete answer")
    assert "within 1 s" in line
    # Two attempts of one second each; every read got its byte in time.
    assert 2 <= took < 6, took
    assert 0 < sent.bytes < 20
    assert last_run(workspace)[:2] == ("plan", "failed")
    next_run_goes_on(workspace, site)


def test_a_run_past_its_run_timeout_is_stopped_and_recorded_failed(
    workspace: Workspace, site: SandboxServer, drip: tuple[str, Sent]
) -> None:
    url, _ = drip
    # Each answer may take 60 s: only the run's own deadline (3 s) can stop it.
    workspace.write_config(url=url, extra="    timeout: 60\nrun_timeout: 0.05m\n")
    outcome, took = timed(workspace, "plan")
    line = one_line_error(outcome, summary=NOT_STORED)
    assert line.startswith(
        "error: the run took longer than run_timeout (3s) and was stopped while waiting "
        f"for GET {url}/rest/api/3/"
    )
    assert line.endswith("; raise run_timeout, or find out why the server is slow")
    assert 3 <= took < 6, took
    command, status, errors = last_run(workspace)
    assert (command, status) == ("plan", "failed")
    assert "run_timeout (3s)" in errors and "0 of 1 queries stored" in errors
    next_run_goes_on(workspace, site)


def test_an_endless_jira_answer_is_cut_at_max_answer_bytes_in_bounded_memory(
    workspace: Workspace, site: SandboxServer, flood: tuple[str, Sent]
) -> None:
    url, sent = flood
    cap = 4 * 1024 * 1024
    workspace.write_config(url=url, extra=f"    max_answer_bytes: {cap}\n")
    started = time.monotonic()
    outcome, peak_kib = run_measured(workspace, "plan")
    line = one_line_error(outcome, summary=NOT_STORED)
    assert line.startswith(f"error: jira: the answer to GET {url}/rest/api/3/")
    assert f"is longer than max_answer_bytes ({cap} bytes)" in line
    assert time.monotonic() - started < 30
    assert sent.bytes > cap  # it was sent more than it kept...
    assert peak_kib < RSS_LIMIT_KIB, peak_kib  # ...and never held much
    next_run_goes_on(workspace, site)


def test_a_run_killed_midway_is_marked_failed_by_the_next(
    workspace: Workspace, site: SandboxServer, drip: tuple[str, Sent]
) -> None:
    url, sent = drip
    workspace.write_config(url=url, extra="    timeout: 60\n")
    command = [sys.executable, "-m", "okrsync.cli", "--config", str(workspace.config), "plan"]
    process = subprocess.Popen(
        command,
        env={**os.environ, TOKEN_VAR: API_TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while sent.bytes == 0:  # the run has started and waits for Jira
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        assert workspace.sql("SELECT command, status FROM runs") == [("plan", "running")]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    next_run_goes_on(workspace, site)
    rows = workspace.sql("SELECT status, errors FROM runs ORDER BY id")
    assert [status for status, _ in rows] == ["failed", "ok"]
    assert "the run's process ended before the run finished" in rows[0][1]


# --- as a metric source -----------------------------------------------------------------


def metric_config(workspace: Workspace, url: str, settings: str) -> None:
    workspace.use_mapping("checkout.yaml", METRIC_KR)
    workspace.write_config(
        extra=(
            "  analytics:\n"
            "    type: http_json\n"
            f"    url: {url}/metrics.json\n"
            f"{settings}"
            "    metrics:\n"
            "      checkout_conversion: /data/conversion_rate\n"
        )
    )


def test_a_dripping_metric_source_fails_within_its_timeout(
    workspace: Workspace, drip: tuple[str, Sent]
) -> None:
    url, _ = drip
    metric_config(workspace, url, "    timeout: 1\n")
    outcome, took = timed(workspace, "plan")
    # The KR of that metric fails alone: the run is partial.
    first = one_kr_failed(outcome, "conversion")
    assert first.startswith(f"analytics: cannot reach {url}/metrics.json: ")
    assert "no complete answer within 1 s" in first
    assert took < 10, took
    assert last_run(workspace)[:2] == ("plan", "partial")


def test_an_endless_metric_source_is_cut_at_max_answer_bytes(
    workspace: Workspace, flood: tuple[str, Sent]
) -> None:
    url, sent = flood
    metric_config(workspace, url, "    max_answer_bytes: 1048576\n")
    outcome, peak_kib = run_measured(workspace, "plan")
    first = one_kr_failed(outcome, "conversion")
    assert first.startswith(f"analytics: the answer to GET {url}/metrics.json is longer")
    assert "than max_answer_bytes (1048576 bytes)" in first
    assert sent.bytes > 1048576
    assert peak_kib < RSS_LIMIT_KIB, peak_kib
