"""Pulling one JQL query from Jira with the fewest requests the API allows.

Jira Cloud (REST v3):

1. Ids first: the query's members, 5,000 keys per search page (pages are sequential).
   Each page is handed to the fetching as it arrives, 1,000 issues at a time.
2. The issues are fetched 100 per ``/issue/bulkfetch`` call, concurrently, with only
   the fields okrsync reads, a few groups of 1,000 ahead of the one handed over.
3. Their history comes from ``/changelog/bulkfetch`` (1,000 issues per call, up to
   10,000 histories a page, token paged, filtered to the tracked fields); inline
   ``expand=changelog`` is truncated by Jira and never used.

For N issues a full pull costs ceil(N/5000) + ceil(N/100) + ceil(N/1000) requests plus
the field catalog and the sprints of the projects seen. A site without one of the bulk
endpoints is served by a search by id, or by each issue's own changelog (N requests, more
for long histories) instead (see ``fallback``).

An incremental pull searches for the issues updated since the cursor (less an overlap)
and fetches those at once. It must also notice members that left the query (deleted,
moved out) and members that joined it without being updated. Listing every member
(ceil(N/5000) pages) notices both; it is done alongside the fetching when the members
were last listed more than ``SWEEP_MAX_AGE`` ago or never. Otherwise one request asks
for Jira's approximate count of the query: an issue that left lowers it, one that
joined unseen raises it, so if it equals the known members plus the changed ones not
known yet, nothing left or joined unseen and the members are not listed. Only a
departure and an unseen arrival at once could cancel out (or a count that lags both
ways): the age bound puts a limit on how long such a member list may stay wrong.

Jira Data Center (REST v2) has neither bulk endpoint, but its search pages carry a
``total`` and its ``expand=changelog`` is complete, so each search page brings its
issues with their whole history (``page_size`` per page). The first page tells how
many pages follow; those are requested together. A full pull costs ceil(N/page_size)
requests; an incremental one the members' keys (ceil(N/1000)) plus the changed
issues' pages. Pages are read in creation order so that concurrent offsets stay
aligned; should the results move anyway (the totals disagree), the members are read
again and any issue the pages missed is fetched by id.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.errors import ProtocolError, QueryError, ServerError
from okrsync.futures import settle
from okrsync.items import Change, Item, Sprint, TrackedField
from okrsync_jira.client import JiraClient
from okrsync_jira.fallback import changelogs_by_issue, issues_by_search, unless_absent
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.normalize import (
    issue_fields,
    normalize_changes,
    normalize_issue,
    normalize_sprint,
    unresolved_parent_ids,
)
from okrsync_jira.search import (
    DC_KEYS_PAGE_SIZE,
    IssueRef,
    OffsetPaging,
    TokenPaging,
    ahead,
    approximate_count,
    dc_search,
    in_order,
    issue_ref,
    search_pages_dc,
    search_ref_pages,
    search_refs,
    stable_order,
    together,
    updated_since,
)

__all__ = [
    "ISSUES_PER_CHANGELOG",
    "ISSUES_PER_FETCH",
    "SWEEP_MAX_AGE",
    "fetch_board_sprints",
    "fetch_boards",
    "fetch_changelogs",
    "fetch_issues",
    "fetch_sprints",
    "project_keys",
    "pull_query",
]

ISSUE_BULKFETCH_PATH = "/rest/api/3/issue/bulkfetch"
CHANGELOG_BULKFETCH_PATH = "/rest/api/3/changelog/bulkfetch"
ISSUES_PER_FETCH = 100
ISSUES_PER_CHANGELOG = 1000
# The most change histories a changelog page may hold (the API's documented maximum).
CHANGELOGS_PER_PAGE = 10000
# The most fields a changelog fetch may be filtered by.
CHANGELOG_FIELDS = 10
# How long members listed in full are trusted when the approximate count agrees.
SWEEP_MAX_AGE = timedelta(hours=24)
# Groups of 1,000 issues started while the one before them is handed over: the site
# works on the next ones while okrsync stores this one.
GROUPS_AHEAD = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_T = TypeVar("_T")


SprintSource = Callable[[Sequence[str]], Awaitable[Iterable[Sprint]]]


def project_keys(issue_keys: Iterable[str]) -> list[str]:
    """The projects of some issues: an issue key is its project's key, a dash, a number."""
    return sorted({key.rsplit("-", 1)[0] for key in issue_keys})


