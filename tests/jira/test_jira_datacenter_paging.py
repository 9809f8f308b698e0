"""Data Center paging and pull details that the sandbox cannot provoke on demand: a site
that caps pages, omits the total, truncates a changelog, or moves issues between pages.
Fetchers are plain coroutines; the pull tests fake the transport with respx."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from jira_site import TOKEN
from okrsync_jira.client import JiraClient
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.pull import pull_query
from okrsync_jira.search import ConcurrentOffsetPaging, in_order, stable_order
from okrsync_jira.settings import JiraSettings
from sandbox_pull import collect

from okrsync.connector import PullDone, PullRequest
from okrsync.errors import ConfigError
from okrsync.items import Change, Item, TrackedField

pytestmark = pytest.mark.anyio

DC = "https://jira.acme.test"
SEARCH = f"{DC}/rest/api/2/search"


class Pages:
    """A fake search: ``total`` issues numbered from 1, at most ``cap`` per page."""

    def __init__(self, total: int | None, cap: int = 1000) -> None:
        self.total, self.cap = total, cap
        self.asked: list[tuple[int, int]] = []
        self.in_flight = self.most_in_flight = 0

    async def __call__(self, start: int, size: int) -> dict[str, Any]:
        self.asked.append((start, size))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1
        size = min(size, self.cap)
        end = min(start + size, self.total if self.total is not None else 12)
        page: dict[str, Any] = {"startAt": start, "maxResults": size}
        page["issues"] = [{"n": n} for n in range(start + 1, end + 1)]
        if self.total is not None:
            page["total"] = self.total
        return page


async def numbers(paging: ConcurrentOffsetPaging, fetch: Pages) -> list[int]:
    return [issue["n"] async for page in paging.pages(fetch) for issue in page["issues"]]


async def test_pages_after_the_first_are_asked_for_together_and_come_in_order() -> None:
    fetch = Pages(total=23)
    assert await numbers(ConcurrentOffsetPaging("issues", 5, window=3), fetch) == list(range(1, 24))
    assert fetch.asked == [(0, 5), (5, 5), (10, 5), (15, 5), (20, 5)]
    assert fetch.most_in_flight == 3


async def test_a_page_smaller_than_asked_for_sets_the_step() -> None:
    fetch = Pages(total=7, cap=3)
    assert await numbers(ConcurrentOffsetPaging("issues", 5), fetch) == list(range(1, 8))
    assert fetch.asked == [(0, 5), (3, 3), (6, 3)]


async def test_without_a_total_pages_are_read_one_after_the_other() -> None:
    fetch = Pages(total=None)
    assert await numbers(ConcurrentOffsetPaging("issues", 5), fetch) == list(range(1, 13))
    assert fetch.asked == [(0, 5), (5, 5), (10, 5), (12, 5)]
    assert fetch.most_in_flight == 1


async def test_one_page_of_results_is_one_request() -> None:
    fetch = Pages(total=4)
    assert await numbers(ConcurrentOffsetPaging("issues", 5), fetch) == [1, 2, 3, 4]
    assert fetch.asked == [(0, 5)]


async def test_stopping_early_or_failing_cancels_what_is_under_way() -> None:
    started: list[int] = []
    finished: list[int] = []

    async def work(n: int, fail: int | None = None) -> int:
        started.append(n)
        if n == fail:
            raise ValueError(f"page {n} failed")
        await asyncio.sleep(0.05 * (n + 1))
        finished.append(n)
        return n

    results = in_order((work(n) for n in range(10)), window=4)
    assert await anext(results) == 0
    await results.aclose()
    # The window's worth started; the fifth was due next but never began.
    assert started == [0, 1, 2, 3]
    await asyncio.sleep(0.25)
    assert finished == [0]  # the rest was cancelled

    started.clear()
    finished.clear()
    with pytest.raises(ValueError, match="page 2 failed"):
        async for _ in in_order((work(n, fail=2) for n in range(10)), window=4):
            pass
    await asyncio.sleep(0.25)
    assert finished == [0, 1]
    assert 6 not in started


def test_stable_order_replaces_the_querys_own_order() -> None:
    assert stable_order("project = SHOP ORDER BY rank") == (
        "project = SHOP ORDER BY created ASC, key ASC"
    )
    assert stable_order("") == "ORDER BY created ASC, key ASC"


def test_data_center_logins_in_the_settings() -> None:
    base = {"type": "jira", "url": DC, "token": TOKEN}
    by_name = JiraSettings.load({**base, "username": "okr-bot"})
    assert (by_name.is_cloud, by_name.needs_detection) == (False, False)
    assert "okr-bot" in repr(by_name) and TOKEN not in repr(by_name)
    pat = JiraSettings.load(base)
    assert (pat.is_cloud, pat.needs_detection) == (False, True)
    cloud_host = JiraSettings.load({**base, "url": "https://acme.atlassian.net"})
    assert (cloud_host.is_cloud, cloud_host.needs_detection) == (True, False)
    told = JiraSettings.load({**base, "deployment": "cloud"})
    assert (told.is_cloud, told.needs_detection) == (True, False)
    with pytest.raises(ConfigError, match=r"give email .* or username .*, not both"):
        JiraSettings.load({**base, "email": "bot@acme.com", "username": "okr-bot"})


# --- pulls against a faked Data Center -------------------------------------------------------

FIELDS = [
    {"id": "summary", "name": "Summary", "schema": {"type": "string"}},
    {
        "id": "customfield_10014",
        "name": "Epic Link",
        "custom": True,
        "schema": {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"},
    },
]
STATUSES = [
    {"id": "1", "name": "Open", "statusCategory": {"key": "new"}},
    {"id": "3", "name": "Done", "statusCategory": {"key": "done"}},
]


def issue(number: int, histories: list[dict[str, Any]] | None = None, **extra: Any) -> Any:
    raw: dict[str, Any] = {
        "id": str(100 + number),
        "key": f"DC-{number}",
        "fields": {
            "summary": f"Issue {number}",
            "issuetype": {"name": "Story", "subtask": False},
            "status": {"id": "1", "name": "Open", "statusCategory": {"key": "new"}},
            "project": {"key": "DC"},
            "created": f"2027-01-{number:02d}T10:00:00.000+0000",
            "updated": f"2027-01-{number:02d}T11:00:00.000+0000",
            "customfield_10014": None,
        },
    }
    if histories is not None:
        raw["changelog"] = {"startAt": 0, "maxResults": len(histories), "total": len(histories)}
        raw["changelog"]["histories"] = histories
    raw.update(extra)
    return raw


def epic_history(history_id: str, epic_id: str, epic_key: str | None) -> dict[str, Any]:
    item = {
        "field": "Epic Link",
        "fieldtype": "custom",
        "from": None,
        "fromString": None,
        "to": epic_id,
        "toString": epic_key,
    }
    return {"id": history_id, "created": "2027-01-20T09:00:00.000+0000", "items": [item]}


async def run_pull(
    respx_mock: respx.MockRouter, page_size: int = 100
) -> tuple[list[Item], list[Change], PullDone]:
    settings = {"url": DC, "token": TOKEN, "deployment": "datacenter"}
    catalog = FieldCatalog.from_json(FIELDS, STATUSES)
    async with JiraClient.from_mapping(settings) as client:
        request = PullRequest(query="project = DC")
        return await collect(
            pull_query(client, catalog, request, overlap=timedelta(0), page_size=page_size)
        )


def body_of(request: httpx.Request) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(request.content)
    return data


async def test_a_truncated_inline_changelog_is_read_from_the_issue(
    respx_mock: respx.MockRouter,
) -> None:
    cut = issue(1, [epic_history("7", "900", "DC-900")])
    cut["changelog"]["total"] = 2  # one history of two came inline
    respx_mock.post(SEARCH).respond(json={"startAt": 0, "total": 1, "issues": [cut]})
    full = respx_mock.get(f"{DC}/rest/api/2/issue/101").respond(
        json={
            "id": "101",
            "key": "DC-1",
            "changelog": {
                "histories": [
                    epic_history("6", "800", "DC-800"),
                    epic_history("7", "900", "DC-900"),
                ]
            },
        }
    )
    _, changes, done = await run_pull(respx_mock)
    assert full.calls[0].request.url.params["expand"] == "changelog"
    assert [(c.change_id, c.field, c.to_value) for c in changes] == [
        ("6", TrackedField.PARENT, "DC-800"),
        ("7", TrackedField.PARENT, "DC-900"),
    ]
    assert done.requests == 2


async def test_an_epic_named_by_id_only_is_looked_up(respx_mock: respx.MockRouter) -> None:
    def search(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        if body["jql"] == "id in (900)":
            return httpx.Response(200, json={"total": 1, "issues": [{"id": "900", "key": "E-1"}]})
        return httpx.Response(
            200, json={"total": 1, "issues": [issue(1, [epic_history("7", "900", None)])]}
        )

    respx_mock.post(SEARCH).mock(side_effect=search)
    items, changes, _ = await run_pull(respx_mock)
    assert [(c.field, c.to_value) for c in changes] == [(TrackedField.PARENT, "E-1")]
    assert [item.key for item in items] == ["DC-1"]


async def test_issues_that_move_between_pages_are_not_lost(respx_mock: respx.MockRouter) -> None:
    # DC-9, created early, appears after the first page was read: every later page
    # shifts by one, so one issue repeats and DC-9 would be missed.
    before = [issue(1, []), issue(2, []), issue(3, [])]
    after = [issue(9, []), *before]

    def search(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        start, size = body["startAt"], body["maxResults"]
        if body["jql"].startswith("id in"):
            return httpx.Response(200, json={"total": 1, "issues": [issue(9, [])]})
        found = before if start == 0 and body["fields"] != ["key"] else after
        page = found[start : start + size]
        return httpx.Response(200, json={"startAt": start, "total": len(found), "issues": page})

    route = respx_mock.post(SEARCH).mock(side_effect=search)
    items, _, done = await run_pull(respx_mock, page_size=2)
    assert sorted(done.members) == ["DC-1", "DC-2", "DC-3", "DC-9"]
    assert {item.key for item in items} == {"DC-1", "DC-2", "DC-3", "DC-9"}
    asked = [body_of(call.request) for call in route.calls]
    assert [(b["startAt"], b["fields"] == ["key"]) for b in asked[:2]] == [(0, False), (2, False)]
    assert asked[2]["fields"] == ["key"]  # who matches now
    assert asked[3]["jql"] == "id in (109) ORDER BY created ASC, key ASC"
    assert done.requests == 4
