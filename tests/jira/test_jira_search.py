"""Paginators and JQL handling."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from jira_site import SITE
from okrsync_jira import JiraClient
from okrsync_jira.search import (
    IssueRef,
    OffsetPaging,
    TokenPaging,
    search_refs,
    split_order_by,
    updated_since,
)

from okrsync.errors import ProtocolError, QueryError

pytestmark = pytest.mark.anyio


def pages_from(answers: list[Any], asked: list[Any]) -> Any:
    async def fetch(*args: Any) -> Any:
        asked.append(args[0] if len(args) == 1 else args)
        return answers[len(asked) - 1]

    return fetch


async def test_token_paging_follows_tokens_until_the_last_page() -> None:
    asked: list[Any] = []
    answers = [{"n": 1, "nextPageToken": "a"}, {"n": 2, "nextPageToken": "b"}, {"n": 3}]
    seen = [page["n"] async for page in TokenPaging().pages(pages_from(answers, asked))]
    assert seen == [1, 2, 3]
    assert asked == [None, "a", "b"]


async def test_token_paging_stops_at_is_last_even_with_a_token() -> None:
    asked: list[Any] = []
    answers = [{"n": 1, "nextPageToken": "a", "isLast": True}]
    seen = [page["n"] async for page in TokenPaging().pages(pages_from(answers, asked))]
    assert seen == [1]


async def test_token_paging_refuses_a_repeated_token() -> None:
    asked: list[Any] = []
    answers = [{"nextPageToken": "a"}, {"nextPageToken": "b"}, {"nextPageToken": "a"}]
    with pytest.raises(ProtocolError, match="same page token twice"):
        async for _ in TokenPaging().pages(pages_from(answers, asked), source="jira"):
            pass
    assert asked == [None, "a", "b"]


async def test_offset_paging_uses_total_and_is_last() -> None:
    asked: list[Any] = []
    answers = [
        {"values": [1, 2], "total": 5},
        {"values": [3, 4], "total": 5},
        {"values": [5], "total": 5},
    ]
    pages = [p async for p in OffsetPaging("values", 2).pages(pages_from(answers, asked))]
    assert [p["values"] for p in pages] == [[1, 2], [3, 4], [5]]
    assert asked == [(0, 2), (2, 2), (4, 2)]

    asked = []
    answers = [{"values": [1, 2], "isLast": False}, {"values": [3], "isLast": True}]
    pages = [p async for p in OffsetPaging("values", 2).pages(pages_from(answers, asked))]
    assert len(pages) == 2


async def test_offset_paging_stops_on_an_empty_page() -> None:
    asked: list[Any] = []
    answers = [{"values": [1, 2]}, {"values": []}]
    pages = [p async for p in OffsetPaging("values", 2).pages(pages_from(answers, asked))]
    assert len(pages) == 2


@pytest.mark.parametrize(
    ("jql", "condition", "order_by"),
    [
        ("project = SHOP", "project = SHOP", ""),
        ("project = SHOP ORDER BY rank", "project = SHOP", "ORDER BY rank"),
        ("project = SHOP order  by created DESC", "project = SHOP", "order  by created DESC"),
        ('summary ~ "order by" ORDER BY key', 'summary ~ "order by"', "ORDER BY key"),
        ("summary ~ 'x\\' order by' ", "summary ~ 'x\\' order by'", ""),
        ("reorder = 1 AND borderline = 2", "reorder = 1 AND borderline = 2", ""),
        ("ORDER BY key", "", "ORDER BY key"),
    ],
)
def test_split_order_by(jql: str, condition: str, order_by: str) -> None:
    assert split_order_by(jql) == (condition, order_by)


def test_updated_since_wraps_the_condition_and_keeps_the_order() -> None:
    assert updated_since("project = A OR project = B ORDER BY key", 1_800_000_000_000) == (
        "(project = A OR project = B) AND updated > 1800000000000 ORDER BY key"
    )
    assert updated_since("ORDER BY key", 5) == "updated > 5 ORDER BY key"


async def test_search_refs_asks_for_keys_only_5000_per_page(
    cloud_settings: dict[str, Any],
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.post("/rest/api/3/search/jql").mock(
            side_effect=[
                httpx.Response(
                    200,
                    json={
                        "issues": [{"id": "10001", "key": "SHOP-1"}],
                        "nextPageToken": "t1",
                        "isLast": False,
                    },
                ),
                httpx.Response(200, json={"issues": [{"id": "10002", "key": "SHOP-2"}]}),
            ]
        )
        async with JiraClient.from_mapping(cloud_settings) as jira:
            refs = await search_refs(jira, "project = SHOP")
    assert refs == [IssueRef("10001", "SHOP-1"), IssueRef("10002", "SHOP-2")]
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies == [
        {"jql": "project = SHOP", "fields": ["key"], "maxResults": 5000},
        {"jql": "project = SHOP", "fields": ["key"], "maxResults": 5000, "nextPageToken": "t1"},
    ]


async def test_search_refs_turns_bad_jql_into_a_query_error(
    cloud_settings: dict[str, Any],
) -> None:
    body = {"errorMessages": ["Error in the JQL Query: Expecting operator but got 'SHOP'."]}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.post("/rest/api/3/search/jql").mock(return_value=httpx.Response(400, json=body))
        async with JiraClient.from_mapping(cloud_settings) as jira:
            with pytest.raises(QueryError, match="Expecting operator but got 'SHOP'"):
                await search_refs(jira, "project SHOP")
