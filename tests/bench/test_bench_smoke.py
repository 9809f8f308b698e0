"""``python -m bench`` end to end at a tiny scale: 300 issues, no latency.

Every process is real (the sandbox host, okrsync's pull, the jira script), so this
checks that the benchmark measures what it says: okrsync's requests equal the minimum
route by route, the jira script makes one request per issue it reads, and the report
shows both. Timings are not asserted: this is not a benchmark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import cli, minimum
from bench.goals import goals
from bench.machine import describe
from bench.report import render
from bench.results import ISSUE_ROUTE, Outcome
from bench.run import run
from bench.settings import Settings
from okrsync.pull import SweepLog
from okrsync.store import Store

ISSUES = 300
SAMPLE = 40
CHANGED = 3  # 1% of 300


@pytest.fixture(scope="module")
def outcome() -> Iterator[Outcome]:
    yield run(Settings(issues=ISSUES, latency=0.0, sample=SAMPLE, timeout=90))


def test_okrsync_full_pull_makes_exactly_the_minimum_requests(outcome: Outcome) -> None:
    # 1 id page, 3 bulk fetches, 1 changelog fetch, fields, statuses, boards.
    assert outcome.okrsync_full.log.routes == minimum.full_pull(ISSUES)
    assert outcome.okrsync_full.requests == 8
    assert outcome.okrsync_full.log.failed == 0
    assert outcome.okrsync_full.result["stored_items"] == ISSUES


def test_okrsync_incremental_pull_fetches_only_what_changed(outcome: Outcome) -> None:
    assert outcome.changed == CHANGED
    # The changed search, 1 bulk and 1 changelog fetch; and the members' check: an
    # approximate count when the store remembers their last listing, else their id page.
    remembers = bool(outcome.okrsync_incremental.result["remembers_listing"])
    assert remembers == issubclass(Store, SweepLog)
    expected = minimum.incremental_pull(ISSUES, CHANGED, listed=not remembers)
    assert outcome.okrsync_incremental.log.routes == expected
    assert outcome.okrsync_incremental.requests == 7
    assert outcome.members_listed is not remembers
    # The three changed issues, plus the one last updated before the cursor, which the
    # five-minute overlap window reads again.
    assert outcome.okrsync_incremental.result["fetched"] == CHANGED + 1
    assert outcome.okrsync_incremental.result["stored_items"] == ISSUES


def test_jira_script_reads_one_changelog_per_sampled_issue(outcome: Outcome) -> None:
    script = outcome.script_full
    routes = script.measured.log.routes
    assert script.issues == ISSUES
    assert routes["GET /rest/api/3/search/jql"] == 3  # 100 issues a page
    assert routes[ISSUE_ROUTE] == SAMPLE
    assert script.extrapolated
    # Scaled to every issue: server info, fields, 3 pages and one request per issue.
    fixed = script.measured.requests - SAMPLE
    assert script.requests == fixed + ISSUES


def test_jira_script_incremental_reads_only_the_changed_issues(outcome: Outcome) -> None:
    script = outcome.script_incremental
    assert script.issues == CHANGED
    assert not script.extrapolated
    assert script.measured.log.routes[ISSUE_ROUTE] == CHANGED


def test_the_report_shows_goals_ratios_and_the_sample(outcome: Outcome) -> None:
    text = render(outcome, describe(), "python -m bench --issues 300")
    assert len(goals(outcome)) == 5
    assert "## Goals" in text
    assert "| full pull: HTTP requests | 8 |" in text
    assert "**Extrapolated.**" in text
    assert f"changelogs read for {SAMPLE} of them" in text
    assert "CPU: " in text and "Python: " in text


def test_cli_rejects_a_bad_flag_before_starting_anything(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    assert cli.main(["--issues", "0", "--results", str(results)]) == 2
    assert not results.exists()
