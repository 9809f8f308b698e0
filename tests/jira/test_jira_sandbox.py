"""The Jira connector's pull against the sandbox, over real HTTP on loopback.

Expected values are read off the seeded dataset (okrsync_sandbox/dataset.py, anchor
2027-01-01): SHOP holds SHOP-100..SHOP-116; SHOP-104 "One-click button on product page"
was created on day -17, sprinted into sprint 1, started, carried into sprint 2, re-
estimated 5 → 8, reviewed and done on day 9.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import pytest
from jira_site import FakeTime
from okrsync_jira import JiraConnector
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer
from sandbox_pull import pull_all as pull
from sandbox_pull import request_paths as paths
from sandbox_pull import site_settings as settings
from sandbox_pull import utc

from okrsync.connector import PullRequest
from okrsync.errors import AuthError, ServerError
from okrsync.items import Item, ItemType, StatusCategory, TrackedField

pytestmark = pytest.mark.anyio

SHOP = [f"SHOP-{n}" for n in range(100, 117)]
SEARCH = "/rest/api/3/search/jql"
BULKFETCH = "/rest/api/3/issue/bulkfetch"
CHANGELOG = "/rest/api/3/changelog/bulkfetch"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(anchor=FIXED_ANCHOR) as server:
        yield server


async def test_full_pull_of_a_project(sandbox: SandboxServer) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, changes, done = await pull(jira, PullRequest(query="project = SHOP"))

    assert sorted(done.members) == SHOP
    assert sorted(item.key for item in items) == SHOP
    assert done.cursor == utc(2, 16, 15)  # SHOP-116 done on day 46 at 15:00

    by_key = {item.key: item for item in items}
    assert by_key["SHOP-104"] == Item(
        source="jira",
        key="SHOP-104",
        id=str(sandbox.state.get("SHOP-104").id),
        project="SHOP",
        type=ItemType.STORY,
        type_name="Story",
        summary="One-click button on product page",
        status="Done",
        status_category=StatusCategory.DONE,
        created=utc(12, 15, 10, year=2026),
        updated=utc(1, 10, 14),
        resolved=utc(1, 10, 14),
        estimate=8.0,
        parent="SHOP-100",
        sprints=("1", "2"),
        labels=(),
    )
    assert by_key["SHOP-107"].type is ItemType.SUBTASK
    assert by_key["SHOP-107"].parent == "SHOP-104"
    assert by_key["SHOP-100"].type is ItemType.EPIC
    assert by_key["SHOP-101"].type is ItemType.BUG

    history = [(c.at, c.field, c.from_value, c.to_value) for c in changes if c.key == "SHOP-104"]
    assert history == [
        (utc(12, 17, 16, year=2026), TrackedField.SPRINT, None, "1"),
        (utc(12, 27, 10, year=2026), TrackedField.STATUS, "To Do", "In Progress"),
        (utc(12, 27, 10, year=2026), TrackedField.STATUS_CATEGORY, "todo", "in_progress"),
        (utc(1, 1, 8), TrackedField.SPRINT, "1", "1,2"),
        (utc(1, 4, 11), TrackedField.ESTIMATE, "5.0", "8.0"),
        (utc(1, 8, 10), TrackedField.STATUS, "In Progress", "In Review"),
        (utc(1, 10, 14), TrackedField.STATUS, "In Review", "Done"),
        (utc(1, 10, 14), TrackedField.STATUS_CATEGORY, "in_progress", "done"),
    ]
    # Every change names a changelog history, so re-reading is an idempotent upsert.
    assert all(c.change_id for c in changes)
    assert len({(c.key, c.change_id, c.field) for c in changes}) == len(changes)

    # Board 1 (SHOP, scrum) has sprints 1-6: four closed, one active, one future.
    assert [(s.id, s.state) for s in done.sprints] == [
        ("1", "closed"),
        ("2", "closed"),
        ("3", "closed"),
        ("4", "closed"),
        ("5", "active"),
        ("6", "future"),
    ]
    assert done.sprints[0].completed == utc(1, 1, 8)

    # The minimum: fields + statuses, one id page, one bulk fetch, one changelog page,
    # the project's boards and the one scrum board's sprints.
    assert sorted(paths(sandbox)) == sorted(
        [
            ("GET", "/rest/api/3/field"),
            ("GET", "/rest/api/3/status"),
            ("POST", SEARCH),
            ("POST", BULKFETCH),
            ("POST", CHANGELOG),
            ("GET", "/rest/agile/1.0/board"),
            ("GET", "/rest/agile/1.0/board/1/sprint"),
        ]
    )
    assert done.requests == 7


async def test_localized_statuses_use_categories(sandbox: SandboxServer) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, changes, _ = await pull(jira, PullRequest(query="project = PAY"))
    pay2 = next(item for item in items if item.key == "PAY-2")
    assert (pay2.status, pay2.status_category) == ("Erledigt", StatusCategory.DONE)
    categories = [
        (c.from_value, c.to_value)
        for c in changes
        if c.key == "PAY-2" and c.field is TrackedField.STATUS_CATEGORY
    ]
    assert categories == [("todo", "in_progress"), ("in_progress", "done")]


async def test_extra_fields_are_read_by_the_name_the_mapping_used(
    sandbox: SandboxServer,
) -> None:
    request = PullRequest(query="project = OKR", fields=("KR Progress", "team confidence"))
    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, _, done = await pull(jira, request)
    okr8 = next(item for item in items if item.key == "OKR-8")
    assert okr8.fields == {"KR Progress": 40.0, "team confidence": 0.7}
    assert okr8.type is ItemType.OTHER and okr8.type_name == "Key Result"
    # OKR's only board is a kanban board: no sprints, and no request for them.
    assert done.sprints == []
    assert ("GET", "/rest/agile/1.0/board/3/sprint") not in paths(sandbox)


async def test_incremental_pull_fetches_only_the_changed_issue(sandbox: SandboxServer) -> None:
    state = sandbox.state
    async with JiraConnector("jira", settings(sandbox, overlap="0s")) as jira:
        items, _, first = await pull(jira, PullRequest(query="project = SHOP ORDER BY rank"))
        state.clock = lambda: utc(3, 1, 10)
        state.transition("SHOP-114", "Done")
        sandbox.reset_log()

        request = PullRequest(
            query="project = SHOP ORDER BY rank",
            since=first.cursor,
            known_keys=frozenset(item.key for item in items),
        )
        items, changes, done = await pull(jira, request)

    assert [item.key for item in items] == ["SHOP-114"]
    assert items[0].status_category is StatusCategory.DONE
    assert (changes[-1].at, changes[-1].field, changes[-1].to_value) == (
        utc(3, 1, 10),
        TrackedField.STATUS_CATEGORY,
        "done",
    )
    assert sorted(done.members) == SHOP
    assert done.cursor == utc(3, 1, 10)

    searches = [entry.body["jql"] for entry in sandbox.log.entries("POST", SEARCH)]
    cursor_ms = math.floor(first.cursor.timestamp() * 1000)
    changed = f"(project = SHOP) AND updated > {cursor_ms} ORDER BY rank"
    assert sorted(searches) == sorted(["project = SHOP ORDER BY rank", changed])
    shop114 = str(state.get("SHOP-114").id)
    assert [e.body["issueIdsOrKeys"] for e in sandbox.log.entries("POST", BULKFETCH)] == [[shop114]]
    assert [e.body["issueIdsOrKeys"] for e in sandbox.log.entries("POST", CHANGELOG)] == [[shop114]]
    # The catalog and the sprints were read by the first pull of this connector.
    assert len(sandbox.log) == 4
    assert done.requests == 4


async def test_incremental_pull_with_nothing_changed_fetches_nothing(
    sandbox: SandboxServer,
) -> None:
    async with JiraConnector("jira", settings(sandbox, overlap="0s")) as jira:
        items, _, first = await pull(jira, PullRequest(query="project = SHOP"))
        sandbox.reset_log()
        request = PullRequest(
            query="project = SHOP",
            since=first.cursor,
            known_keys=frozenset(item.key for item in items),
        )
        items, changes, done = await pull(jira, request)
    assert (items, changes) == ([], [])
    assert done.cursor == first.cursor
    assert [entry.path for entry in sandbox.log] == [SEARCH, SEARCH]


async def test_incremental_pull_in_a_new_run_costs_a_handful(sandbox: SandboxServer) -> None:
    """A scheduled run builds a new connector: the catalog and sprints are read again,
    and the default overlap re-reads the issue that set the cursor."""
    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, _, first = await pull(jira, PullRequest(query="project = SHOP"))
    sandbox.state.clock = lambda: utc(3, 1, 10)
    sandbox.state.transition("SHOP-114", "Done")
    sandbox.state.add_issue("SHOP", "Story", "Apple Pay", created=utc(3, 1, 11))
    sandbox.reset_log()

    request = PullRequest(
        query="project = SHOP",
        since=first.cursor,
        known_keys=frozenset(item.key for item in items),
    )
    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, _, done = await pull(jira, request)
    # SHOP-116 set the first cursor and falls inside the 5-minute overlap.
    assert sorted(item.key for item in items) == ["SHOP-114", "SHOP-116", "SHOP-117"]
    assert sorted(done.members) == [*SHOP, "SHOP-117"]
    assert done.requests == len(sandbox.log) == 8
    assert len(sandbox.log.entries("POST", BULKFETCH)) == 1


async def test_a_member_not_stored_yet_is_fetched_even_if_unchanged(
    sandbox: SandboxServer,
) -> None:
    async with JiraConnector("jira", settings(sandbox, overlap="0s")) as jira:
        items, _, first = await pull(jira, PullRequest(query="project = SHOP"))
        sandbox.reset_log()
        known = frozenset(item.key for item in items) - {"SHOP-101"}
        request = PullRequest(query="project = SHOP", since=first.cursor, known_keys=known)
        items, _, _ = await pull(jira, request)
    assert [item.key for item in items] == ["SHOP-101"]


async def test_wrong_credentials_are_an_auth_error(sandbox: SandboxServer) -> None:
    async with JiraConnector("jira", settings(sandbox, token="not-the-token")) as jira:
        with pytest.raises(AuthError) as raised:
            await pull(jira, PullRequest(query="project = SHOP"))
    assert str(raised.value) == (
        f"jira: Jira rejected the credentials for {sandbox.url}: check email and API token "
        "(Cloud) or the personal access token (Data Center)"
    )
    assert "not-the-token" not in str(raised.value)


async def test_faults_are_retried_and_nothing_is_lost(
    sandbox: SandboxServer, fake_time: FakeTime
) -> None:
    async with JiraConnector("jira", settings(sandbox)) as clean:
        expected = await pull(clean, PullRequest(query="project = SHOP"))
    sandbox.reset_log()
    sandbox.faults.rate_limit(SEARCH, times=2, retry_after=None)
    sandbox.faults.rate_limit(BULKFETCH, times=1, retry_after=0)
    sandbox.faults.rate_limit("/rest/api/3/status", times=1, retry_after=2)
    sandbox.faults.server_error(CHANGELOG, times=2, status=503)
    sandbox.faults.drop("/rest/agile/1.0/board", times=1)

    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, changes, done = await pull(jira, PullRequest(query="project = SHOP"))
        assert jira.client.stats.retries == 7

    assert sandbox.faults.pending() == []
    assert (items, changes, done.members) == (expected[0], expected[1], expected[2].members)
    # Seven retry waits (2 s as asked for the status list), plus the pauses other
    # requests took when a 429 said the site was near its limit.
    assert 2.0 in fake_time.sleeps
    assert len(fake_time.sleeps) >= 7
    assert [e.status for e in sandbox.log.entries("POST", SEARCH)] == [429, 429, 200]
    assert [e.status for e in sandbox.log.entries("POST", CHANGELOG)] == [503, 503, 200]
    boards = [e.status for e in sandbox.log if e.path == "/rest/agile/1.0/board"]
    assert boards == [None, 200]
    # The run record counts what okrsync asked for; the retries are in the stats.
    assert done.requests == 7


async def test_an_issue_jira_cannot_serve_twice_is_a_server_error(
    sandbox: SandboxServer,
) -> None:
    sandbox.state.bulkfetch_failures.add("SHOP-105")
    async with JiraConnector("jira", settings(sandbox)) as jira:
        with pytest.raises(ServerError, match=r"could not return 1 issue\(s\)"):
            await pull(jira, PullRequest(query="project = SHOP"))
    retried = sandbox.log.entries("POST", BULKFETCH)[-1]
    assert retried.body["issueIdsOrKeys"] == [str(sandbox.state.get("SHOP-105").id)]


async def test_a_large_pull_costs_the_minimum(sandbox: SandboxServer) -> None:
    # Not the default fixture: 1,050 synthetic issues in project BULK, so two changelog
    # groups and a partial bulk fetch.
    sandbox.stop()
    with SandboxServer(anchor=FIXED_ANCHOR, extra_issues=1050) as big:
        async with JiraConnector("jira", settings(big)) as jira:
            items, changes, done = await pull(jira, PullRequest(query="project = BULK"))
        state = big.state
        count = len(done.members)
        assert count == 1050 == len(items) == len({item.key for item in items})

        tracked = {"status", "parent", *(f"customfield_100{n}" for n in (14, 16, 20))}
        groups = [done.members[i : i + 1000] for i in range(0, count, 1000)]
        changelog_pages = sum(
            max(
                1,
                math.ceil(
                    sum(
                        1
                        for key in group
                        for h in state.get(key).histories
                        if any(item.field_id in tracked for item in h.items)
                    )
                    / 10000  # histories a page holds: the maxResults okrsync asks for
                ),
            )
            for group in groups
        )
        assert len(big.log.entries("POST", SEARCH)) == math.ceil(count / 5000) == 1
        assert len(big.log.entries("POST", BULKFETCH)) == math.ceil(count / 100) == 11
        assert len(big.log.entries("POST", CHANGELOG)) == changelog_pages
        assert done.requests == len(big.log)
        # BULK has no board: one request finds that out.
        assert [e.path for e in big.log if "/agile/" in e.path] == ["/rest/agile/1.0/board"]
        assert len(big.log) == 2 + 1 + 11 + changelog_pages + 1
        assert changes, "the synthetic issues have histories"
        newest = max(item.updated for item in items)
        assert done.cursor == newest
        assert newest - min(item.created for item in items) > timedelta(days=1)


async def test_a_site_without_boards_still_pulls_its_issues(sandbox: SandboxServer) -> None:
    # Jira Software missing or boards hidden: the agile API answers 404.
    sandbox.faults.server_error("/rest/agile/1.0/board", times=1, status=404)
    async with JiraConnector("jira", settings(sandbox)) as jira:
        items, _, done = await pull(jira, PullRequest(query="project = SHOP"))
    assert len(items) == 17
    assert done.sprints == []
