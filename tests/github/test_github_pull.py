"""Pulling from the GitHub sandbox over real HTTP: items, history, requests, paging."""

from __future__ import annotations

import asyncio
import time

import pytest
from github_site import SELECTION, Pulled, at, connector, pull, pulls
from okrsync_github_sandbox import GitHubSandbox
from okrsync_github_sandbox.model import Event

from okrsync.connector import PullRequest
from okrsync.evaluate.state import Timeline
from okrsync.items import ItemType, StatusCategory, TrackedField

MEMBERS = [
    "acme/shop-app#1",
    "acme/shop-app#2",
    "acme/shop-app#3",
    "acme/shop-app#4",
    "acme/shop-app#5",
    "acme/shop-app#6",
    "acme/shop-app#7",
]


def test_a_selection_is_pulled_with_types_parents_labels_and_project_fields(
    github: GitHubSandbox,
) -> None:
    pulled = pull(connector(github, project="acme/5"), PullRequest(SELECTION))

    # is:issue was added (the pull request #9 is out); the issues closed as not planned
    # (#6) or as duplicates (#7) are members, withdrawn from their close on.
    assert pulled.members == MEMBERS
    epic, feature, task, bug, untyped = (pulled.items[k] for k in MEMBERS[:5])
    assert (epic.type, epic.type_name) == (ItemType.EPIC, "Epic")
    assert (feature.type, feature.type_name) == (ItemType.STORY, "Feature")
    assert (bug.type, untyped.type) == (ItemType.BUG, ItemType.TASK)
    assert feature.parent == "acme/shop-app#1" and untyped.parent is None
    assert feature.labels == ("checkout",) and feature.project == "acme/shop-app"
    assert (feature.estimate, task.estimate, untyped.estimate) == (5.0, 3.0, None)
    assert feature.sprints == ("iter1",) and task.sprints == ("iter3",)
    assert (feature.status, feature.status_category) == ("Closed", StatusCategory.DONE)
    assert (epic.status, epic.status_category) == ("In Progress", StatusCategory.IN_PROGRESS)
    assert (untyped.status, untyped.status_category) == ("Todo", StatusCategory.TODO)
    assert [s.name for s in pulled.done[0].sprints] == [f"Sprint {k}" for k in range(1, 5)]
    assert pulled.done[0].sprints[0].completed == at(14)


def test_history_comes_from_the_timeline(github: GitHubSandbox) -> None:
    pulled = pull(connector(github, project="acme/5"), PullRequest(SELECTION))
    task = [
        (c.at, c.from_value, c.to_value)
        for c in pulled.changes
        if c.key == "acme/shop-app#3" and c.field == TrackedField.STATUS_CATEGORY
    ]
    # In progress from the Status change (A+12 09:00), done when closed (A+25 15:00),
    # back in progress when reopened (A+27 09:00), done again (A+30 12:00).
    assert task == [
        (at(12, 9), "todo", "in_progress"),
        (at(25, 15), "in_progress", "done"),
        (at(27, 9), "done", "in_progress"),
        (at(30, 12), "in_progress", "done"),
    ]
    parent = [
        (c.at, c.from_value, c.to_value)
        for c in pulled.changes
        if c.key == "acme/shop-app#5" and c.field == TrackedField.PARENT
    ]
    assert parent == [
        (at(16, 10), None, "acme/shop-app#1"),
        (at(19, 10), "acme/shop-app#1", None),
    ]


def _timeline(pulled: Pulled, key: str) -> Timeline:
    return Timeline(pulled.items[key], [c for c in pulled.changes if c.key == key])


