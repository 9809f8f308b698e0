"""Paginators: small strategies that find the next page in an answer.

A paginator is a callable from one page's answer to the token of the next page (None
on the last one). ``pages`` drives any of them: it fetches the first page, asks the
paginator for the next token, and stops with a ``ProtocolError`` when a tool hands out
a token it gave before (a server that would otherwise be read forever)::

    async for response in pages(lambda url: client.get(url or "/repos/a/b/issues"),
                                LinkPaginator()):
        ...

- ``LinkPaginator``: RFC 8288 ``Link`` headers, the URL of ``rel="next"`` (GitHub
  REST, GitLab, many others).
- ``GraphQLCursorPaginator``: a connection's ``pageInfo {hasNextPage endCursor}`` at a
  path in the GraphQL answer's ``data``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import httpx

from okrsync.errors import ProtocolError

__all__ = ["GraphQLCursorPaginator", "LinkPaginator", "Paginator", "link_targets", "pages"]

Page = TypeVar("Page")
Page_contra = TypeVar("Page_contra", contravariant=True)

# One link-value of a Link header: <target>; param=value; param="value"
# (a quoted value may hold commas and semicolons).
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"[^"]*"|[^;,\s"]*))?)*)')
_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*(?:"([^"]*)"|([^;,\s]+))')


class Paginator(Protocol[Page_contra]):
    def __call__(self, page: Page_contra) -> str | None:
        """The next page's token (a URL, a cursor), or None after the last page."""
        ...


def link_targets(header: str | None) -> dict[str, str]:
    """The targets of a ``Link`` header by relation type (RFC 8288; a ``rel`` may list
    several space-separated types, compared case-insensitively)."""
    found: dict[str, str] = {}
    for match in _LINK.finditer(header or ""):
        target, params = match.group(1).strip(), match.group(2)
        for name, quoted, bare in _PARAM.findall(params):
            if name.lower() == "rel":
                for rel in (quoted or bare).lower().split():
                    found.setdefault(rel, target)
    return found


class LinkPaginator:
    """The next page is the ``Link`` header's ``rel="next"`` URL."""

    def __call__(self, page: httpx.Response) -> str | None:
        return link_targets(page.headers.get("Link")).get("next")


class GraphQLCursorPaginator:
    """The next page is ``endCursor`` of the connection at ``path`` under ``data``
    (``("search",)``, ``("node", "timelineItems")``), while ``hasNextPage``."""

    def __init__(self, path: Sequence[str], *, source: str = "") -> None:
        self.path = tuple(path)
        self.source = source

    def __call__(self, page: Mapping[str, Any]) -> str | None:
        node: Any = page.get("data")
        for name in self.path:
            node = node.get(name) if isinstance(node, Mapping) else None
        info = node.get("pageInfo") if isinstance(node, Mapping) else None
        if not isinstance(info, Mapping):
            where = ".".join(("data", *self.path, "pageInfo"))
            raise ProtocolError(
                f"the GraphQL answer has no {where}; ask for pageInfo", source=self.source
            )
        if not info.get("hasNextPage"):
            return None
        cursor = info.get("endCursor")
        if not isinstance(cursor, str) or not cursor:
            raise ProtocolError(
                "the GraphQL answer says there is a next page but gives no cursor",
                source=self.source,
            )
        return cursor


async def pages(
    fetch: Callable[[str | None], Awaitable[Page]],
    paginator: Paginator[Page],
    *,
    source: str = "",
) -> AsyncIterator[Page]:
    """Every page, the first fetched with ``fetch(None)`` and each next one with the
    token the paginator found in the page before."""
    seen: set[str] = set()
    token: str | None = None
    while True:
        page = await fetch(token)
        yield page
        token = paginator(page)
        if token is None:
            return
        if token in seen:
            raise ProtocolError(
                "the tool handed out the same next-page token twice; its paging is broken, "
                "so okrsync stopped reading instead of looping",
                source=source,
            )
        seen.add(token)