@dataclass
class _Pull:
    """One pull's inputs, and the query's members as they become known."""

    client: JiraClient
    catalog: FieldCatalog
    request: PullRequest
    wanted: list[str]  # the fields okrsync reads
    extra: dict[str, str]  # mapping name -> field id
    overlap: timedelta
    page_size: int
    members: list[str] = field(default_factory=list)  # keys
    swept_at: datetime | None = None  # when the listing of every member began


class _Batches(Protocol):
    def __call__(self, job: _Pull) -> AsyncGenerator[PullBatch, None]: ...


async def pull_query(
    client: JiraClient,
    catalog: FieldCatalog,
    request: PullRequest,
    *,
    overlap: timedelta,
    page_size: int = ISSUES_PER_FETCH,
    sprints: SprintSource | None = None,
) -> AsyncIterator[PullBatch | PullDone]:
    """The whole pull of one query; ``sprints`` gives the sprints of the projects seen.

    The client must know its deployment (``FieldCatalog.load`` settles it)."""
    first_request = client.requests
    extra = {name: catalog.resolve(name).id for name in request.fields}
    wanted = issue_fields(catalog, extra.values())
    job = _Pull(client, catalog, request, wanted, extra, overlap, page_size)
    cursor = request.since or _EPOCH
    strategy: _Batches = _cloud_batches if client.is_cloud else _datacenter_batches
    async with aclosing(strategy(job)) as batches:
        async for batch in batches:
            for item in batch.items:
                cursor = max(cursor, item.updated)
            yield batch

    found: list[Sprint] = []
    if sprints is not None and job.members:
        found = list(await sprints(project_keys(job.members)))
    yield PullDone(
        members=job.members,
        cursor=cursor,
        sprints=found,
        requests=client.requests - first_request,
        swept_at=job.swept_at,
    )


# --- Jira Cloud: ids, then bulk fetches and bulk changelogs ---------------------------------


async def _cloud_batches(job: _Pull) -> AsyncGenerator[PullBatch, None]:
    request = job.request
    if request.since is None:
        job.swept_at = _now()
        members: dict[str, str] = {}  # id -> key
        async with aclosing(_fetched(job, _new_groups(job, request.query, members))) as batches:
            async for batch in batches:
                yield batch
        job.members = list(members.values())
        return
    async with aclosing(_incremental(job)) as batches:
        async for batch in batches:
            yield batch


async def _incremental(job: _Pull) -> AsyncGenerator[PullBatch, None]:
    """The changed issues first; then, if the members must be listed, those not known."""
    client, request = job.client, job.request
    since_ms = math.floor(((request.since or _EPOCH) - job.overlap).timestamp() * 1000)
    started = _now()
    swept_at = request.members_swept_at
    # A listing "in the future" comes from a clock that is off: not trusted either.
    age = started - swept_at if swept_at is not None else SWEEP_MAX_AGE
    trusted = timedelta(0) <= age < SWEEP_MAX_AGE
    listing: asyncio.Future[list[IssueRef]] | None = None
    estimate: asyncio.Future[int | None] | None = None
    if trusted:
        estimate = asyncio.ensure_future(approximate_count(client, request.query))
    else:
        job.swept_at = started
        listing = asyncio.ensure_future(search_refs(client, request.query))
    try:
        changed = await search_refs(client, updated_since(request.query, max(since_ms, 0)))
        async with aclosing(_fetched(job, _chunks(changed, ISSUES_PER_CHANGELOG))) as batches:
            async for batch in batches:
                yield batch
        # The store reads the known keys while the changed issues are fetched.
        known = await request.known()
        if estimate is not None and known:
            joined = {ref.key for ref in changed if ref.key not in known}
            if await estimate == len(known) + len(joined):
                # Nothing left the query and nothing joined it unseen (see the notes above).
                job.members = list(known | joined)
                return
        if listing is None:  # the count disagreed: list the members after all
            job.swept_at = _now()
            listing = asyncio.ensure_future(search_refs(client, request.query))
        members = await listing
    finally:
        for future in (listing, estimate):
            if future is not None:
                settle(future)
    fetched = {ref.id for ref in changed}
    unknown = [ref for ref in members if ref.id not in fetched and ref.key not in known]
    async with aclosing(_fetched(job, _chunks(unknown, ISSUES_PER_CHANGELOG))) as batches:
        async for batch in batches:
            yield batch
    # An issue can join the changed search after the members search ran; it matches the
    # query, so it counts as a member.
    member_ids = {ref.id for ref in members}
    job.members = [ref.key for ref in members]
    job.members += [ref.key for ref in changed if ref.id not in member_ids]