def test_closed_as_not_planned_is_withdrawn_from_its_close_on(github: GitHubSandbox) -> None:
    with github.state.lock:  # #6 is reopened at A+20 10:00 (closed as not planned A+18 10:00)
        issue = github.state.issues["acme/shop-app#6"]
        issue.apply(Event("reopened", at(20, 10), "ana", None, github.state.next_id()))
    pulled = pull(connector(github, project="acme/5"), PullRequest(SELECTION))
    assert pulled.members == MEMBERS
    withdrawals = [
        (c.at, c.from_value, c.to_value)
        for c in pulled.changes
        if c.key == "acme/shop-app#6" and c.field == TrackedField.WITHDRAWN
    ]
    assert withdrawals == [(at(18, 10), None, "true"), (at(20, 10), "true", None)]
    history = _timeline(pulled, "acme/shop-app#6")
    # Open (Todo since A+3 11:00) before the close, withdrawn while closed, a member
    # again once reopened.
    before, closed, reopened = (history.at(at(d)) for d in (18, 19, 21))
    assert before is not None and not before.withdrawn and before.status == "Todo"
    assert closed is not None and closed.withdrawn
    assert closed.status == "Closed as not planned" and not closed.done
    assert reopened is not None and not reopened.withdrawn
    # The duplicate (#7, closed A+22 10:00) is a member until then.
    duplicate = _timeline(pulled, "acme/shop-app#7")
    assert [duplicate.at(at(d)).withdrawn for d in (22, 23)] == [False, True]  # type: ignore[union-attr]


def test_without_a_project_in_progress_starts_at_the_first_assignment(
    github: GitHubSandbox,
) -> None:
    pulled = pull(connector(github), PullRequest("repo:acme/shop-app label:bug"))
    bug = pulled.items["acme/shop-app#8"]
    assert (bug.status, bug.status_category) == ("Open", StatusCategory.IN_PROGRESS)
    assert [(c.at, c.to_value) for c in pulled.changes if c.field == "status_category"] == [
        (at(11, 9), "in_progress")
    ]
    assert bug.estimate is None and bug.sprints == ()


def test_a_pull_request_is_done_when_merged(github: GitHubSandbox) -> None:
    pulled = pull(connector(github), PullRequest("repo:acme/shop-app is:pr"))
    assert pulled.members == ["acme/shop-app#9"]
    merged = pulled.items["acme/shop-app#9"]
    assert (merged.status, merged.status_category) == ("Merged", StatusCategory.DONE)
    assert merged.resolved == at(14, 15)


def test_requests_stay_near_the_minimum(github: GitHubSandbox) -> None:
    pulled = pull(connector(github, project="acme/5"), PullRequest(SELECTION))
    # The project once, one search page, one GraphQL batch for all five issues.
    assert pulled.done[0].requests == 3
    paths = [(e.method, e.path) for e in github.log.entries()]
    assert paths == [("POST", "/graphql"), ("GET", "/search/issues"), ("POST", "/graphql")]


