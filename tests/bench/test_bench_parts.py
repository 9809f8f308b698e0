"""The benchmark's pure parts: request minimums, route names, the script's scaling, and
the changes made between pulls. Expected values are worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from okrsync_sandbox import LoggedRequest, build_dataset

from bench import minimum
from bench.changes import change_issues
from bench.goals import floor_goal, goals, network_floor
from bench.host import is_continuation, route_of, summarize
from bench.results import Outcome, Pull, ScriptPull
from bench.sandbox import LogSummary
from bench.settings import Settings


def test_full_pull_minimum_of_a_hundred_thousand() -> None:
    least = minimum.full_pull(100_000)
    assert least == {
        minimum.SEARCH: 20,
        minimum.BULK_FETCH: 1000,
        minimum.CHANGELOGS: 100,
        minimum.FIELDS: 1,
        minimum.STATUSES: 1,
        minimum.BOARDS: 1,
    }
    assert sum(least.values()) == 1123


def test_full_pull_minimum_rounds_partial_pages_up() -> None:
    least = minimum.full_pull(5001)
    assert (least[minimum.SEARCH], least[minimum.BULK_FETCH], least[minimum.CHANGELOGS]) == (
        2,
        51,
        6,
    )


def test_incremental_minimum_counts_members_and_fetches_only_the_changed() -> None:
    least = minimum.incremental_pull(100_000, 1000)
    # 1 approximate count, 1 search for the changed; 10 bulk fetches; 1 changelog fetch.
    assert least[minimum.COUNT] == 1
    assert least[minimum.SEARCH] == 1
    assert least[minimum.BULK_FETCH] == 10
    assert least[minimum.CHANGELOGS] == 1
    assert sum(least.values()) == 16
    assert minimum.fetches(least) == 11


def test_incremental_minimum_when_the_members_are_listed_again() -> None:
    least = minimum.incremental_pull(100_000, 1000, listed=True)
    # 20 member pages + 1 search for the changed, and no count.
    assert minimum.COUNT not in least
    assert least[minimum.SEARCH] == 21
    assert sum(least.values()) == 35


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("GET", "/rest/api/3/issue/BULK-17", "GET /rest/api/3/issue/{key}"),
        ("GET", "/rest/api/3/issue/10017/changelog", "GET /rest/api/3/issue/{key}/changelog"),
        ("POST", "/rest/api/3/issue/bulkfetch", "POST /rest/api/3/issue/bulkfetch"),
        ("GET", "/rest/agile/1.0/board/3/sprint", "GET /rest/agile/1.0/board/{id}/sprint"),
        ("POST", "/rest/api/3/search/jql", "POST /rest/api/3/search/jql"),
    ],
)
def test_route_names_drop_ids_but_not_bulkfetch(method: str, path: str, route: str) -> None:
    assert route_of(method, path) == route


def _entry(method: str, path: str, *, body: object = None, query: str = "") -> LoggedRequest:
    params = dict(part.split("=") for part in query.split("&")) if query else {}
    return LoggedRequest(
        method=method,
        path=path,
        query={name: [value] for name, value in params.items()},
        body=body,
        at=0.0,
        status=200,
    )


def test_later_pages_are_told_apart_from_first_ones() -> None:
    assert not is_continuation(_entry("POST", "/rest/api/3/search/jql", body={"jql": "x"}))
    assert is_continuation(_entry("POST", "/rest/api/3/search/jql", body={"nextPageToken": "a"}))
    assert is_continuation(_entry("GET", "/rest/api/3/search/jql", query="nextPageToken=b"))
    assert not is_continuation(_entry("GET", "/rest/agile/1.0/board", query="startAt=0"))
    assert is_continuation(_entry("GET", "/rest/agile/1.0/board", query="startAt=50"))


def test_summary_counts_routes_pages_and_failures() -> None:
    failed = _entry("GET", "/rest/api/3/issue/BULK-2")
    failed.status = 429
    entries = [
        _entry("GET", "/rest/api/3/issue/BULK-1"),
        failed,
        _entry("POST", "/rest/api/3/changelog/bulkfetch", body={"nextPageToken": "t"}),
    ]
    assert summarize(entries) == {
        "total": 3,
        "routes": {"GET /rest/api/3/issue/{key}": 2, "POST /rest/api/3/changelog/bulkfetch": 1},
        "continuations": {"POST /rest/api/3/changelog/bulkfetch": 1},
        "failed": 1,
    }


def _log(routes: dict[str, int]) -> LogSummary:
    return LogSummary(
        total=sum(routes.values()),
        routes=routes,
        continuations={},
        failed=0,
        cpu_seconds=0.0,
        wall_seconds=1.0,
    )


def test_script_scales_only_its_changelog_phase() -> None:
    measured = Pull(
        {
            "seconds": 70.0,
            "connect_seconds": 1.0,
            "search_seconds": 29.0,
            "changelog_seconds": 40.0,
            "issues": 10_000,
            "changelogs_read": 1000,
            "peak_rss_mb": 100.0,
        },
        _log(
            {
                "GET /rest/api/3/serverInfo": 1,
                "GET /rest/api/3/field": 1,
                "GET /rest/api/3/search/jql": 100,
                "GET /rest/api/3/issue/{key}": 1000,
                "GET /rest/api/3/issue/{key}/changelog": 10,
            }
        ),
    )
    script = ScriptPull(measured)
    assert script.extrapolated
    assert script.scale == 10.0
    # 1 + 29 unchanged; the 40 s of changelogs becomes 400 s.
    assert script.seconds == pytest.approx(430.0)
    # 102 fixed and search requests, then 1,010 per-issue requests ×10.
    assert script.requests == 102 + 10_100


def test_script_read_in_full_is_not_scaled() -> None:
    measured = Pull(
        {"seconds": 5.0, "changelog_seconds": 4.0, "issues": 30, "changelogs_read": 30},
        _log({"GET /rest/api/3/search/jql": 1, "GET /rest/api/3/issue/{key}": 30}),
    )
    script = ScriptPull(measured)
    assert not script.extrapolated
    assert (script.seconds, script.requests) == (5.0, 31)


def test_changes_move_evenly_spread_issues_one_step_after_the_latest_update() -> None:
    state = build_dataset(date(2027, 1, 1), extra_issues=300)
    latest = max(issue.updated for issue in state.issues)
    before = {issue.key: issue.status.name for issue in state.by_project["BULK"]}

    keys = change_issues(state, 3)

    assert keys == ["BULK-1", "BULK-101", "BULK-201"]
    for offset, key in enumerate(keys):
        issue = state.get(key)
        expected = "Done" if before[key] == "In Progress" else "In Progress"
        assert issue.status.name == expected
        assert issue.updated == latest + timedelta(hours=1, milliseconds=offset)
        assert issue.histories[-1].items[0].to_string == expected
    unchanged = [k for k in before if k not in keys]
    assert all(state.get(k).status.name == before[k] for k in unchanged)


def _pull(seconds: float, routes: dict[str, int], peak_mb: float) -> Pull:
    return Pull({"seconds": seconds, "peak_rss_mb": peak_mb}, _log(routes))


def _outcome(
    *, full_requests: int, incremental_seconds: float, incremental: dict[str, int]
) -> Outcome:
    script = Pull(
        {
            "seconds": 100.0,
            "changelog_seconds": 90.0,
            "issues": 100_000,
            "changelogs_read": 2000,
            "peak_rss_mb": 900.0,
        },
        _log({"GET /rest/api/3/search/jql": 1000, "GET /rest/api/3/issue/{key}": 2000}),
    )
    return Outcome(
        settings=Settings(),
        build_seconds=1.0,
        histories=100_000,
        sandbox_rss_mb=300.0,
        fields=["summary"],
        changed=1000,
        okrsync_full=_pull(90.0, {minimum.BULK_FETCH: full_requests}, 150.0),
        okrsync_incremental=_pull(incremental_seconds, incremental, 120.0),
        script_full=ScriptPull(script),
        script_incremental=ScriptPull(script),
        started=0.0,
        finished=1.0,
        load_after=(0.0, 0.0, 0.0),
    )


def test_goals_are_judged_on_the_issue_thresholds() -> None:
    counted = minimum.incremental_pull(100_000, 1000)
    listed = minimum.incremental_pull(100_000, 1000, listed=True)
    # The script: 10 s + 90 s × 50 = 4,510 s, which is 50.1× okrsync's 90 s.
    met = goals(_outcome(full_requests=1179, incremental_seconds=4.4, incremental=counted))
    assert [goal.met for goal in met] == [True, True, True, True, True]
    assert met[0].actual == "50.1×ᵉ"
    assert met[1].actual == "1,179 (1.050×)"  # 1.05 × 1,123 = 1,179.15
    # Count, changed search, fields, statuses, boards.
    assert met[4].actual == "5"

    missed = goals(_outcome(full_requests=1185, incremental_seconds=4.6, incremental=listed))
    assert [goal.met for goal in missed] == [True, False, True, False, False]
    assert missed[3].actual == "5.1% (4.60 s)"
    assert missed[4].actual == "24"  # 21 searches and the three constant requests


def test_an_incremental_pull_that_listed_the_members_is_told_apart() -> None:
    listed = minimum.incremental_pull(100_000, 1000, listed=True)
    counted = minimum.incremental_pull(100_000, 1000)
    # The count disagreed: the count, then the 20 member pages too.
    disagreed = {**counted, minimum.SEARCH: 21}
    assert _outcome(full_requests=1123, incremental_seconds=1, incremental=listed).members_listed
    assert _outcome(full_requests=1123, incremental_seconds=1, incremental=disagreed).members_listed
    assert not _outcome(
        full_requests=1123, incremental_seconds=1, incremental=counted
    ).members_listed


def test_the_network_floor_is_the_minimum_requests_at_the_latency_eight_at_a_time() -> None:
    outcome = _outcome(full_requests=1123, incremental_seconds=1, incremental={})
    # 1,123 requests × 0.02 s / 8 in flight = 2.8075 s; 90 s is 32.1× that.
    assert network_floor(outcome) == pytest.approx(2.8075)
    goal = floor_goal(outcome)
    assert (goal.target, goal.actual, goal.met) == ("≤ 8.4 s (3× 2.81 s)", "90.0 s (32.1×)", False)
