"""Pulling one Redmine issue filter with the fewest requests Redmine's API allows.

Redmine lists issues 100 a page (``offset``/``limit``) but ignores ``include=journals``
in lists, so an issue's history costs one ``GET /issues/{id}.json?include=journals``.
A full pull of N issues is ceil(N/100) pages (the first one tells how many follow; the
rest are asked together) plus N journal reads, plus a handful once per connector: the
key check, statuses, trackers, projects, and each project's versions (the sprints).

An incremental pull lists the issues updated since the cursor (less the overlap) and
reads their journals. Members that left the query, or joined it without being updated,
are noticed by the query's ``total_count`` (one request with ``limit=1``): when it
equals the known members plus the changed ones not known yet, nothing left or joined
unseen; otherwise, or when the members were last listed more than ``SWEEP_MAX_AGE``
ago, every member is listed again and the unknown ones are read in full.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.errors import ProtocolError, QueryError
from okrsync.items import Sprint
from okrsync_redmine.catalog import PAGE, Catalog, list_all
from okrsync_redmine.client import RedmineClient
from okrsync_redmine.normalize import Estimate, parse_time, to_item

__all__ = [
    "SWEEP_MAX_AGE",
    "count",
    "filter_params",
    "list_ids",
    "project_versions",
    "pull_query",
    "version_sprint",
]

SWEEP_MAX_AGE = timedelta(hours=24)
_PAGING = frozenset({"offset", "limit", "page", "per_page"})


def filter_params(query: str) -> list[tuple[str, str]]:
    """The query as Redmine's issue list takes it, closed issues included unless the
    query says which statuses; okrsync does the paging itself."""
    params = parse_qsl(query.strip().lstrip("?"), keep_blank_values=True)
    paging = sorted({name for name, _ in params if name in _PAGING})
    if paging:
        raise QueryError(
            f"the query sets {', '.join(paging)}, but okrsync reads every page itself: "
            "remove it from the query"
        )
    if not params:
        raise QueryError(
            "the query is empty: give Redmine's issue filter, e.g. project_id=shop&tracker_id=2"
        )
    if not any(name == "status_id" for name, _ in params):
        params.append(("status_id", "*"))
    return [*params, ("sort", "id")]


async def _page(
    client: RedmineClient, params: Sequence[tuple[str, str]], offset: int, limit: int = PAGE
) -> tuple[list[dict[str, Any]], int]:
    answer = await client.get(
        "/issues.json",
        [*params, ("offset", str(offset)), ("limit", str(limit))],
        query=True,
    )
    issues = answer.get("issues") if isinstance(answer, Mapping) else None
    total = answer.get("total_count") if isinstance(answer, Mapping) else None
    if not isinstance(issues, list) or not isinstance(total, int):
        raise ProtocolError("Redmine answered the issue list without issues", source=client.source)
    return issues, total


async def list_ids(client: RedmineClient, params: Sequence[tuple[str, str]]) -> list[str]:
    """The ids of every issue the filter matches: the first page, then the rest at once."""
    first, total = await _page(client, params, 0)
    offsets = range(PAGE, total, PAGE)
    rest = await asyncio.gather(*(_page(client, params, offset) for offset in offsets))
    issues = first + [issue for page, _ in rest for issue in page]
    # Pages read at different moments may overlap when issues are added meanwhile.
    return list(dict.fromkeys(str(issue["id"]) for issue in issues))


async def count(client: RedmineClient, params: Sequence[tuple[str, str]]) -> int:
    return (await _page(client, params, 0, 1))[1]


async def _with_journals(client: RedmineClient, issue_id: str) -> dict[str, Any]:
    answer = await client.get(f"/issues/{issue_id}.json", {"include": "journals"})
    issue = answer.get("issue") if isinstance(answer, Mapping) else None
    if not isinstance(issue, dict):
        raise ProtocolError(f"Redmine answered issue {issue_id} without it", source=client.source)
    return issue


class _Pull:
    def __init__(
        self,
        source: str,
        client: RedmineClient,
        catalog: Catalog,
        request: PullRequest,
        estimate_setting: str | None,
    ) -> None:
        self.source, self.client, self.catalog, self.request = source, client, catalog, request
        self.estimate_setting = estimate_setting
        self.estimate: Estimate | None = None
        self.projects: set[int] = set()

    async def batches(self, ids: Sequence[str]) -> AsyncIterator[PullBatch]:
        for start in range(0, len(ids), PAGE):
            part = ids[start : start + PAGE]
            issues = await asyncio.gather(*(_with_journals(self.client, i) for i in part))
            if self.estimate is None and issues:
                self.estimate = Estimate.find(self.estimate_setting, issues)
            batch = PullBatch(items=[], changes=[])
            for issue in issues:
                item, changes = to_item(
                    self.source,
                    issue,
                    self.catalog,
                    self.estimate or Estimate(None),
                    self.request.fields,
                )
                self.projects.add(int(issue["project"]["id"]))
                batch.items.append(item)
                batch.changes.extend(changes)
            yield batch


async def pull_query(
    source: str,
    client: RedmineClient,
    catalog: Catalog,
    request: PullRequest,
    *,
    estimate_setting: str | None,
    overlap: timedelta,
    sprints_of: Any,
) -> AsyncIterator[PullBatch | PullDone]:
    """Batches of 100 issues with their history, then one ``PullDone``."""
    params = filter_params(request.query)
    started = datetime.now(UTC)
    job = _Pull(source, client, catalog, request, estimate_setting)
    swept_at: datetime | None = started
    if request.since is None:
        members = await list_ids(client, params)
        async for batch in job.batches(members):
            yield batch
    else:
        since = (request.since - overlap).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        changed = await list_ids(client, [*params, ("updated_on", f">={since}")])
        async for batch in job.batches(changed):
            yield batch
        known = await request.known()
        age = started - request.members_swept_at if request.members_swept_at else SWEEP_MAX_AGE
        joined = set(changed) - known
        if timedelta(0) <= age < SWEEP_MAX_AGE and await count(client, params) == len(known) + len(
            joined
        ):
            members = sorted(known | joined, key=int)
            swept_at = None
        else:
            members = await list_ids(client, params)
            unknown = [key for key in members if key not in known and key not in joined]
            async for batch in job.batches(unknown):
                yield batch
    yield PullDone(
        members=members,
        cursor=started,
        sprints=await sprints_of(sorted(job.projects)),
        swept_at=swept_at,
    )


def version_sprint(source: str, version: Mapping[str, Any], zone: ZoneInfo) -> Sprint:
    """A version as a sprint: it closes at the end of its due date (in ``zone``) once
    its status is closed; a closed version without a due date, when it was last
    changed."""
    due = version.get("due_date")
    end = (
        datetime.combine(
            datetime.fromisoformat(str(due)).date() + timedelta(days=1), time(), zone
        ).astimezone(UTC)
        if due
        else None
    )
    closed = version.get("status") == "closed"
    completed = (end or parse_time(version["updated_on"])) if closed else None
    return Sprint(
        source=source,
        id=str(version["id"]),
        name=str(version.get("name") or version["id"]),
        state="closed" if closed else "active",
        board_id=str((version.get("project") or {}).get("id", "")) or None,
        end=end,
        completed=completed,
    )


async def project_versions(client: RedmineClient, project_id: int) -> list[dict[str, Any]]:
    return await list_all(client, f"/projects/{project_id}/versions.json", "versions")
