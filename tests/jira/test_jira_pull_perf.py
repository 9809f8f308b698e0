"""How few requests an incremental pull makes, and what it must still notice.

Over real HTTP against the sandbox. The query is ``project = SHOP AND labels =
checkout``: an issue leaves it when its label is removed (an edit, which bumps its
``updated``), and joins it without being updated when the label is added behind Jira's
back (standing in for a sprint that starts, or a filter whose meaning changes). The
members were last listed an hour ago unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from okrsync_jira import JiraConnector
from okrsync_jira.pull import SWEEP_MAX_AGE
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer
from sandbox_pull import pull_all, site_settings

from okrsync.connector import PullRequest

pytestmark = pytest.mark.anyio

QUERY = "project = SHOP AND labels = checkout"
SEARCH = "/rest/api/3/search/jql"
COUNT = "/rest/api/3/search/approximate-count"
BULKFETCH = "/rest/api/3/issue/bulkfetch"
CHANGELOG = "/rest/api/3/changelog/bulkfetch"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(anchor=FIXED_ANCHOR) as server:
        yield server


def settings(sandbox: SandboxServer) -> dict[str, Any]:
    return site_settings(sandbox, overlap="0s")


def checkout_keys(sandbox: SandboxServer) -> list[str]:
    return sorted(i.key for i in sandbox.state.by_project["SHOP"] if "checkout" in i.labels)


def requests(sandbox: SandboxServer) -> list[str]:
    return [entry.path for entry in sandbox.log]


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


async def first_pull(jira: JiraConnector, sandbox: SandboxServer) -> tuple[frozenset[str], Any]:
    before = datetime.now(UTC)
    items, _, done = await pull_all(jira, PullRequest(query=QUERY))
    # A full pull lists every member, and says when it began to.
    assert done.swept_at is not None and before <= done.swept_at <= datetime.now(UTC)
    assert sorted(done.members) == checkout_keys(sandbox) == sorted(i.key for i in items)
    return frozenset(done.members), done.cursor


def later(sandbox: SandboxServer) -> None:
    sandbox.state.clock = lambda: datetime(2027, 3, 1, 10, tzinfo=UTC)


def join_unseen(sandbox: SandboxServer, key: str) -> None:
    """The issue starts matching the query without its ``updated`` moving."""
    sandbox.state.get(key).labels.append("checkout")
    sandbox.state.touch()


async def test_when_the_count_agrees_the_members_are_not_listed(sandbox: SandboxServer) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        later(sandbox)
        changed = sorted(known)[0]
        sandbox.state.transition(changed, "In Progress")
        created = sandbox.state.add_issue(
            "SHOP", "Story", "Pay later", fields={"labels": ["checkout"]}
        )
        sandbox.reset_log()

        request = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=hours_ago(1)
        )
        items, _, done = await pull_all(jira, request)

    assert sorted(item.key for item in items) == sorted([changed, created.key])
    assert sorted(done.members) == sorted([*known, created.key]) == checkout_keys(sandbox)
    # One count instead of a listing of the members; the changed issues in one search,
    # one bulk fetch and one changelog page (the catalog and sprints are cached).
    assert sorted(requests(sandbox)) == sorted([COUNT, SEARCH, BULKFETCH, CHANGELOG])
    assert [e.body["jql"] for e in sandbox.log.entries("POST", COUNT)] == [QUERY]
    assert done.swept_at is None
    assert done.requests == 4


async def test_nothing_changed_costs_two_requests(sandbox: SandboxServer) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        sandbox.reset_log()
        request = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=hours_ago(1)
        )
        items, _, done = await pull_all(jira, request)
    assert items == []
    assert sorted(done.members) == sorted(known)
    assert sorted(requests(sandbox)) == sorted([COUNT, SEARCH])


async def test_a_member_that_left_lowers_the_count_and_the_members_are_listed(
    sandbox: SandboxServer,
) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        later(sandbox)
        gone = sorted(known)[-1]
        sandbox.state.set_field(gone, "labels", [])
        sandbox.reset_log()
        started = datetime.now(UTC)

        request = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=hours_ago(1)
        )
        items, _, done = await pull_all(jira, request)

    assert items == []  # the issue that left is not fetched: it is no member any more
    assert sorted(done.members) == sorted(known - {gone}) == checkout_keys(sandbox)
    # The count came first; the listing after it disagreed.
    assert requests(sandbox).count(COUNT) == 1
    assert requests(sandbox).count(SEARCH) == 2
    assert done.swept_at is not None and done.swept_at >= started


async def test_a_member_that_joined_unseen_raises_the_count_and_is_fetched(
    sandbox: SandboxServer,
) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        joined = next(i.key for i in sandbox.state.by_project["SHOP"] if i.key not in known)
        join_unseen(sandbox, joined)
        sandbox.reset_log()

        request = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=hours_ago(1)
        )
        items, _, done = await pull_all(jira, request)

    # Not changed since the cursor, yet new to okrsync: fetched in full.
    assert [item.key for item in items] == [joined]
    assert sorted(done.members) == sorted([*known, joined]) == checkout_keys(sandbox)
    assert done.swept_at is not None


async def test_a_departure_and_an_unseen_arrival_cancel_out_until_the_listing_is_due(
    sandbox: SandboxServer,
) -> None:
    """The one case the count cannot see; the age bound limits how long it lasts."""
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        later(sandbox)
        gone = sorted(known)[-1]
        joined = next(i.key for i in sandbox.state.by_project["SHOP"] if i.key not in known)
        sandbox.state.set_field(gone, "labels", [])
        join_unseen(sandbox, joined)

        recent = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=hours_ago(1)
        )
        _, _, missed = await pull_all(jira, recent)
        assert sorted(missed.members) == sorted(known)  # stale: the count matched
        assert missed.swept_at is None

        sandbox.reset_log()
        due = PullRequest(
            query=QUERY,
            since=missed.cursor,
            known_keys=known,
            members_swept_at=datetime.now(UTC) - SWEEP_MAX_AGE - timedelta(minutes=1),
        )
        items, _, done = await pull_all(jira, due)

    assert COUNT not in requests(sandbox)  # due: listed without asking for a count
    assert [item.key for item in items] == [joined]
    assert sorted(done.members) == sorted(known - {gone} | {joined}) == checkout_keys(sandbox)
    assert done.swept_at is not None


@pytest.mark.parametrize(
    "swept_at",
    [
        None,  # never recorded
        datetime.now(UTC) - SWEEP_MAX_AGE - timedelta(hours=1),  # due
        datetime.now(UTC) + timedelta(hours=2),  # recorded by a clock that runs ahead
    ],
)
async def test_without_a_recent_listing_the_members_are_listed_without_a_count(
    sandbox: SandboxServer, swept_at: datetime | None
) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        sandbox.reset_log()
        request = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=swept_at
        )
        _, _, done = await pull_all(jira, request)
    assert sorted(requests(sandbox)) == [SEARCH, SEARCH]
    assert done.swept_at is not None


async def test_a_site_without_a_count_lists_the_members(sandbox: SandboxServer) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        known, cursor = await first_pull(jira, sandbox)
        sandbox.reset_log()
        sandbox.faults.server_error(COUNT, times=1, status=404)
        request = PullRequest(
            query=QUERY, since=cursor, known_keys=known, members_swept_at=hours_ago(1)
        )
        _, _, done = await pull_all(jira, request)
    assert sorted(requests(sandbox)) == sorted([COUNT, SEARCH, SEARCH])
    assert sorted(done.members) == sorted(known)
    assert done.swept_at is not None


async def test_a_full_pull_fetches_while_it_still_lists_the_members(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Id pages of 100 for 1,250 issues: the first group of 1,000 is complete with the
    tenth of 13 pages, and its fetching does not wait for the last ones."""
    import okrsync_jira.search

    monkeypatch.setattr(okrsync_jira.search, "KEYS_PAGE_SIZE", 100)
    sandbox.stop()
    with SandboxServer(anchor=FIXED_ANCHOR, extra_issues=1250) as big:
        async with JiraConnector("jira", settings(big)) as jira:
            items, _, done = await pull_all(jira, PullRequest(query="project = BULK"))
        order = [entry.path for entry in big.log]
    assert len(items) == len({item.key for item in items}) == len(done.members) == 1250
    assert order.count(SEARCH) == 13
    last_page = len(order) - 1 - order[::-1].index(SEARCH)
    assert order.index(BULKFETCH) < last_page
    assert order.index(CHANGELOG) < last_page


