"""A Cloud site without ``/issue/bulkfetch`` or ``/changelog/bulkfetch`` (an older site,
or a partial reimplementation of Jira's API): the pull reads the same data through a
search by id and each issue's own changelog (``okrsync_jira.fallback``).

Over real HTTP against the sandbox, whose ``absent_apis`` make it answer those paths
404 ``null for uri`` as such a site does. Each comparison pulls the same site twice,
with every API and without some, so the data cannot differ. Two small tests at the end
stand in a made-up site (respx) for answers the sandbox never gives: 405, and a JSON
404 from bulkfetch.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from jira_site import SITE
from okrsync_jira import JiraConnector
from okrsync_jira.client import JiraClient
from okrsync_jira.errors import NoSuchApi
from okrsync_jira.pull import fetch_issues
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer, SandboxState
from sandbox_pull import pull_all, site_settings

from okrsync.connector import PullDone, PullRequest
from okrsync.errors import NotFound
from okrsync.items import Change, Item, TrackedField

pytestmark = pytest.mark.anyio

SEARCH = "/rest/api/3/search/jql"
COUNT = "/rest/api/3/search/approximate-count"
BULKFETCH = "/rest/api/3/issue/bulkfetch"
CHANGELOG = "/rest/api/3/changelog/bulkfetch"
ISSUE_CHANGELOG = "/rest/api/3/issue/{key}/changelog"
SEEDED = "project in (SHOP, PAY, OKR)"
SHOP = [f"SHOP-{n}" for n in range(100, 117)]
# Chunks of 100 issues fetched at once for one group of 1,000 (the default page size).
CHUNKS_PER_GROUP = 10


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(anchor=FIXED_ANCHOR) as server:
        yield server


Pulled = tuple[list[Item], list[Change], PullDone]


async def pull(site: SandboxServer, query: str) -> Pulled:
    """A full pull by a new connector (which knows nothing about the site yet)."""
    async with JiraConnector("jira", site_settings(site)) as jira:
        return await pull_all(jira, PullRequest(query=query))


def same_data(one: Pulled, other: Pulled) -> None:
    """Two pulls of one site brought the same items, changes and members."""
    assert sorted(one[0], key=lambda i: i.key) == sorted(other[0], key=lambda i: i.key)

    def order(change: Change) -> tuple[str, str, str]:
        return (change.key, change.change_id or "", change.field.value)

    assert sorted(one[1], key=order) == sorted(other[1], key=order)
    assert sorted(one[2].members) == sorted(other[2].members)
    assert one[2].cursor == other[2].cursor


def id_searches(site: SandboxServer) -> list[str]:
    """The JQL of the searches by id (the fallback's), in order."""
    return [
        e.body["jql"]
        for e in site.log.entries("POST", SEARCH)
        if e.body["jql"].startswith("id in (")
    ]


def issue_changelogs(site: SandboxServer) -> list[tuple[str, str]]:
    """(path, startAt) of every request for one issue's changelog."""
    return [
        (e.path, e.params.get("startAt", "0"))
        for e in site.log.entries("GET", "/rest/api/3/issue/")
        if e.path.endswith("/changelog")
    ]


def fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "okrsync_jira.fallback" and r.levelno == logging.WARNING
    ]


def delete_issue(state: SandboxState, key: str) -> int:
    """Delete an issue (without parent or children) behind the client's back."""
    with state.lock:
        issue = state.get(key)
        del state.issues_by_id[issue.id]
        del state.issues_by_key[issue.key]
        state.by_project[issue.project.key].remove(issue)
        state.touch()
    return issue.id


# --- the sandbox plays such a site -------------------------------------------------------------


def test_the_sandbox_answers_an_absent_api_as_a_path_nothing_serves(
    sandbox: SandboxServer,
) -> None:
    sandbox.absent_apis = {BULKFETCH, ISSUE_CHANGELOG}
    with httpx.Client(base_url=sandbox.url, auth=sandbox.auth) as http:
        bulk = http.post(BULKFETCH, json={"issueIdsOrKeys": ["SHOP-100"]})
        history = http.get("/rest/api/3/issue/SHOP-100/changelog")
        issue = http.get("/rest/api/3/issue/SHOP-100")
        changelogs = http.post(CHANGELOG, json={"issueIdsOrKeys": ["SHOP-100"]})
    assert bulk.status_code == history.status_code == 404
    assert bulk.json()["errorMessages"] == [f"null for uri: {sandbox.url}{BULKFETCH}"]
    assert "null for uri" in history.json()["errorMessages"][0]
    # The placeholder stands for one segment; paths beside the absent ones are served.
    assert issue.status_code == changelogs.status_code == 200
    sandbox.absent_apis = set()
    with httpx.Client(base_url=sandbox.url, auth=sandbox.auth) as http:
        assert http.post(BULKFETCH, json={"issueIdsOrKeys": ["SHOP-100"]}).status_code == 200


