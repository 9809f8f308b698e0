"""The same connector scenarios against both dialects of the sandbox: Jira Cloud (REST v3,
bulk endpoints, ``parent``, ADF) and Jira Data Center (REST v2, offset-paged search with
inline changelogs, Epic Link, wiki markup), over real HTTP on loopback.

Expected values are read off DATASET.md (anchor 2027-01-01); they do not depend on the
dialect, which is the point. Cloud logs in with email + API token; Data Center with the
Personal Access Token alone, so the connector asks ``/serverInfo`` what the site is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from jira_site import FakeTime
from okrsync_jira import JiraConnector
from okrsync_jira.client import JiraClient
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.push import read_target, write_target
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer
from sandbox_pull import pull_all as pull
from sandbox_pull import request_paths as paths
from sandbox_pull import site_settings as settings
from sandbox_pull import utc

from okrsync.connector import PullRequest, PushTarget
from okrsync.errors import AuthError, QueryError, RateLimited
from okrsync.items import Item, ItemType, StatusCategory, TrackedField

pytestmark = pytest.mark.anyio

SHOP = [f"SHOP-{n}" for n in range(100, 117)]
DC_SEARCH = "/rest/api/2/search"
CLOUD_SEARCH = "/rest/api/3/search/jql"
BULKFETCH = "/rest/api/3/issue/bulkfetch"
CHANGELOG = "/rest/api/3/changelog/bulkfetch"
BOARDS = [("GET", "/rest/agile/1.0/board"), ("GET", "/rest/agile/1.0/board/1/sprint")]


@pytest.fixture(params=["cloud", "datacenter"])
def site(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    deployment = "Cloud" if request.param == "cloud" else "Server"
    with SandboxServer(anchor=FIXED_ANCHOR, deployment=deployment) as server:
        yield server


def is_cloud(site: SandboxServer) -> bool:
    return site.state.is_cloud


async def test_full_pull_gives_the_dataset(site: SandboxServer) -> None:
    async with JiraConnector("jira", settings(site)) as jira:
        items, changes, done = await pull(jira, PullRequest(query="project = SHOP"))
        assert jira.client.is_cloud is is_cloud(site)

    assert sorted(done.members) == SHOP
    assert sorted(item.key for item in items) == SHOP
    assert done.cursor == utc(2, 16, 15)  # SHOP-116 done on day 46 at 15:00
    by_key = {item.key: item for item in items}
    assert by_key["SHOP-104"] == Item(
        source="jira",
        key="SHOP-104",
        id="10005",
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
        parent="SHOP-100",  # Cloud's parent; Data Center's Epic Link
        sprints=("1", "2"),
        labels=(),
    )
    assert (by_key["SHOP-107"].type, by_key["SHOP-107"].parent) == (ItemType.SUBTASK, "SHOP-104")
    # The facts of DATASET.md: SHOP-100's nine children, seven done, 24 points done.
    children = sorted(key for key, item in by_key.items() if item.parent == "SHOP-100")
    assert children == [f"SHOP-{n}" for n in (103, 104, 105, 106, 108, 111, 112, 113, 116)]
    done_children = [k for k in children if by_key[k].status_category is StatusCategory.DONE]
    assert len(done_children) == 7
    assert sum(by_key[k].estimate or 0 for k in done_children) == 24

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
    reopened = [
        (c.at, c.to_value) for c in changes if c.key == "SHOP-105" and c.field.value == "status"
    ]
    assert [to for _, to in reopened] == ["In Progress", "Done", "In Progress", "Done"]
    assert len({(c.key, c.change_id, c.field) for c in changes}) == len(changes)
    assert [(s.id, s.state) for s in done.sprints][-2:] == [("5", "active"), ("6", "future")]

    # The minimum for each: Cloud one id page, one bulk fetch and one changelog page;
    # Data Center one search page with the histories inline (after asking what it is).
    if is_cloud(site):
        expected = [("GET", "/rest/api/3/field"), ("GET", "/rest/api/3/status")]
        expected += [("POST", CLOUD_SEARCH), ("POST", BULKFETCH), ("POST", CHANGELOG)]
    else:
        expected = [("GET", "/rest/api/2/serverInfo")]
        expected += [("GET", "/rest/api/2/field"), ("GET", "/rest/api/2/status")]
        expected += [("POST", DC_SEARCH)]
    assert sorted(paths(site)) == sorted(expected + BOARDS)
    assert done.requests == len(expected) + 2


async def test_localized_statuses_and_extra_fields(site: SandboxServer) -> None:
    request = PullRequest(query="project in (PAY, OKR)", fields=("KR Progress",))
    async with JiraConnector("jira", settings(site)) as jira:
        items, changes, _ = await pull(jira, request)
    by_key = {item.key: item for item in items}
    assert (by_key["PAY-2"].status, by_key["PAY-2"].status_category) == (
        "Erledigt",
        StatusCategory.DONE,
    )
    assert [
        (c.from_value, c.to_value)
        for c in changes
        if c.key == "PAY-2" and c.field is TrackedField.STATUS_CATEGORY
    ] == [("todo", "in_progress"), ("in_progress", "done")]
    assert by_key["OKR-8"].fields == {"KR Progress": 40.0}
    progress = [c for c in changes if c.key == "OKR-8"]
    assert progress == [], "KR Progress is not a tracked field"


async def test_incremental_pull_after_one_change(site: SandboxServer) -> None:
    state = site.state
    async with JiraConnector("jira", settings(site, overlap="0s")) as jira:
        items, _, first = await pull(jira, PullRequest(query="project = SHOP"))
        state.clock = lambda: utc(3, 1, 10)
        state.transition("SHOP-114", "Done")
        # One call for both: Cloud records a parent change, Data Center an Epic Link one.
        state.set_field("SHOP-115", "parent", "SHOP-102")
        site.reset_log()
        request = PullRequest(
            query="project = SHOP",
            since=first.cursor,
            known_keys=frozenset(item.key for item in items),
        )
        items, changes, done = await pull(jira, request)

    by_key = {item.key: item for item in items}
    assert sorted(by_key) == ["SHOP-114", "SHOP-115"]
    assert by_key["SHOP-114"].status_category is StatusCategory.DONE
    assert by_key["SHOP-115"].parent == "SHOP-102"
    moved = [(c.at, c.field, c.from_value, c.to_value) for c in changes if c.key == "SHOP-115"]
    assert moved[-1] == (utc(3, 1, 10), TrackedField.PARENT, None, "SHOP-102")
    assert sorted(done.members) == SHOP
    assert done.cursor == utc(3, 1, 10)

    cursor_ms = math.floor(first.cursor.timestamp() * 1000)
    if is_cloud(site):
        searches = [e.body["jql"] for e in site.log.entries("POST", CLOUD_SEARCH)]
        assert sorted(searches) == sorted(
            ["project = SHOP", f"(project = SHOP) AND updated > {cursor_ms}"]
        )
        assert done.requests == 4  # two searches, one bulk fetch, one changelog page
    else:
        searches = sorted(e.body["jql"] for e in site.log.entries("POST", DC_SEARCH))
        order = "ORDER BY created ASC, key ASC"
        assert searches == sorted(
            [f"project = SHOP {order}", f"(project = SHOP) AND updated > {cursor_ms} {order}"]
        )
        assert done.requests == 2  # the members' keys; the changed issues with history
    assert done.requests == len(site.log)


async def test_bad_jql_surfaces_jiras_message(site: SandboxServer) -> None:
    async with JiraConnector("jira", settings(site)) as jira:
        with pytest.raises(QueryError) as raised:
            await pull(jira, PullRequest(query="project = SHOP AND sprintt = 1"))
    assert str(raised.value) == (
        "jira: Jira rejected the query: Field 'sprintt' does not exist or you do not have "
        "permission to view it."
    )


async def test_wrong_credentials_are_an_auth_error(site: SandboxServer) -> None:
    async with JiraConnector("jira", settings(site, token="not-the-token")) as jira:
        with pytest.raises(AuthError) as raised:
            await pull(jira, PullRequest(query="project = SHOP"))
    assert str(raised.value).startswith(f"jira: Jira rejected the credentials for {site.url}")
    assert "not-the-token" not in str(raised.value)
    assert [e.status for e in site.log] == [401]


async def test_rate_limits_are_waited_out(site: SandboxServer, fake_time: FakeTime) -> None:
    async with JiraConnector("jira", settings(site)) as clean:
        expected = await pull(clean, PullRequest(query="project = SHOP"))
    site.reset_log()
    search = CLOUD_SEARCH if is_cloud(site) else DC_SEARCH
    # Data Center answers these with its token-bucket headers and an HTML page.
    site.faults.rate_limit(search, times=2, retry_after=3)

    async with JiraConnector("jira", settings(site)) as jira:
        items, changes, done = await pull(jira, PullRequest(query="project = SHOP"))
        assert jira.client.stats.retries == 2

    assert (items, changes, done.members) == (expected[0], expected[1], expected[2].members)
    assert fake_time.sleeps.count(3.0) == 2  # retry-after, as the site asked
    assert [e.status for e in site.log.entries("POST", search)][:3] == [429, 429, 200]
    assert site.faults.pending() == []


async def test_a_rate_limit_that_does_not_end_explains_itself(site: SandboxServer) -> None:
    search = CLOUD_SEARCH if is_cloud(site) else DC_SEARCH
    site.faults.rate_limit(search, times=20, retry_after=1)
    policy_settings = settings(site, max_attempts=2)
    async with JiraConnector("jira", policy_settings) as jira:
        with pytest.raises(RateLimited) as raised:
            await pull(jira, PullRequest(query="project = SHOP"))
    why = "jira-burst-based" if is_cloud(site) else "it allows 10 requests every 1 s per user"
    assert f"Jira kept rate-limiting POST {search} ({why})" in str(raised.value)
    assert raised.value.retry_after == 1.0


async def test_pages_after_the_first_are_fetched_together(site: SandboxServer) -> None:
    # Five issues a page makes four pages of SHOP's 17. Cloud's id page is one request,
    # its four bulk fetches go together; Data Center's first search page gives the
    # total, and the three other pages go together.
    latency = 0.1
    fetch_path = BULKFETCH if is_cloud(site) else DC_SEARCH
    site.faults.slow(fetch_path, seconds=latency, times=4)
    async with JiraConnector("jira", settings(site, page_size=5)) as jira:
        items, _, done = await pull(jira, PullRequest(query="project = SHOP"))
    assert sorted(item.key for item in items) == SHOP

    fetches = site.log.entries("POST", fetch_path)
    if is_cloud(site):
        together = fetches
        assert sorted(len(e.body["issueIdsOrKeys"]) for e in fetches) == [2, 5, 5, 5]
        minimum = 2 + 1 + 4 + 1  # catalog, id page, bulk fetches, changelog page
    else:
        assert [(e.body["startAt"], e.body["maxResults"]) for e in fetches] == [
            (0, 5),
            (5, 5),
            (10, 5),
            (15, 5),
        ]
        assert all(e.body["expand"] == ["changelog"] for e in fetches)
        together = fetches[1:]
        minimum = 1 + 2 + 4  # serverInfo, catalog, search pages
    assert done.requests == len(site.log) == minimum + 2  # and the board's sprints
    # All were on their way before the first of them was answered: one after the other,
    # they would arrive at least ``latency`` apart.
    arrivals = [e.at for e in together]
    assert max(arrivals) - min(arrivals) < latency


async def test_a_large_data_center_pull_costs_the_minimum() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR, extra_issues=1050, deployment="DataCenter") as big:
        async with JiraConnector("jira", settings(big)) as jira:
            items, changes, done = await pull(jira, PullRequest(query="project = BULK"))
        assert len(done.members) == 1050 == len(items) == len({item.key for item in items})
        searches = big.log.entries("POST", DC_SEARCH)
        assert sorted(e.body["startAt"] for e in searches) == list(range(0, 1050, 100))
        # serverInfo, fields, statuses, 11 search pages, the boards (BULK has none).
        assert done.requests == len(big.log) == 1 + 2 + 11 + 1
        assert changes, "the synthetic issues have histories"
        state = big.state
        epics = [item for item in items if item.type is ItemType.EPIC]
        assert len(epics) == 21  # BULK-1, 51, ..., 1001
        story = next(item for item in items if item.key == "BULK-2")
        assert story.parent == "BULK-1" == state.get("BULK-2").custom["customfield_10014"]


# --- push: the same functions, each deployment's format --------------------------------------


async def test_comment_round_trip_through_the_push_functions(site: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "comment", issue="OKR-12")
    first, second = "Ship one-click: 40%\n\n7 of 9 stories done", "Ship one-click: 45%"
    async with JiraClient.from_mapping(settings(site)) as client:
        catalog = await FieldCatalog.load(client)
        assert client.is_cloud is is_cloud(site)
        assert await read_target(client, catalog, target) is None
        created = await write_target(client, catalog, target, first)
        assert await read_target(client, catalog, target) == first
        site.reset_log()
        await write_target(client, catalog, target, first)
        assert site.writes == []  # the same text: nothing to write
        edited = await write_target(client, catalog, target, second)
        assert await read_target(client, catalog, target) == second
    assert edited.ref == created.ref

    api = "/rest/api/3" if is_cloud(site) else "/rest/api/2"
    assert [(w.method, w.path) for w in site.writes] == [
        ("PUT", f"{api}/issue/OKR-12/comment/{created.ref}")
    ]
    body = site.state.get("OKR-12").comments[-1].body
    if is_cloud(site):
        assert body["type"] == "doc"
    else:
        assert body == (
            "_okrsync · KR ship · kept current by okrsync; edits here are overwritten_"
            "\n\n*Ship one-click: 45%*"
        )


async def test_field_and_property_pushes_use_the_sites_api(site: SandboxServer) -> None:
    field = PushTarget("ship", "jira", "field", issue="OKR-12", field="KR Progress")
    prop = PushTarget("ship", "jira", "property", issue="OKR-12")
    async with JiraClient.from_mapping(settings(site)) as client:
        catalog = await FieldCatalog.load(client)
        await write_target(client, catalog, field, 42.5)
        await write_target(client, catalog, prop, {"score": 0.6})
        assert await read_target(client, catalog, field) == 42.5
        assert await read_target(client, catalog, prop) == {"score": 0.6}
    api = "/rest/api/3" if is_cloud(site) else "/rest/api/2"
    assert [(w.method, w.path) for w in site.writes] == [
        ("PUT", f"{api}/issue/OKR-12"),
        ("PUT", f"{api}/issue/OKR-12/properties/okrsync"),
    ]
    assert site.state.get("OKR-12").custom["customfield_10100"] == 42.5


async def test_create_finds_its_issue_again_instead_of_creating_a_second(
    site: SandboxServer,
) -> None:
    target = PushTarget("ship", "jira", "create", create={"project": "OKR", "type": "Key Result"})
    spec = {"summary": "KR: Ship it", "description": "Owned by okrsync."}
    async with JiraClient.from_mapping(settings(site)) as client:
        catalog = await FieldCatalog.load(client)
        assert await read_target(client, catalog, target) is None
        created = await write_target(client, catalog, target, spec)
        assert await read_target(client, catalog, target) == created.issue
        again = await write_target(client, catalog, target, spec)
    assert again.issue == created.issue == "OKR-13"
    issue = site.state.get("OKR-13")
    assert issue.labels == ["okrsync-kr-ship"]
    # Cloud takes the description as ADF, Data Center as a string.
    assert isinstance(issue.description, dict if is_cloud(site) else str)
    creates = [w.path for w in site.writes]
    assert creates == ["/rest/api/3/issue" if is_cloud(site) else "/rest/api/2/issue"]