async def _new_groups(
    job: _Pull, jql: str, seen: dict[str, str]
) -> AsyncGenerator[list[IssueRef], None]:
    """The query's members in groups of 1,000, each as soon as its id pages arrived;
    every member's key is added to ``seen`` by id (an issue shown twice is fetched once)."""
    group: list[IssueRef] = []
    async with aclosing(search_ref_pages(job.client, jql)) as pages:
        async for page in pages:
            for ref in page:
                if ref.id not in seen:
                    seen[ref.id] = ref.key
                    group.append(ref)
            while len(group) >= ISSUES_PER_CHANGELOG:
                yield group[:ISSUES_PER_CHANGELOG]
                group = group[ISSUES_PER_CHANGELOG:]
    if group:
        yield group


async def _fetched(
    job: _Pull, groups: AsyncIterable[Sequence[IssueRef]] | Iterable[Sequence[IssueRef]]
) -> AsyncGenerator[PullBatch, None]:
    """The batches of every group, in order; the next groups are fetched meanwhile."""

    def start(group: Sequence[IssueRef]) -> Awaitable[list[PullBatch]]:
        return _fetch_group(job.client, job.catalog, group, job.wanted, job.extra, job.page_size)

    source = groups if isinstance(groups, AsyncIterable) else _async(groups)
    async with aclosing(ahead(source, start, GROUPS_AHEAD)) as fetches:
        async for batches in fetches:
            for batch in batches:
                yield batch


async def _async(values: Iterable[_T]) -> AsyncGenerator[_T, None]:
    for value in values:
        yield value


def _now() -> datetime:
    return datetime.now(UTC)


async def _fetch_group(
    client: JiraClient,
    catalog: FieldCatalog,
    group: Sequence[IssueRef],
    wanted: list[str],
    extra: dict[str, str],
    page_size: int,
) -> list[PullBatch]:
    """Up to 1,000 issues: their bulk fetches and their changelog, all at once."""
    ids = [ref.id for ref in group]
    chunks = _chunks(ids, page_size)
    # One failure cancels the rest: nothing is left using a client about to be closed.
    both: list[Any] = await together(
        [
            together(fetch_issues(client, chunk, wanted) for chunk in chunks),
            fetch_changelogs(client, ids, catalog.tracked_field_ids()),
        ]
    )
    fetched: list[list[dict[str, Any]]] = both[0]
    histories: dict[str, list[dict[str, Any]]] = both[1]
    keys = {ref.id: ref.key for ref in group}
    raw_chunks: list[list[dict[str, Any]]] = list(fetched)
    for raw in (issue for chunk in raw_chunks for issue in chunk):
        keys[str(raw["id"])] = str(raw["key"])
        parent = (raw.get("fields") or {}).get("parent") or {}
        if parent.get("id") and parent.get("key"):
            keys[str(parent["id"])] = str(parent["key"])

    batches: list[PullBatch] = []
    all_changes: list[Change] = []
    for chunk in raw_chunks:
        items: list[Item] = []
        changes: list[Change] = []
        for raw in chunk:
            item = normalize_issue(raw, catalog, source=client.source, extra_fields=extra)
            items.append(item)
            changes += normalize_changes(
                item.key,
                histories.get(item.id, []),
                catalog,
                source=client.source,
                issue_keys=keys,
            )
        batches.append(PullBatch(items=items, changes=changes))
        all_changes += changes

    missing = unresolved_parent_ids(all_changes) - keys.keys()
    if missing:
        for raw in await _fetch_keys(client, sorted(missing)):
            keys[str(raw["id"])] = str(raw["key"])
        for batch in batches:
            batch.changes = [_with_parent_keys(change, keys) for change in batch.changes]
    return batches


