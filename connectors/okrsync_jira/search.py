"""Paginators, and the JQL searches the pull is built from.

Two small strategies, both refusing to loop forever:

- ``TokenPaging``: Cloud's cursor paging (``/search/jql``, ``/changelog/bulkfetch``):
  the next request carries the previous page's ``nextPageToken``; the last page has no
  token (or ``isLast: true``). A token seen twice is a ``ProtocolError``.
- ``OffsetPaging``: ``startAt``/``maxResults`` with ``total`` or ``isLast`` (Data
  Center search, the agile API). A page that does not advance ends the walk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from okrsync.errors import ProtocolError
from okrsync_jira.client import JiraClient

__all__ = [
    "SEARCH_PATH",
    "IssueRef",
    "OffsetPaging",
    "TokenPaging",
    "search_refs",
    "split_order_by",
]

SEARCH_PATH = "/rest/api/3/search/jql"
# Jira's ceiling for a search that asks for keys only.
KEYS_PAGE_SIZE = 5000

Page = dict[str, Any]


@dataclass(frozen=True)
class TokenPaging:
    token_field: str = "nextPageToken"
    last_field: str = "isLast"

    async def pages(
        self, fetch: Callable[[str | None], Awaitable[Page]], *, source: str = ""
    ) -> AsyncIterator[Page]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = await fetch(token)
            if not isinstance(page, dict):
                raise ProtocolError("Jira answered a page that is not a JSON object", source=source)
            yield page
            following = page.get(self.token_field)
            if not following or page.get(self.last_field) is True:
                return
            if following in seen:
                raise ProtocolError(
                    "Jira returned the same page token twice, so paging would never end; "
                    "report this to your Jira admin and retry later",
                    source=source,
                )
            seen.add(following)
            token = str(following)


@dataclass(frozen=True)
class OffsetPaging:
    items_field: str
    page_size: int = 50

    async def pages(
        self, fetch: Callable[[int, int], Awaitable[Page]], *, source: str = ""
    ) -> AsyncIterator[Page]:
        start = 0
        while True:
            page = await fetch(start, self.page_size)
            if not isinstance(page, dict):
                raise ProtocolError("Jira answered a page that is not a JSON object", source=source)
            yield page
            items = page.get(self.items_field) or []
            if page.get("isLast") is True or not items:
                return
            start += len(items)
            total = page.get("total")
            if isinstance(total, int) and start >= total:
                return


@dataclass(frozen=True)
class IssueRef:
    id: str
    key: str


async def search_refs(client: JiraClient, jql: str) -> list[IssueRef]:
    """Every issue the JQL matches, as (id, key), up to 5,000 per request.

    Asking for the ``key`` field alone is what lets Jira return its largest pages."""

    async def fetch(token: str | None) -> Page:
        body: dict[str, Any] = {"jql": jql, "fields": ["key"], "maxResults": KEYS_PAGE_SIZE}
        if token:
            body["nextPageToken"] = token
        page: Page = await client.post(SEARCH_PATH, body, query=True, idempotent=True)
        return page

    refs: list[IssueRef] = []
    async for page in TokenPaging().pages(fetch, source=client.source):
        for issue in page.get("issues") or []:
            key = issue.get("key") or (issue.get("fields") or {}).get("key")
            if not issue.get("id") or not key:
                raise ProtocolError(
                    "Jira's search answered an issue without id or key", source=client.source
                )
            refs.append(IssueRef(id=str(issue["id"]), key=str(key)))
    return refs


def split_order_by(jql: str) -> tuple[str, str]:
    """``(condition, "ORDER BY ...")`` of a JQL query; quotes are respected."""
    lowered = jql.lower()
    quote: str | None = None
    position = -1
    index = 0
    while index < len(jql):
        char = jql[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif lowered.startswith("order", index) and _is_boundary(lowered, index, 5):
            rest = lowered[index + 5 :]
            stripped = rest.lstrip()
            if stripped.startswith("by") and len(rest) > len(stripped):
                after = len(lowered) - len(stripped) + 2
                if after >= len(lowered) or not _is_word(lowered[after]):
                    position = index
        index += 1
    if position < 0:
        return jql.strip(), ""
    return jql[:position].strip(), jql[position:].strip()


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_boundary(text: str, start: int, length: int) -> bool:
    before_ok = start == 0 or not _is_word(text[start - 1])
    end = start + length
    return before_ok and (end >= len(text) or not _is_word(text[end]))


def updated_since(jql: str, epoch_ms: int) -> str:
    """The query restricted to issues updated after an instant (epoch ms).

    Strictly after: the issue whose ``updated`` made the cursor was fetched in that
    state already; the overlap subtracted from the cursor covers the search index's lag.
    """
    condition, order_by = split_order_by(jql)
    restriction = f"updated > {epoch_ms}"
    combined = f"({condition}) AND {restriction}" if condition else restriction
    return f"{combined} {order_by}".strip()