# --- pulls -----------------------------------------------------------------------------------


async def test_without_issue_bulkfetch_issues_are_searched_by_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 4,500 synthetic issues: five groups of 1,000, so some groups start only after the
    # site was found to lack bulkfetch.
    with SandboxServer(anchor=FIXED_ANCHOR, extra_issues=4500) as site:
        normal = await pull(site, "project = BULK")
        site.reset_log()
        site.absent_apis = {BULKFETCH}
        without = await pull(site, "project = BULK")

        same_data(without, normal)
        assert len(without[0]) == 4500
        chunks = math.ceil(4500 / 100)
        # Every chunk searched by id once, 100 ids a search, in a search of its own.
        searched = id_searches(site)
        assert len(searched) == chunks == 45
        assert sum(jql.count(",") + 1 for jql in searched) == 4500
        # The 404s: the chunks already under way when the first 404 came back. The
        # pull works on one group while the next two are started (``ahead``, one group
        # ahead plus the one waiting to be queued), so at worst all chunks of three
        # groups; a chunk started after the first 404 goes straight to the search.
        refused = site.log.entries("POST", BULKFETCH)
        assert {e.status for e in refused} == {404}
        assert CHUNKS_PER_GROUP <= len(refused) <= 3 * CHUNKS_PER_GROUP < chunks
        # The changelogs still come in bulk.
        assert {e.status for e in site.log.entries("POST", CHANGELOG)} == {200}
        assert issue_changelogs(site) == []
    assert fallback_warnings(caplog) == [
        "jira: the Jira site has no /rest/api/3/issue/bulkfetch; okrsync searches for the "
        "issues by id instead, so a pull takes more requests"
    ]