async def fetch_issues(
    client: JiraClient, ids: Sequence[str], fields: Sequence[str]
) -> list[dict[str, Any]]:
    """One bulk fetch (≤ 100 issues). Issues Jira could not serve this time are asked
    for once more; issues that do not exist or are hidden are simply absent."""
    issues, failed = await _bulkfetch(client, ids, fields)
    if failed:
        retried, still_failed = await _bulkfetch(client, failed, fields)
        issues += retried
        if still_failed:
            raise ServerError(
                f"Jira could not return {len(still_failed)} issue(s) "
                f"(ids {', '.join(still_failed[:5])}); try again later",
                source=client.source,
            )
    return issues


async def _bulkfetch(
    client: JiraClient, ids: Sequence[str], fields: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The issues Jira served, and the ids it could not serve this time. A site without
    bulkfetch serves them through a search by id (``fallback``), which fails as a whole
    rather than by issue."""

    async def searched() -> tuple[list[dict[str, Any]], list[str]]:
        return await issues_by_search(client, ids, fields), []

    return await unless_absent(
        client,
        ISSUE_BULKFETCH_PATH,
        lambda: _bulkfetch_once(client, ids, fields),
        searched,
        instead="searches for the issues by id",
    )


async def _bulkfetch_once(
    client: JiraClient, ids: Sequence[str], fields: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    body = {"issueIdsOrKeys": list(ids), "fields": list(fields), "fieldsByKeys": False}
    answer = await client.post(ISSUE_BULKFETCH_PATH, body, idempotent=True)
    if not isinstance(answer, dict):
        raise ProtocolError("Jira's bulk fetch answered no JSON object", source=client.source)
    failed = [str(e["id"]) for e in answer.get("issueErrors") or [] if e.get("id")]
    return list(answer.get("issues") or []), failed


async def _fetch_keys(client: JiraClient, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Issues (id and key) by id: parents that changelogs name by id only."""
    found: list[dict[str, Any]] = []
    if not client.is_cloud:
        for part in _chunks(list(ids), DC_KEYS_PAGE_SIZE):
            try:
                async for page in search_pages_dc(client, _ids_jql(part), fields=["key"]):
                    found += page.get("issues") or []
            except QueryError:
                pass  # one of them is gone: its changes keep the id
        return found
    for chunk in _chunks(list(ids), ISSUES_PER_FETCH):
        issues, _ = await _bulkfetch(client, chunk, ["issuetype"])
        found += issues
    return found


async def fetch_changelogs(
    client: JiraClient, ids: Sequence[str], field_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every change history of up to 1,000 issues for the given fields, by issue id. A
    site without the bulk endpoint gives them issue by issue (``fallback``)."""
    if len(ids) > ISSUES_PER_CHANGELOG:
        raise ValueError("at most 1,000 issues per changelog fetch")
    if not ids:
        return {}
    wanted = list(field_ids)[:CHANGELOG_FIELDS]
    return await unless_absent(
        client,
        CHANGELOG_BULKFETCH_PATH,
        lambda: _bulk_changelogs(client, ids, wanted),
        lambda: changelogs_by_issue(client, ids, wanted),
        instead="reads each issue's changelog on its own",
    )


async def _bulk_changelogs(
    client: JiraClient, ids: Sequence[str], field_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    async def fetch(token: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "issueIdsOrKeys": list(ids),
            "fieldIds": list(field_ids),
            "maxResults": CHANGELOGS_PER_PAGE,
        }
        if token:
            body["nextPageToken"] = token
        page: dict[str, Any] = await client.post(CHANGELOG_BULKFETCH_PATH, body, idempotent=True)
        return page

    histories: dict[str, list[dict[str, Any]]] = {}
    async for page in TokenPaging().pages(fetch, source=client.source):
        for log in page.get("issueChangeLogs") or []:
            histories.setdefault(str(log.get("issueId")), []).extend(
                log.get("changeHistories") or []
            )
    return histories


def _with_parent_keys(change: Change, keys: dict[str, str]) -> Change:
    if change.field is not TrackedField.PARENT:
        return change
    return Change(
        source=change.source,
        key=change.key,
        at=change.at,
        field=change.field,
        from_value=keys.get(change.from_value, change.from_value) if change.from_value else None,
        to_value=keys.get(change.to_value, change.to_value) if change.to_value else None,
        change_id=change.change_id,
    )


def _chunks(values: Sequence[_T], size: int) -> list[Sequence[_T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


# --- Jira Data Center: search pages with inline changelogs ----------------------------------


@dataclass
class _Walk:
    """What the pages of one search brought, and whether they agreed with each other."""

    fetched: dict[str, IssueRef] = field(default_factory=dict)
    totals: set[int] = field(default_factory=set)
    repeated: bool = False

    @property
    def consistent(self) -> bool:
        total = next(iter(self.totals), len(self.fetched))
        return len(self.totals) <= 1 and not self.repeated and total == len(self.fetched)

    def add(self, refs: Iterable[IssueRef]) -> None:
        for ref in refs:
            self.repeated = self.repeated or ref.id in self.fetched
            self.fetched[ref.id] = ref


async def _datacenter_batches(job: _Pull) -> AsyncGenerator[PullBatch, None]:
    client, request = job.client, job.request
    walk = _Walk()
    # Data Center has no approximate count: its members are always listed.
    job.swept_at = _now()
    if request.since is None:
        async with aclosing(_dc_walk(job, request.query, walk)) as batches:
            async for batch in batches:
                yield batch
        job.members = [ref.key for ref in walk.fetched.values()]
        return
    since_ms = math.floor((request.since - job.overlap).timestamp() * 1000)
    changed = updated_since(request.query, max(since_ms, 0))
    members = asyncio.ensure_future(search_refs(client, request.query))
    try:
        async with aclosing(_dc_walk(job, changed, walk)) as batches:
            async for batch in batches:
                yield batch
        found = await members
    finally:
        settle(members)
    known = await request.known()
    unknown = [r for r in found if r.id not in walk.fetched and r.key not in known]
    async with aclosing(_dc_fetch(job, unknown, walk)) as batches:
        async for batch in batches:
            yield batch
    # An issue can join the changed search after the members search ran; it matches the
    # query, so it counts as a member.
    member_ids = {ref.id for ref in found}
    job.members = [ref.key for ref in found]
    job.members += [r.key for r in walk.fetched.values() if r.id not in member_ids]


async def _dc_walk(job: _Pull, jql: str, walk: _Walk) -> AsyncGenerator[PullBatch, None]:
    """Every issue of the search with its history, pages after the first read at once."""
    pages = search_pages_dc(
        job.client,
        stable_order(jql),
        fields=job.wanted,
        expand=("changelog",),
        page_size=job.page_size,
    )
    async with aclosing(pages):
        async for page in pages:
            if isinstance(page.get("total"), int):
                walk.totals.add(page["total"])
            batch, refs = await _dc_batch(job, page)
            walk.add(refs)
            yield batch
    if not walk.consistent:
        # Issues moved between the pages: ask again who matches, fetch whom the pages missed.
        matching = await search_refs(job.client, jql)
        missed = [ref for ref in matching if ref.id not in walk.fetched]
        async with aclosing(_dc_fetch(job, missed, walk)) as batches:
            async for batch in batches:
                yield batch
        fetched = walk.fetched
        walk.fetched = {ref.id: fetched[ref.id] for ref in matching if ref.id in fetched}


async def _dc_fetch(
    job: _Pull, refs: Sequence[IssueRef], walk: _Walk
) -> AsyncGenerator[PullBatch, None]:
    """Given issues with their history, ``page_size`` per search, the searches at once."""

    async def fetch(part: Sequence[IssueRef]) -> tuple[PullBatch, list[IssueRef]]:
        body = {
            "jql": stable_order(_ids_jql([ref.id for ref in part])),
            "startAt": 0,
            "maxResults": len(part),
            "fields": job.wanted,
            "expand": ["changelog"],
        }
        page = await dc_search(job.client, body)
        if not isinstance(page, dict):
            raise ProtocolError("Jira's search answered no JSON object", source=job.client.source)
        return await _dc_batch(job, page)

    window = 2 * job.client.settings.concurrency
    fetches = in_order((fetch(part) for part in _chunks(refs, job.page_size)), window)
    async with aclosing(fetches):
        async for batch, found in fetches:
            walk.add(found)
            yield batch


async def _dc_batch(job: _Pull, page: Mapping[str, Any]) -> tuple[PullBatch, list[IssueRef]]:
    """One search page as a batch: its issues, and the tracked changes of their histories."""
    client, catalog = job.client, job.catalog
    raws: list[dict[str, Any]] = list(page.get("issues") or [])
    histories = await together(_histories(client, raw) for raw in raws)
    keys: dict[str, str] = {}
    for raw in raws:
        ref = issue_ref(raw, client.source)
        keys[ref.id] = ref.key
        parent = (raw.get("fields") or {}).get("parent") or {}
        if parent.get("id") and parent.get("key"):
            keys[str(parent["id"])] = str(parent["key"])
    items: list[Item] = []
    changes: list[Change] = []
    for raw, history in zip(raws, histories, strict=True):
        item = normalize_issue(raw, catalog, source=client.source, extra_fields=job.extra)
        items.append(item)
        changes += normalize_changes(
            item.key, history, catalog, source=client.source, issue_keys=keys
        )
    missing = unresolved_parent_ids(changes) - keys.keys()
    if missing:
        for raw in await _fetch_keys(client, sorted(missing)):
            keys[str(raw["id"])] = str(raw["key"])
        changes = [_with_parent_keys(change, keys) for change in changes]
    refs = [IssueRef(id=item.id, key=item.key) for item in items]
    return PullBatch(items=items, changes=changes), refs


async def _histories(client: JiraClient, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An issue's inline changelog; the issue's own if the search's was cut short.

    Data Center's ``expand=changelog`` is complete, so the fallback is for sites that
    behave otherwise (Cloud truncates inline changelogs)."""
    changelog = raw.get("changelog") or {}
    histories = list(changelog.get("histories") or [])
    total = changelog.get("total")
    if isinstance(total, int) and total > len(histories):
        path = f"{client.api_root}/issue/{raw['id']}"
        full = await client.get(path, params={"fields": "key", "expand": "changelog"})
        if isinstance(full, Mapping):
            histories = list((full.get("changelog") or {}).get("histories") or [])
    return histories


def _ids_jql(ids: Sequence[str]) -> str:
    return f"id in ({', '.join(ids)})"


BOARDS_PATH = "/rest/agile/1.0/board"


async def fetch_sprints(client: JiraClient, projects: Sequence[str]) -> list[Sprint]:
    """Every sprint of the scrum boards of some projects (a board shared by several
    projects is read once). Kanban boards have no sprints and are skipped."""
    boards = [board for project in projects for board in await fetch_boards(client, project)]
    return await fetch_board_sprints(client, boards)


async def fetch_boards(client: JiraClient, project: str) -> list[str]:
    """The ids of a project's scrum boards: how the site is set up, where the sprints
    (``fetch_board_sprints``) are its data."""
    boards: list[str] = []

    async def board_page(start: int, size: int) -> dict[str, Any]:
        params = {"projectKeyOrId": project, "startAt": start, "maxResults": size}
        page: dict[str, Any] = await client.get(BOARDS_PATH, params)
        return page

    async for page in OffsetPaging("values", 50).pages(board_page, source=client.source):
        for board in page.get("values") or []:
            if board.get("type", "scrum") == "scrum" and board.get("id") is not None:
                boards.append(str(board["id"]))
    return list(dict.fromkeys(boards))


async def fetch_board_sprints(client: JiraClient, boards: Sequence[str]) -> list[Sprint]:
    """Every sprint of some boards, each board read once, by sprint id."""

    async def sprints_of(board_id: str) -> list[Sprint]:
        async def sprint_page(start: int, size: int) -> dict[str, Any]:
            params = {"startAt": start, "maxResults": size}
            page: dict[str, Any] = await client.get(f"{BOARDS_PATH}/{board_id}/sprint", params)
            return page

        found = []
        async for page in OffsetPaging("values", 50).pages(sprint_page, source=client.source):
            found += [
                normalize_sprint(raw, source=client.source, board_id=board_id)
                for raw in page.get("values") or []
            ]
        return found

    per_board = await together(sprints_of(board_id) for board_id in sorted(set(boards)))
    unique = {sprint.id: sprint for sprints in per_board for sprint in sprints}
    return [unique[sprint_id] for sprint_id in sorted(unique, key=_numeric_first)]


def _numeric_first(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (2**63, value)
