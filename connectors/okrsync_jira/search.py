"""Paginators, and the JQL searches the pull is built from.

Three small strategies, all refusing to loop forever:

- ``TokenPaging``: Cloud's cursor paging (``/search/jql``, ``/changelog/bulkfetch``):
  the next request carries the previous page's ``nextPageToken``; the last page has no
  token (or ``isLast: true``). A token seen twice is a ``ProtocolError``. Strictly
  sequential, but the next page is asked for as soon as a page names it, while the
  caller works on that page.
- ``OffsetPaging``: ``startAt``/``maxResults`` with ``total`` or ``isLast`` (the agile
  API), one page after the other. A page that does not advance ends the walk.
- ``ConcurrentOffsetPaging``: Data Center's ``/rest/api/2/search``. The first page's
  ``total`` names every other page's ``startAt``, so those are requested together
  (``window`` at a time; the client bounds what is really in flight).

``in_order`` and ``ahead`` run work concurrently and hand results over in order.

Data Center's search is a ``POST`` (the JQL in the body, whatever its length). Some
older servers and proxies refuse that POST (405) while serving ``GET`` with the same
parameters in the URL: ``dc_search`` then switches to the GET, learnt once per client
(``JiraClient.absent_apis``) and logged as one warning.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Sequence,
)
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from okrsync.errors import NotFound, PermissionDenied, ProtocolError, TransientError
from okrsync.futures import settle
from okrsync_jira.client import JiraClient
from okrsync_jira.errors import NoSuchApi

__all__ = [
    "APPROXIMATE_COUNT_PATH",
    "DC_KEYS_PAGE_SIZE",
    "DC_SEARCH_PATH",
    "SEARCH_PATH",
    "ConcurrentOffsetPaging",
    "IssueRef",
    "OffsetPaging",
    "TokenPaging",
    "ahead",
    "approximate_count",
    "dc_search",
    "in_order",
    "search_pages_dc",
    "search_ref_pages",
    "search_refs",
    "split_order_by",
    "stable_order",
]

SEARCH_PATH = "/rest/api/3/search/jql"
APPROXIMATE_COUNT_PATH = "/rest/api/3/search/approximate-count"
DC_SEARCH_PATH = "/rest/api/2/search"
# How ``JiraClient.absent_apis`` remembers a site that refuses the POST search.
DC_SEARCH_POST = f"POST {DC_SEARCH_PATH}"
# Jira's ceiling for a search that asks for keys only.
KEYS_PAGE_SIZE = 5000
# Data Center's ceiling for any search page (jira.search.views.default.max).
DC_KEYS_PAGE_SIZE = 1000
# Pages read at once by offset only stay aligned if issues keep their places: creation
# order puts new issues at the end, whatever the query's own ORDER BY.
STABLE_ORDER = "ORDER BY created ASC, key ASC"
_T = TypeVar("_T")
_R = TypeVar("_R")

Page = dict[str, Any]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenPaging:
    token_field: str = "nextPageToken"
    last_field: str = "isLast"

    async def pages(
        self, fetch: Callable[[str | None], Awaitable[Page]], *, source: str = ""
    ) -> AsyncGenerator[Page, None]:
        """The pages in order. The next page is asked for as soon as this one names
        it, so it is under way while the caller works on this one."""
        seen: set[str] = set()
        page = await fetch(None)
        while True:
            if not isinstance(page, dict):
                raise ProtocolError("Jira answered a page that is not a JSON object", source=source)
            following = page.get(self.token_field)
            if not following or page.get(self.last_field) is True:
                yield page
                return
            if following in seen:
                raise ProtocolError(
                    "Jira returned the same page token twice, so paging would never end; "
                    "report this to your Jira admin and retry later",
                    source=source,
                )
            seen.add(following)
            upcoming = asyncio.ensure_future(fetch(str(following)))
            try:
                await asyncio.sleep(0)  # let the request go out before the caller's work
                yield page
            except BaseException:
                settle(upcoming)
                raise
            page = await upcoming


@dataclass(frozen=True)
class OffsetPaging:
    items_field: str
    page_size: int = 50

    async def pages(
        self, fetch: Callable[[int, int], Awaitable[Page]], *, source: str = "", start: int = 0
    ) -> AsyncIterator[Page]:
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
class ConcurrentOffsetPaging:
    """Pages in ``startAt`` order; after the first, up to ``window`` are requested at once."""

    items_field: str = "issues"
    page_size: int = 50
    window: int = 16

    async def pages(
        self, fetch: Callable[[int, int], Awaitable[Page]], *, source: str = ""
    ) -> AsyncGenerator[Page, None]:
        first = _checked(await fetch(0, self.page_size), source)
        yield first
        count = len(first.get(self.items_field) or [])
        total = first.get("total")
        if not count or first.get("isLast") is True:
            return
        if not isinstance(total, int):
            # Nothing to plan with: walk on one page after the other.
            async for page in OffsetPaging(self.items_field, self.page_size).pages(
                fetch, source=source, start=count
            ):
                yield page
            return
        # Jira may serve fewer than asked for (its own cap); the answer says how many.
        served = first.get("maxResults")
        step = min(self.page_size, served) if isinstance(served, int) and served > 0 else count
        starts = range(step, total, step)
        rest = in_order((fetch(start, step) for start in starts), self.window)
        async with aclosing(rest):
            async for page in rest:
                yield _checked(page, source)


async def in_order(awaitables: Iterable[Awaitable[_T]], window: int) -> AsyncGenerator[_T, None]:
    """Results in the order given, with up to ``window`` of them under way at once.

    Stopping early (or a failure) cancels whatever is still under way."""
    source = iter(awaitables)
    pending: deque[asyncio.Future[_T]] = deque(
        asyncio.ensure_future(a) for a in itertools.islice(source, max(window, 1))
    )
    try:
        while pending:
            result = await pending.popleft()
            following = next(source, None)
            if following is not None:
                pending.append(asyncio.ensure_future(following))
            yield result
    finally:
        for future in pending:
            if future.done():
                if not future.cancelled():
                    future.exception()  # read, so asyncio does not report it as lost
            else:
                future.cancel()
        for rest in source:  # coroutines never started must still be closed
            close = getattr(rest, "close", None)
            if close is not None:
                close()


async def together(work: Iterable[Awaitable[_T]]) -> list[_T]:
    """The results of all, run at once (the client bounds what is in flight). The first
    failure is raised once the others are cancelled: none is left talking to a client
    that its caller may close next."""
    tasks = [asyncio.ensure_future(each) for each in work]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def ahead(
    source: AsyncIterable[_T], start: Callable[[_T], Awaitable[_R]], window: int = 1
) -> AsyncGenerator[_R, None]:
    """``start(value)`` for each value of ``source`` as soon as it arrives, results in
    the order of the values. While one result is awaited, up to ``window`` more are
    started (and the next value is being read): the work that ``source`` does itself,
    such as paging through a search, goes on alongside.

    Stopping early (or a failure) cancels whatever is still under way."""
    done = object()
    queue: asyncio.Queue[Any] = asyncio.Queue(max(window, 1))

    async def feed() -> None:
        try:
            async with aclosing(_agen(source)) as values:
                async for value in values:
                    task = asyncio.ensure_future(start(value))
                    try:
                        await queue.put(task)
                    except BaseException:
                        settle(task)
                        raise
        except Exception as error:
            # Handed over in order: what came before the failure is still used.
            failed = asyncio.get_running_loop().create_future()
            failed.set_exception(error)
            await queue.put(failed)
        else:
            await queue.put(done)

    feeder = asyncio.ensure_future(feed())
    try:
        while (item := await queue.get()) is not done:
            yield await item
    finally:
        settle(feeder)
        while not queue.empty():
            item = queue.get_nowait()
            if item is not done:
                settle(item)


async def _agen(source: AsyncIterable[_T]) -> AsyncGenerator[_T, None]:
    async for value in source:
        yield value


def _checked(page: Any, source: str) -> Page:
    if not isinstance(page, dict):
        raise ProtocolError("Jira answered a page that is not a JSON object", source=source)
    return page


class IssueRef(NamedTuple):
    """An issue's id and key. A tuple of two strings: the garbage collector stops
    tracking it, which matters when a pull holds a hundred thousand of them."""

    id: str
    key: str


def issue_ref(issue: Any, source: str) -> IssueRef:
    key = issue.get("key") or (issue.get("fields") or {}).get("key")
    if not issue.get("id") or not key:
        raise ProtocolError("Jira's search answered an issue without id or key", source=source)
    return IssueRef(id=str(issue["id"]), key=str(key))


async def search_refs(client: JiraClient, jql: str) -> list[IssueRef]:
    """Every issue the JQL matches, as (id, key), with the largest pages Jira allows.

    Cloud: up to 5,000 per request, one after the other (asking for the ``key`` field
    alone is what lets Jira return its largest pages). Data Center: up to 1,000 per
    request, all requested together once the first page gave the total."""
    if not client.is_cloud:
        refs = [
            issue_ref(issue, client.source)
            async for page in search_pages_dc(
                client, stable_order(jql), fields=["key"], page_size=DC_KEYS_PAGE_SIZE
            )
            for issue in page.get("issues") or []
        ]
        # Pages read at once may overlap if the results moved meanwhile.
        return list({ref.id: ref for ref in refs}.values())
    # Results that moved between pages may show an issue twice.
    return list(
        {ref.id: ref async for page in search_ref_pages(client, jql) for ref in page}.values()
    )


async def search_ref_pages(client: JiraClient, jql: str) -> AsyncGenerator[list[IssueRef], None]:
    """Cloud: the issues the JQL matches, a page (up to 5,000) at a time, as each
    arrives, so that their fetching need not wait for the last page."""

    async def fetch(token: str | None) -> Page:
        body: dict[str, Any] = {"jql": jql, "fields": ["key"], "maxResults": KEYS_PAGE_SIZE}
        if token:
            body["nextPageToken"] = token
        page: Page = await client.post(SEARCH_PATH, body, query=True, idempotent=True)
        return page

    async with aclosing(TokenPaging().pages(fetch, source=client.source)) as pages:
        async for page in pages:
            yield _refs(page.get("issues") or [], client.source)


def _refs(issues: Sequence[Any], source: str) -> list[IssueRef]:
    """``issue_ref`` of each issue; a page holds thousands, so the usual shape (string
    id and key at the top) is taken without further checks."""
    refs: list[IssueRef] = []
    for issue in issues:
        ident = issue.get("id") if isinstance(issue, dict) else None
        key = issue.get("key") if ident else None
        if ident and key and type(ident) is str and type(key) is str:
            refs.append(IssueRef(ident, key))
        else:
            refs.append(issue_ref(issue, source))
    return refs


async def approximate_count(client: JiraClient, jql: str) -> int | None:
    """Cloud's estimate of how many issues the JQL matches (one request), or None when
    the site gives none. The estimate may lag behind recent changes."""
    try:
        answer = await client.post(
            APPROXIMATE_COUNT_PATH, {"jql": jql}, query=True, idempotent=True
        )
    except (NotFound, PermissionDenied, ProtocolError, TransientError):
        # Without an estimate the caller lists the members instead; a bad query or bad
        # credentials fail that listing just as well, so those are raised here.
        return None
    count = answer.get("count") if isinstance(answer, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return None
    return count


async def search_pages_dc(
    client: JiraClient,
    jql: str,
    *,
    fields: Sequence[str],
    expand: Sequence[str] = (),
    page_size: int = DC_KEYS_PAGE_SIZE,
) -> AsyncGenerator[Page, None]:
    """The pages of a Data Center search (``POST /rest/api/2/search``), in order; after
    the first, they are requested together."""

    async def fetch(start: int, size: int) -> Page:
        body: dict[str, Any] = {
            "jql": jql,
            "startAt": start,
            "maxResults": size,
            "fields": list(fields),
        }
        if expand:
            body["expand"] = list(expand)
        return await dc_search(client, body)

    # Twice the connections: a page is always ready to take a freed connection.
    paging = ConcurrentOffsetPaging("issues", page_size, 2 * client.settings.concurrency)
    async with aclosing(paging.pages(fetch, source=client.source)) as pages:
        async for page in pages:
            yield page


async def dc_search(client: JiraClient, body: dict[str, Any]) -> Page:
    """One page of Data Center's search (``jql``, ``startAt``, ``maxResults``, ``fields``,
    ``expand`` as the POST body takes them): POSTed, or sent as a GET where the site
    refuses the POST."""
    if DC_SEARCH_POST not in client.absent_apis:
        try:
            page: Page = await client.post(DC_SEARCH_PATH, body, query=True, idempotent=True)
            return page
        except NoSuchApi as error:
            if error.status != 405:
                raise
            if DC_SEARCH_POST not in client.absent_apis:  # searches under way learn it too
                client.absent_apis.add(DC_SEARCH_POST)
                log.warning(
                    "%s: the Jira site refuses POST %s (405); okrsync searches with GET "
                    "instead, the query in the URL",
                    client.source,
                    DC_SEARCH_PATH,
                )
    answer: Page = await client.get(DC_SEARCH_PATH, _search_params(body), query=True)
    return answer


def _search_params(body: dict[str, Any]) -> dict[str, Any]:
    """The POST body as GET parameters: lists comma-separated, as Jira reads them."""
    return {
        name: ",".join(str(v) for v in value) if isinstance(value, list) else value
        for name, value in body.items()
    }


def stable_order(jql: str) -> str:
    """The query ordered so that offset pages read at once stay aligned."""
    condition, _ = split_order_by(jql)
    return f"{condition} {STABLE_ORDER}" if condition else STABLE_ORDER


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
