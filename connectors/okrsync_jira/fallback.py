"""Pulling from Cloud sites that lack the bulk endpoints.

The Cloud pull (``okrsync_jira.pull``) fetches issues with ``POST /issue/bulkfetch``
(100 per request) and their history with ``POST /changelog/bulkfetch`` (1,000 issues
per request). Some sites that otherwise speak REST v3 lack one or both: older sites,
and partial reimplementations of the Jira API. Rather than fail there, the pull reads
the same data through endpoints such sites do have:

- Issues: ``POST /search/jql`` with ``id in (...)``, up to 100 per search: as many
  requests as bulkfetch needs. Unlike bulkfetch, JQL rejects the whole search (400)
  when one id no longer exists (deleted, or hidden, since it was listed). The ids the
  error names, or else all of the search's, are then read one by one
  (``GET /issue/{id}``): one that is gone is left out, as bulkfetch leaves it out, and
  the others are searched again. If none of them is gone, the search failed for
  another reason, and that error is raised as before.
- Histories: ``GET /issue/{id}/changelog``, 100 histories a page, one issue per request
  (rather than 1,000), all issues at once (the client bounds what is in flight). Each
  history is cut to the tracked fields as the bulk endpoint's ``fieldIds`` cuts it, so
  that a pull's changes do not depend on which endpoint served them.

A path counts as absent when the site answers 404 about the path itself, or 405
(``errors.NoSuchApi``); a 404 about an issue, and every other failure, is raised as
before. A client learns it once (``JiraClient.absent_apis``) and logs one warning;
requests already under way by then still meet the 404, later ones go straight to the
fallback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import aclosing
from typing import Any, TypeVar

from okrsync.errors import NotFound, ProtocolError, QueryError
from okrsync_jira.client import JiraClient
from okrsync_jira.errors import NoSuchApi
from okrsync_jira.search import SEARCH_PATH, OffsetPaging, TokenPaging, together

__all__ = [
    "HISTORIES_PER_PAGE",
    "ISSUES_PER_SEARCH",
    "changelogs_by_issue",
    "issues_by_search",
    "unless_absent",
]

log = logging.getLogger(__name__)

# The most issues a search page holds when fields are asked for.
ISSUES_PER_SEARCH = 100
# The most histories a page of one issue's changelog holds (the documented default).
HISTORIES_PER_PAGE = 100
_T = TypeVar("_T")


async def unless_absent(
    client: JiraClient,
    path: str,
    preferred: Callable[[], Awaitable[_T]],
    fallback: Callable[[], Awaitable[_T]],
    *,
    instead: str,
) -> _T:
    """``preferred()``, which requests ``path`` only; ``fallback()`` when the site has no
    API there (learnt the first time, and logged once). ``instead`` says what okrsync
    does then, for the warning."""
    if path not in client.absent_apis:
        try:
            return await preferred()
        except NoSuchApi:
            _learn_absent(client, path, instead)
    return await fallback()


def _learn_absent(client: JiraClient, path: str, instead: str) -> None:
    if path in client.absent_apis:
        return  # a request under way at the same time learnt it first
    client.absent_apis.add(path)
    log.warning(
        "%s: the Jira site has no %s; okrsync %s instead, so a pull takes more requests",
        client.source,
        path,
        instead,
    )


# --- issues by search ----------------------------------------------------------------------


async def issues_by_search(
    client: JiraClient, ids: Sequence[str], fields: Sequence[str]
) -> list[dict[str, Any]]:
    """Up to 100 issues by id, as bulkfetch gives them (``id``, ``key``, the fields
    asked for), in the order asked; those that no longer exist are left out."""
    asked = list(dict.fromkeys(ids))
    found = await _search_by_id(client, asked, list(fields))
    position = {ref: n for n, ref in enumerate(asked)}

    def asked_at(issue: dict[str, Any]) -> int:
        by_id = position.get(str(issue.get("id")))
        return by_id if by_id is not None else position.get(str(issue.get("key")), len(asked))

    unique = {str(issue.get("id")): issue for issue in found}
    return sorted(unique.values(), key=asked_at)


async def _search_by_id(
    client: JiraClient, ids: list[str], fields: list[str]
) -> list[dict[str, Any]]:
    """The issues of one search by id; if JQL rejects an id, without the issues gone."""
    try:
        return await _search(client, ids, fields)
    except QueryError as error:
        failure = error
    suspects = _named(str(failure), ids) or ids
    read = await together(_read_issue(client, ref, fields) for ref in suspects)
    if all(issue is not None for issue in read):
        raise failure  # every one of them exists: the search failed for another reason
    rest = [ref for ref in ids if ref not in suspects]
    # Each round leaves out at least one issue that is gone, so this ends.
    found = await _search_by_id(client, rest, fields) if rest else []
    return found + [issue for issue in read if issue is not None]


async def _search(
    client: JiraClient, ids: Sequence[str], fields: list[str]
) -> list[dict[str, Any]]:
    """One search for the ids (more pages only if the site serves fewer than asked)."""

    async def fetch(token: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "jql": f"id in ({', '.join(ids)})",
            "fields": fields,
            "maxResults": ISSUES_PER_SEARCH,
        }
        if token:
            body["nextPageToken"] = token
        page: dict[str, Any] = await client.post(SEARCH_PATH, body, query=True, idempotent=True)
        return page

    async with aclosing(TokenPaging().pages(fetch, source=client.source)) as pages:
        return [issue async for page in pages for issue in page.get("issues") or []]


def _named(message: str, ids: Sequence[str]) -> list[str]:
    """The ids a JQL error quotes ("An issue with id '10042' does not exist ...")."""
    quoted = set(re.findall(r"['\"]([^'\"]+)['\"]", message))
    return [ref for ref in ids if ref in quoted]


async def _read_issue(
    client: JiraClient, issue_id: str, fields: Sequence[str]
) -> dict[str, Any] | None:
    """One issue with the fields asked for, or None if it does not exist (any more)."""
    path = f"{client.api_root}/issue/{issue_id}"
    try:
        issue = await client.get(path, {"fields": ",".join(fields)})
    except NotFound as error:
        if isinstance(error, NoSuchApi):
            raise
        return None
    if not isinstance(issue, dict):
        raise ProtocolError(
            "Jira answered an issue that is not a JSON object", source=client.source
        )
    return issue


# --- histories one issue at a time -----------------------------------------------------------


async def changelogs_by_issue(
    client: JiraClient, ids: Sequence[str], field_ids: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every change history of the issues for the given fields (all fields if none),
    oldest first, by issue id; an issue with none, or gone, has no entry."""
    unique = list(dict.fromkeys(ids))
    wanted = frozenset(field_ids)
    histories = await together(_histories(client, ref, wanted) for ref in unique)
    return {ref: found for ref, found in zip(unique, histories, strict=True) if found}


async def _histories(
    client: JiraClient, issue_id: str, wanted: frozenset[str]
) -> list[dict[str, Any]]:
    path = f"{client.api_root}/issue/{issue_id}/changelog"

    async def fetch(start: int, size: int) -> dict[str, Any]:
        page: dict[str, Any] = await client.get(path, {"startAt": start, "maxResults": size})
        return page

    found: list[dict[str, Any]] = []
    try:
        async for page in OffsetPaging("values", HISTORIES_PER_PAGE).pages(
            fetch, source=client.source
        ):
            for history in page.get("values") or []:
                kept = _cut_to(history, wanted)
                if kept is not None:
                    found.append(kept)
    except NotFound as error:
        if isinstance(error, NoSuchApi):
            raise
        return []  # deleted (or hidden) since it was listed, as the bulk endpoint omits it
    return found


def _cut_to(history: dict[str, Any], wanted: frozenset[str]) -> dict[str, Any] | None:
    """The history with only the wanted fields' items, None if it has none of them."""
    if not wanted:
        return history
    items = [item for item in history.get("items") or [] if item.get("fieldId") in wanted]
    return {**history, "items": items} if items else None
