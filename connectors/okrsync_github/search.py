"""The issue search: the user's query as typed in GitHub's search box, split by creation
date past GitHub's 1,000-result cap, every page through the ``Link`` header."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from okrsync.paging import pages
from okrsync_github.client import GitHubClient, Page
from okrsync_github.history import parse_instant

__all__ = ["SEARCH_CAP", "normalized_query", "search_all", "stamp"]

SEARCH_CAP = 1000
_KIND = re.compile(r"(?:^|\s)(?:is|type):(?:issue|pr|pull-request)\b", re.IGNORECASE)


def normalized_query(query: str) -> str:
    """Contract 6.1: without ``is:issue`` or ``is:pr``, okrsync adds ``is:issue``."""
    query = " ".join(query.split())
    return query if _KIND.search(query) else f"{query} is:issue".strip()


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def search_all(client: GitHubClient, query: str, *, per_page: int) -> list[Mapping[str, Any]]:
    """Every issue the query matches (REST search items), oldest first."""
    first = await _first_page(client, query, per_page)
    if int(first.json.get("total_count", 0)) <= SEARCH_CAP:
        return await _rest(client, first)
    # Past the cap: the creation dates of the oldest and the newest issue bound the
    # ranges to split (one more request, only for selections this large).
    newest = await client.get(
        "/search/issues",
        params={"q": query, "per_page": 1, "sort": "created", "order": "desc"},
        query=True,
    )
    start = parse_instant(str(first.json["items"][0]["created_at"]))
    end = parse_instant(str(newest.json["items"][0]["created_at"]))
    return await _halves(client, query, start, end, per_page)


async def _first_page(client: GitHubClient, query: str, per_page: int) -> Page:
    params = {"q": query, "per_page": per_page, "sort": "created", "order": "asc"}
    return await client.get("/search/issues", params=params, query=True)


async def _rest(client: GitHubClient, first: Page) -> list[Mapping[str, Any]]:
    """The items of ``first`` and of every page after it."""

    async def fetch(url: str | None) -> Page:
        return first if url is None else await client.get(url, query=True)

    items: list[Mapping[str, Any]] = []
    async for page in pages(fetch, lambda page: page.next_url, source=client.source):
        items.extend(page.json.get("items", []))
    return items


async def _range(
    client: GitHubClient, query: str, start: datetime, end: datetime, per_page: int
) -> list[Mapping[str, Any]]:
    first = await _first_page(client, f"{query} created:{stamp(start)}..{stamp(end)}", per_page)
    if int(first.json.get("total_count", 0)) > SEARCH_CAP and end - start > timedelta(seconds=1):
        return await _halves(client, query, start, end, per_page)
    return await _rest(client, first)


async def _halves(
    client: GitHubClient, query: str, start: datetime, end: datetime, per_page: int
) -> list[Mapping[str, Any]]:
    """The issues created in [start, end], a range known to hold more than the cap."""
    # The ranges are inclusive, to the second: the halves meet a second apart.
    middle = (start + (end - start) / 2).replace(microsecond=0)
    older = await _range(client, query, start, middle, per_page)
    return older + await _range(client, query, middle + timedelta(seconds=1), end, per_page)