async def test_without_changelog_bulkfetch_each_issue_is_read_on_its_own(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    # SHOP-115 gets 120 more histories: with its seeded one, two pages of 100.
    long_lived = sandbox.state.get("SHOP-115")
    start = datetime(2027, 3, 1, tzinfo=UTC)
    for n in range(120):
        status = "In Progress" if n % 2 == 0 else "To Do"
        sandbox.state.transition("SHOP-115", status, at=start + timedelta(minutes=n))
    assert len(long_lived.histories) == 121

    normal = await pull(sandbox, SEEDED)
    sandbox.reset_log()
    sandbox.absent_apis = {CHANGELOG}
    without = await pull(sandbox, SEEDED)

    same_data(without, normal)
    statuses = [c for c in without[1] if c.key == "SHOP-115" and c.field is TrackedField.STATUS]
    assert len(statuses) == 120  # the second page was read
    # One changelog per issue; SHOP-115's in two pages.
    issues = sorted(without[0], key=lambda item: item.key)
    expected = [(f"/rest/api/3/issue/{item.id}/changelog", "0") for item in issues]
    expected.append((f"/rest/api/3/issue/{long_lived.id}/changelog", "100"))
    assert sorted(issue_changelogs(sandbox)) == sorted(expected)
    assert len(expected) == len(issues) + 1 == 37
    # One group of fewer than 1,000 issues: one 404, and bulkfetch as usual.
    assert [e.status for e in sandbox.log.entries("POST", CHANGELOG)] == [404]
    assert {e.status for e in sandbox.log.entries("POST", BULKFETCH)} == {200}
    assert id_searches(sandbox) == []
    assert len(fallback_warnings(caplog)) == 1
    assert CHANGELOG in fallback_warnings(caplog)[0]


async def test_without_either_bulk_endpoint(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    normal = await pull(sandbox, "project = SHOP")
    sandbox.reset_log()
    sandbox.absent_apis = {BULKFETCH, CHANGELOG}
    without = await pull(sandbox, "project = SHOP")

    same_data(without, normal)
    assert sorted(item.key for item in without[0]) == SHOP
    ids = sorted(str(sandbox.state.get(key).id) for key in SHOP)
    # One chunk, one group: each bulk endpoint refused once, then the fallbacks.
    assert [e.status for e in sandbox.log.entries("POST", BULKFETCH)] == [404]
    assert [e.status for e in sandbox.log.entries("POST", CHANGELOG)] == [404]
    [searched] = id_searches(sandbox)
    assert sorted(searched.removeprefix("id in (").removesuffix(")").split(", ")) == ids
    assert sorted(path for path, _ in issue_changelogs(sandbox)) == sorted(
        f"/rest/api/3/issue/{i}/changelog" for i in ids
    )
    # Fields asked of the search are those bulkfetch was asked for.
    search = next(e for e in sandbox.log.entries("POST", SEARCH) if e.body.get("maxResults") == 100)
    assert search.body["fields"] and "summary" in search.body["fields"]
    assert len(fallback_warnings(caplog)) == 2
    # The catalog, the listing, the three above, 17 changelogs, the boards and sprints.
    assert without[2].requests == len(sandbox.log) == 2 + 1 + 3 + 17 + 2


async def test_an_incremental_pull_goes_straight_to_the_fallbacks(sandbox: SandboxServer) -> None:
    sandbox.absent_apis = {BULKFETCH, CHANGELOG}
    settings = site_settings(sandbox, overlap="0s")
    async with JiraConnector("jira", settings) as jira:
        _, _, first = await pull_all(jira, PullRequest(query="project = SHOP"))
        sandbox.state.clock = lambda: datetime(2027, 3, 1, 10, tzinfo=UTC)
        sandbox.state.transition("SHOP-113", "In Progress")
        sandbox.reset_log()
        request = PullRequest(
            query="project = SHOP",
            since=first.cursor,
            known_keys=frozenset(first.members),
            members_swept_at=datetime.now(UTC) - timedelta(hours=1),
        )
        items, changes, done = await pull_all(jira, request)

    assert [item.key for item in items] == ["SHOP-113"]
    assert items[0].status == "In Progress"
    assert changes[-1].field is TrackedField.STATUS_CATEGORY
    assert changes[-1].at == datetime(2027, 3, 1, 10, tzinfo=UTC)
    assert sorted(done.members) == SHOP
    assert done.cursor == datetime(2027, 3, 1, 10, tzinfo=UTC)
    shop113 = sandbox.state.get("SHOP-113").id
    # The connector remembers: no bulk endpoint is asked again.
    assert sorted((e.method, e.path) for e in sandbox.log) == sorted(
        [
            ("POST", COUNT),
            ("POST", SEARCH),  # updated since the cursor
            ("POST", SEARCH),  # the changed issue by id
            ("GET", f"/rest/api/3/issue/{shop113}/changelog"),
        ]
    )
    assert id_searches(sandbox) == [f"id in ({shop113})"]
    assert done.requests == 4


class DeletingAfterListing(httpx.AsyncHTTPTransport):
    """The network, except that an issue is deleted as soon as the members were listed."""

    def __init__(self, state: SandboxState, key: str) -> None:
        super().__init__()
        self.state, self.key = state, key
        self.deleted: int | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.deleted is None and request.url.path == SEARCH:
            self.deleted = delete_issue(self.state, self.key)
        return response


async def test_an_issue_deleted_after_listing_is_left_out(sandbox: SandboxServer) -> None:
    sandbox.absent_apis = {BULKFETCH, CHANGELOG}
    network = DeletingAfterListing(sandbox.state, "SHOP-115")
    async with JiraConnector("jira", site_settings(sandbox), transport=network) as jira:
        items, changes, done = await pull_all(jira, PullRequest(query="project = SHOP"))

    gone = network.deleted
    assert gone is not None
    remaining = [key for key in SHOP if key != "SHOP-115"]
    assert sorted(item.key for item in items) == remaining
    assert {change.key for change in changes} <= set(remaining)
    assert "SHOP-115" in done.members  # it was a member when the members were listed
    # The search by id named the missing issue; it was confirmed gone and the others
    # were searched again.
    by_id = [e for e in sandbox.log.entries("POST", SEARCH) if e.body["jql"].startswith("id in")]
    assert [e.status for e in by_id] == [400, 200]
    assert f"{gone}" in by_id[0].body["jql"] and f"{gone}" not in by_id[1].body["jql"]
    # Asked for alone, it is gone; so are its histories (left out, as bulk leaves them).
    asked = sandbox.log.entries("GET", f"/rest/api/3/issue/{gone}")
    assert sorted((e.path, e.status) for e in asked) == [
        (f"/rest/api/3/issue/{gone}", 404),
        (f"/rest/api/3/issue/{gone}/changelog", 404),
    ]


async def test_fetching_issues_by_search_keeps_the_order_and_leaves_out_the_missing(
    sandbox: SandboxServer,
) -> None:
    sandbox.absent_apis = {BULKFETCH}
    wanted = [str(sandbox.state.get(key).id) for key in ("SHOP-110", "SHOP-101", "SHOP-105")]
    async with JiraClient.from_mapping(site_settings(sandbox)) as client:
        found = await fetch_issues(client, [wanted[0], "99999", *wanted[1:]], ["summary"])
        assert client.absent_apis == {BULKFETCH}
    assert [issue["id"] for issue in found] == wanted
    assert [issue["key"] for issue in found] == ["SHOP-110", "SHOP-101", "SHOP-105"]
    assert found[0]["fields"] == {"summary": "Upgrade payment SDK"}
    assert [(e.method, e.path, e.status) for e in sandbox.log] == [
        ("POST", BULKFETCH, 404),
        ("POST", SEARCH, 400),
        ("GET", "/rest/api/3/issue/99999", 404),
        ("POST", SEARCH, 200),
    ]


# --- what is not an absent API ----------------------------------------------------------------


async def test_a_missing_issue_is_still_a_plain_not_found(sandbox: SandboxServer) -> None:
    sandbox.absent_apis = {BULKFETCH, CHANGELOG}
    async with JiraClient.from_mapping(site_settings(sandbox)) as client:
        with pytest.raises(NotFound) as raised:
            await client.get("/rest/api/3/issue/SHOP-999")
        assert client.absent_apis == set()
    assert not isinstance(raised.value, NoSuchApi)
    assert str(raised.value) == (
        "jira: Jira has nothing at /rest/api/3/issue/SHOP-999; check the key, id or url, and "
        "that the account can see it (Issue does not exist or you do not have permission "
        "to see it.)"
    )


async def test_without_a_fallback_the_error_is_as_before(sandbox: SandboxServer) -> None:
    # No changelog in bulk, and none per issue either: nothing else to read history from.
    sandbox.absent_apis = {CHANGELOG, ISSUE_CHANGELOG}
    with pytest.raises(NotFound) as raised:
        await pull(sandbox, "project = SHOP")
    assert str(raised.value).startswith("jira: Jira has no /rest/api/3/issue/")
    assert "/changelog: the site looks like Jira Data Center" in str(raised.value)


async def test_data_center_taken_for_cloud_still_gets_the_advice() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR, deployment="Server") as site:
        settings = {"url": site.url, "token": site.pat, "deployment": "cloud"}
        async with JiraConnector("dc", settings) as jira:
            with pytest.raises(NotFound, match="the site looks like Jira Data Center"):
                await pull_all(jira, PullRequest(query="project = SHOP"))
        assert [e.path for e in site.log] == ["/rest/api/3/field"]


def made_up_site(settings: dict[str, Any]) -> JiraClient:
    return JiraClient.from_mapping(settings)


async def test_405_means_the_api_is_absent(cloud_settings: dict[str, Any]) -> None:
    """An older site takes POST /issue/bulkfetch for /issue/{issueIdOrKey}, which has
    no POST: 405."""
    found = {"issues": [{"id": "10001", "key": "SHOP-1", "fields": {"summary": "One"}}]}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        refused = mock.post(BULKFETCH).mock(return_value=httpx.Response(405))
        searched = mock.post(SEARCH).mock(return_value=httpx.Response(200, json=found))
        async with made_up_site(cloud_settings) as client:
            first = await fetch_issues(client, ["10001"], ["summary"])
            again = await fetch_issues(client, ["10001"], ["summary"])
            assert client.absent_apis == {BULKFETCH}
    assert first == again == found["issues"]
    assert (refused.call_count, searched.call_count) == (1, 2)


async def test_a_404_about_issues_from_bulkfetch_is_raised_as_before(
    cloud_settings: dict[str, Any],
) -> None:
    body = {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
    with respx.mock(base_url=SITE, assert_all_called=False) as mock:
        mock.post(BULKFETCH).mock(return_value=httpx.Response(404, json=body))
        searched = mock.post(SEARCH).mock(return_value=httpx.Response(200, json={"issues": []}))
        async with made_up_site(cloud_settings) as client:
            with pytest.raises(NotFound) as raised:
                await fetch_issues(client, ["10001"], ["summary"])
            assert client.absent_apis == set()
    assert not isinstance(raised.value, NoSuchApi)
    assert "Jira has nothing at /rest/api/3/issue/bulkfetch" in str(raised.value)
    assert searched.call_count == 0
