"""The GitHub part of ``make bench``: the load data, the route names, the minimum, the
PyGithub script's scaling and done times, the correctness check, and the whole part end
to end at a tiny size (real processes, no latency). Expected values are worked out by
hand; timings are not asserted."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from okrsync_github_sandbox import (
    FIXED_ANCHOR,
    LOAD_REPO,
    TOKEN,
    GitHubSandbox,
    add_load_issues,
    build_dataset,
)
from okrsync_github_sandbox.requestlog import LoggedRequest

from bench import github_script
from bench.contender import GITHUB_TOKEN_VARIABLE
from bench.eval_report import replace_section
from bench.github_host import build, github_route, later_page, truth
from bench.github_part import (
    ITEMS,
    LIST,
    PROJECT,
    REPOSITORY,
    SEARCH,
    TIMELINE,
    GitHubOutcome,
    GitHubSettings,
    ScriptRun,
    check,
    minimum,
    run_github,
    script_minimum,
)
from bench.github_report import BEGIN, END, _starved, render_github
from bench.github_run import run as okrsync_run
from bench.results import Pull
from bench.sandbox import LogSummary

# The required properties of GitHub's ``full-repository`` (REST API description,
# 2022-11-28), the answer of ``GET /repos/{owner}/{repo}``.
FULL_REPOSITORY = {
    "archive_url", "assignees_url", "blobs_url", "branches_url", "collaborators_url",
    "comments_url", "commits_url", "compare_url", "contents_url", "contributors_url",
    "deployments_url", "description", "downloads_url", "events_url", "fork", "forks_url",
    "full_name", "git_commits_url", "git_refs_url", "git_tags_url", "hooks_url", "html_url",
    "id", "node_id", "issue_comment_url", "issue_events_url", "issues_url", "keys_url",
    "labels_url", "languages_url", "merges_url", "milestones_url", "name",
    "notifications_url", "owner", "private", "pulls_url", "releases_url", "stargazers_url",
    "statuses_url", "subscribers_url", "subscription_url", "tags_url", "teams_url",
    "trees_url", "url", "clone_url", "default_branch", "forks", "forks_count", "git_url",
    "has_downloads", "has_issues", "has_projects", "has_wiki", "has_pages", "homepage",
    "language", "archived", "disabled", "mirror_url", "open_issues", "open_issues_count",
    "stargazers_count", "subscribers_count", "network_count", "ssh_url", "svn_url",
    "watchers", "watchers_count", "created_at", "updated_at", "pushed_at", "size",
}  # fmt: skip


def _entry(method: str, path: str, body: Any = None, **params: str) -> LoggedRequest:
    return LoggedRequest(method, path, {k: [v] for k, v in params.items()}, body, 0.0)


def test_load_issues_are_deterministic_and_have_the_documented_shape() -> None:
    first, second = build_dataset(FIXED_ANCHOR), build_dataset(FIXED_ANCHOR)
    a, b = add_load_issues(first, 60), add_load_issues(second, 60)
    assert [[(e.kind, e.at, e.value) for e in i.events] for i in a] == [
        [(e.kind, e.at, e.value) for e in i.events] for i in b
    ]
    by_number = {i.number: i for i in a}
    # Epics are 1, 26, 51; 2..25 get #1 as parent, 8, 16 and 24 (n % 8 == 0) lose it.
    assert [n for n, i in by_number.items() if i.issue_type == "Epic"] == [1, 26, 51]
    assert by_number[2].parent == "acme/load#1" and by_number[27].parent == "acme/load#26"
    assert by_number[8].parent is None and by_number[1].parent is None
    assert by_number[26].parent is None  # an epic has no parent
    for issue in a:
        assert issue.events[0].kind == "status" and issue.events[0].value == "Todo"
        assert [e.at for e in issue.events] == sorted(e.at for e in issue.events)
        done = issue.state == "CLOSED" and issue.state_reason == "COMPLETED"
        # Closed as completed exactly when the project Status ends in Done.
        assert done == (issue.status == "Done")
        assert first.project is not None and issue.key in first.project.items
    # Created A-60 days (2026-11-02) + n * (90 days / 60 = 36 hours).
    assert by_number[1].created == datetime(2026, 11, 3, 12, tzinfo=UTC)
    assert by_number[60].created == datetime(2027, 1, 31, tzinfo=UTC)


def test_truth_counts_done_as_closed_completed() -> None:
    state = build(40)
    issues = [i for i in state.issues.values() if i.repo == LOAD_REPO]
    expected = sum(i.state == "CLOSED" and i.state_reason == "COMPLETED" for i in issues)
    assert truth(state)["done"] == expected
    assert truth(state)["events"] == sum(len(i.events) for i in issues)
    assert state.budget.remaining > 100_000  # the primary limit is lifted


def test_github_routes_name_graphql_operations_and_hide_ids() -> None:
    assert (
        github_route(_entry("POST", "/graphql", {"query": "\n query Items($ids: [ID!]!) {"}))
        == ITEMS
    )
    assert github_route(_entry("POST", "/graphql", {"query": "{ viewer { login } }"})) == (
        "POST /graphql (anonymous)"
    )
    assert github_route(_entry("GET", "/repos/acme/load/issues/17/timeline")) == TIMELINE
    assert github_route(_entry("GET", "/repos/acme/load/issues")) == LIST
    assert github_route(_entry("GET", "/repos/acme/load")) == REPOSITORY
    assert github_route(_entry("GET", "/search/issues")) == SEARCH
    assert later_page(_entry("GET", "/search/issues", page="2"))
    assert not later_page(_entry("GET", "/search/issues", page="1"))
    assert not later_page(_entry("GET", "/search/issues"))


def test_minimums() -> None:
    # 10,000 issues: 100 search pages, 100 batches of 100 nodes, 1 project query.
    assert minimum(10_000) == {SEARCH: 100, ITEMS: 100, PROJECT: 1}
    # 101 issues: a second page and a second batch for the last one.
    assert minimum(101) == {SEARCH: 2, ITEMS: 2, PROJECT: 1}
    # The script: the repository, 100 list pages, 10,000 timelines.
    assert sum(script_minimum(10_000).values()) == 10_101


def _log(routes: dict[str, int]) -> LogSummary:
    return LogSummary(sum(routes.values()), routes, {}, 0, 0.0, 1.0)


def test_the_script_is_scaled_from_its_sample() -> None:
    result = {
        "seconds": 10.0,
        "timeline_seconds": 8.0,
        "issues": 1000,
        "timelines_read": 100,
        "peak_rss_mb": 50.0,
    }
    script = ScriptRun(Pull(result, _log({REPOSITORY: 1, LIST: 10, TIMELINE: 100})))
    assert script.scale == 10.0 and script.extrapolated
    assert script.seconds == pytest.approx(2.0 + 80.0)  # the rest, plus 8 s × 10
    assert script.requests == 1 + 10 + 1000


def test_check_compares_the_sampled_issues_only() -> None:
    ours = {"done": {"r#1": "2027-01-01T00:00:00Z", "r#2": "2027-01-02T00:00:00Z", "r#9": "x"}}
    same = {"sampled": ["r#1", "r#2", "r#3"], "done": {"r#1": "2027-01-01T00:00:00Z",
            "r#2": "2027-01-02T00:00:00Z"}}  # fmt: skip
    found = check(ours, same)
    assert (found.compared, found.done_okrsync, found.done_script, found.same_times) == (3, 2, 2, 2)
    assert found.agrees
    other = {"sampled": ["r#1", "r#2"], "done": {"r#1": "2027-01-05T00:00:00Z"}}
    differs = check(ours, other)
    assert not differs.agrees and differs.differing == ["r#1", "r#2"]


@dataclass
class _Event:
    event: str
    created_at: datetime
    raw_data: dict[str, Any]


def _event(kind: str, day: int, reason: str | None = None) -> _Event:
    at = datetime(2027, 1, day, tzinfo=UTC)
    raw = {"created_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "state_reason": reason}
    return _Event(kind, at, raw)


def test_done_at_is_the_last_completed_close_not_reopened() -> None:
    closed, reopened = _event("closed", 3, "completed"), _event("reopened", 4)
    again = _event("closed", 6, "completed")
    assert github_script.done_at([_event("assigned", 1), closed]) == "2027-01-03T00:00:00Z"
    assert github_script.done_at([again, reopened, closed]) == "2027-01-06T00:00:00Z"
    assert github_script.done_at([closed, reopened]) is None
    assert github_script.done_at([_event("closed", 2, "not_planned")]) is None


def test_pygithub_and_okrsync_agree_on_a_small_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GITHUB_TOKEN_VARIABLE, TOKEN)
    state = build(30)
    with GitHubSandbox(state) as github, tempfile.TemporaryDirectory() as scratch:
        script = github_script.run(github.url, LOAD_REPO, 10)
        ours = okrsync_run(github.url, str(Path(scratch) / "okrsync.db"), "repo:acme/load")
    # The script lists newest first: the sample is #30..#21.
    assert script["sampled"] == [f"acme/load#{n}" for n in range(30, 20, -1)]
    assert script["issues"] == 30 and script["timelines_read"] == 10
    expected = {
        i.key: i.closed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        for i in state.issues.values()
        if i.repo == LOAD_REPO and i.state_reason == "COMPLETED" and i.closed_at is not None
    }
    assert ours["done"] == expected
    assert script["done"] == {k: v for k, v in expected.items() if k in script["sampled"]}
    assert check(ours, script).agrees


def test_the_repository_answer_has_githubs_shape() -> None:
    with GitHubSandbox(build(3)) as github:
        headers = {"Authorization": f"Bearer {github.token}"}
        answer = httpx.get(github.url + "/repos/acme/load", headers=headers)
        missing = httpx.get(github.url + "/repos/acme/nothing", headers=headers)
    body = answer.json()
    assert answer.status_code == 200 and missing.status_code == 404
    assert FULL_REPOSITORY - set(body) == set()
    assert body["full_name"] == "acme/load" and body["owner"]["login"] == "acme"
    assert body["issues_url"] == github.url + "/repos/acme/load/issues{/number}"


@pytest.fixture(scope="module")
def outcome() -> Iterator[GitHubOutcome]:
    yield run_github(GitHubSettings(issues=150, latency=0.0, sample=20, timeout=300))


def test_the_part_end_to_end_makes_the_minimum_and_agrees(outcome: GitHubOutcome) -> None:
    # 150 issues, under the search cap: 2 search pages, 2 batches, the project.
    assert outcome.okrsync.log.routes == {SEARCH: 2, ITEMS: 2, PROJECT: 1}
    assert outcome.okrsync.log.failed == 0
    # The script: the repository, 2 list pages, 20 timelines.
    assert outcome.script.measured.log.routes == {REPOSITORY: 1, LIST: 2, TIMELINE: 20}
    assert outcome.script.requests == 1 + 2 + 150
    assert outcome.check.agrees and outcome.check.compared == 20
    assert outcome.done_total_agrees


def test_the_report_section_replaces_only_its_own(outcome: GitHubOutcome) -> None:
    section = render_github(outcome, "python -m bench --part github")
    assert section.startswith(BEGIN) and section.rstrip().endswith(END)
    assert "| HTTP requests | 5 |" in section
    previous = f"# head\n\n{BEGIN}\nold\n{END}\n\n<!-- evaluation benchmark -->\nkept\n"
    text = replace_section(previous, section, BEGIN, END)
    assert "old" not in text and "kept" in text and text.count(BEGIN) == 1


def test_a_loaded_machine_is_said_to_stretch_the_sandboxs_cpu(outcome: GitHubOutcome) -> None:
    loaded = replace(outcome, load=((8.0, 0.0, 0.0), (8.0, 0.0, 0.0)))
    # Load 8 on 2 cores: a quarter of a core each, the sandbox's CPU stretched 4 times.
    stretched = f"{loaded.okrsync.log.cpu_seconds * 4:,.0f} s of wall time"
    text = " ".join(_starved(loaded, cores=2))
    assert "about 8.0 on 2 cores" in text and "25% of a core" in text and stretched in text
    idle = replace(outcome, load=((1.0, 0.0, 0.0), (1.5, 0.0, 0.0)))
    assert _starved(idle, cores=2) == []