async def test_changelog_pages_shorter_than_asked_for_are_followed(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site may return fewer histories than ``maxResults`` asks for: okrsync follows
    ``nextPageToken`` and ends up with the same history."""
    import okrsync_sandbox.api_bulk

    async with JiraConnector("jira", settings(sandbox)) as jira:
        whole = await pull_changes(jira)
        monkeypatch.setattr(okrsync_sandbox.api_bulk, "CHANGELOG_PAGE_CAP", 7)
        sandbox.reset_log()
        paged = await pull_changes(jira)

    tracked = {"status", "parent", "customfield_10014", "customfield_10016", "customfield_10020"}
    histories = sum(
        1
        for issue in sandbox.state.by_project["SHOP"]
        for history in issue.histories
        if any(item.field_id in tracked for item in history.items)
    )
    asked = sandbox.log.entries("POST", CHANGELOG)
    assert all(entry.body["maxResults"] == 10000 for entry in asked)
    assert len(asked) == -(-histories // 7) > 1  # 7 histories a page, rounded up
    assert [bool(entry.body.get("nextPageToken")) for entry in asked][1:] == [True] * (
        len(asked) - 1
    )
    assert paged == whole


async def pull_changes(jira: JiraConnector) -> list[Any]:
    _, changes, _ = await pull_all(jira, PullRequest(query="project = SHOP"))
    return changes