def test_past_the_search_cap_the_selection_is_split_by_creation_date(
    github: GitHubSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub's cap is 1,000 results: the same rule, with fewer issues.
    github.state.search_cap = 3
    monkeypatch.setattr("okrsync_github.search.SEARCH_CAP", 3)
    pulled = pull(connector(github, project="acme/5", page_size=2), PullRequest(SELECTION))
    assert pulled.members == MEMBERS
    searches = [e.params["q"] for e in github.log.entries() if e.path == "/search/issues"]
    assert all("created:" in q for q in searches[2:]) and len(searches) > 3
    assert all(e.status == 200 for e in github.log.entries())


def test_an_incremental_pull_fetches_only_what_changed(github: GitHubSandbox) -> None:
    source = connector(github, project="acme/5")
    first = pull(source, PullRequest(SELECTION))
    github.log.clear()
    with github.state.lock:
        github.state.issues["acme/shop-app#5"].touch(at(40))
    request = PullRequest(
        SELECTION,
        since=at(39),
        known_keys=frozenset(first.members),
        members_swept_at=first.done[0].swept_at,
    )
    again = pull(connector(github, project="acme/5"), request)
    assert list(again.items) == ["acme/shop-app#5"]
    assert again.members == MEMBERS
    searched = [e.params["q"] for e in github.log.entries() if e.path == "/search/issues"]
    assert searched == [f"{SELECTION} is:issue updated:>=2027-02-08T23:55:00Z"]


def test_unchanged_answers_are_read_again_with_if_none_match(github: GitHubSandbox) -> None:
    source = connector(github, project="acme/5")

    asyncio.run(pulls(source, PullRequest(SELECTION), PullRequest(SELECTION)))
    searches = [e for e in github.log.entries() if e.path == "/search/issues"]
    assert [(e.conditional, e.status) for e in searches] == [(False, 200), (True, 304)]


def test_secondary_limits_and_graphql_rate_limits_are_waited_out(
    github: GitHubSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("okrsync.http.sleep", no_sleep)
    github.faults.secondary("/search/issues", retry_after=7)
    github.faults.rate_limited()
    with github.state.lock:
        github.state.budget.reset = int(time.time()) + 30
    pulled = pull(connector(github, project="acme/5"), PullRequest(SELECTION))
    assert pulled.members == MEMBERS
    # The secondary limit's retry-after, and the wait for the hour's reset.
    assert 7.0 in slept and any(28 < s <= 30 for s in slept)
    kinds = [e.fault for e in github.log.entries() if e.fault]
    assert kinds == ["rate_limited", "secondary"]


def test_a_query_github_refuses_names_the_problem(github: GitHubSandbox) -> None:
    from okrsync.errors import QueryError

    with pytest.raises(QueryError, match="cannot be searched"):
        pull(connector(github), PullRequest("repo:acme/nowhere"))


def test_a_wrong_token_is_an_auth_error(github: GitHubSandbox) -> None:
    from okrsync_github import GitHubConnector

    from okrsync.errors import AuthError

    source = GitHubConnector("github", {"url": github.url, "token": "ghp_wrong"})
    with pytest.raises(AuthError, match=r"rejected the credentials.*token is valid"):
        pull(source, PullRequest(SELECTION))


def test_other_fields_a_mapping_reads_are_the_projects_number_fields(
    github: GitHubSandbox,
) -> None:
    project = github.state.project
    assert project is not None
    with github.state.lock:
        project.values[project.items["acme/okrs#1"]]["KR Progress"] = 7.0
    request = PullRequest("repo:acme/okrs", fields=("KR Progress", "Nonesuch"))
    pulled = pull(connector(github, project="acme/5"), request)
    assert pulled.items["acme/okrs#1"].fields == {"KR Progress": 7.0}


def test_a_timeline_longer_than_a_page_is_read_to_its_end(github: GitHubSandbox) -> None:
    from okrsync_github_sandbox.model import Event

    with github.state.lock:
        issue = github.state.issues["acme/shop-app#8"]
        for n in range(150):  # 150 more assignments on A+12, then a close at A+20
            issue.apply(Event("assigned", at(12, n % 24), "ben", "ana", github.state.next_id()))
        issue.apply(Event("closed", at(20), "ben", "COMPLETED", github.state.next_id()))
    pulled = pull(connector(github), PullRequest("repo:acme/shop-app label:bug"))
    assert pulled.items["acme/shop-app#8"].status_category == StatusCategory.DONE
    assert [(c.at, c.to_value) for c in pulled.changes if c.field == "status_category"] == [
        (at(11, 9), "in_progress"),
        (at(20), "done"),
    ]
    queries = [e.graphql_query or "" for e in github.log.entries() if e.graphql_query]
    assert sum("query Timeline" in q for q in queries) == 1  # 151 events: one more page


def test_a_spent_hourly_quota_is_waited_out_until_its_reset(github: GitHubSandbox) -> None:
    reset = int(time.time()) + 2
    with github.state.lock:
        github.state.budget.remaining = 0
        github.state.budget.reset = reset
    pulled = pull(connector(github, project="acme/5"), PullRequest(SELECTION))
    assert pulled.members == MEMBERS
    assert github.log.entries()[0].status == 403
    assert time.time() >= reset  # the sandbox answers again only from the reset on


def test_a_selection_past_githubs_1000_result_cap_is_pulled_whole() -> None:
    from okrsync_github_sandbox import FIXED_ANCHOR, GitHubSandbox, build_dataset

    with GitHubSandbox(build_dataset(FIXED_ANCHOR, extra_issues=1_200)) as github:
        pulled = pull(connector(github), PullRequest("repo:acme/bulk"))
        searches = [e for e in github.log.entries() if e.path == "/search/issues"]
    assert len(pulled.members) == 1_200 and len(pulled.items) == 1_200
    assert sum(i.status_category == StatusCategory.DONE for i in pulled.items.values()) == 400
    assert all(e.status == 200 for e in searches)
    # The first page says 1,200; one more asks for the newest issue; then two halves of
    # 600 issues (created hourly), six pages each.
    assert len(searches) == 1 + 1 + 6 + 6
    ranged = [e.params["q"] for e in searches if "created:" in e.params["q"]]
    assert len(ranged) == 12
