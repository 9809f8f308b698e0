"""Pulling one selection: the search lists the members, GraphQL batches of 100 nodes
bring each issue with its timeline and project fields (contract 6.1).

Requests near GitHub's minimum: ``ceil(N/100)`` search pages (per 1,000-result range)
and ``ceil(N/100)`` GraphQL batches for N issues, plus a page for each timeline longer
than 100 events. An incremental pull asks the search for what changed since the cursor
(``updated:>=``, minus the overlap) and fetches only those; once a day it lists every
member again, so that an issue that left the selection leaves the store's too. The
answers of that listing are kept in the store (``PullDone.answers``), so that the next
listing, in another process too, re-reads unchanged pages with ``If-None-Match``: a
304 costs no quota. The changed-since searches are never asked twice and are not kept.

Issues closed as not planned or as duplicates stay members: their history says from
when they are withdrawn (``okrsync_github.history``), so at an instant before the close
they count as what they were then, and after it the evaluator leaves them out (counted
in a warning).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from okrsync.connector import PullBatch, PullDone, PullRequest, SeenAnswer
from okrsync.errors import ProtocolError
from okrsync.items import Change, Item, ItemType, Sprint
from okrsync_github import queries
from okrsync_github.client import GitHubClient
from okrsync_github.history import Rules, changes_of, parse_instant
from okrsync_github.project import ProjectInfo
from okrsync_github.search import normalized_query, search_all, stamp

__all__ = ["item_key", "pull_query"]

# How long the members listed by an incremental pull may be trusted.
SWEEP_EVERY = timedelta(days=1)
_TYPES = {
    "bug": ItemType.BUG,
    "feature": ItemType.STORY,
    "story": ItemType.STORY,
    "user story": ItemType.STORY,
    "task": ItemType.TASK,
    "epic": ItemType.EPIC,
}


def item_key(found: Mapping[str, Any]) -> str:
    """``OWNER/REPO#N`` of a REST search item."""
    repo = str(found["repository_url"]).rsplit("/repos/", 1)[-1]
    return f"{repo}#{found['number']}"


async def pull_query(
    client: GitHubClient,
    request: PullRequest,
    project: ProjectInfo | None,
    *,
    overlap: timedelta,
    page_size: int,
) -> AsyncIterator[PullBatch | PullDone]:
    started = datetime.now(UTC)
    query = normalized_query(request.query)
    sweep = (
        request.since is None
        or request.members_swept_at is None
        or started - request.members_swept_at > SWEEP_EVERY
    )
    answers: dict[str, SeenAnswer] | None = None
    if sweep:
        for url, answer in request.answers.items():
            client.seen.setdefault(url, answer)
        first = len(client.asked)
        found = await search_all(client, query, per_page=page_size)
        asked = client.asked[first:]
        answers = {url: client.seen[url] for url in asked if url in client.seen}
        del client.asked[first:]
    else:
        assert request.since is not None
        changed = f"{query} updated:>={stamp(request.since - overlap)}"
        found = await search_all(client, changed, per_page=page_size)
    known = await request.known()
    since = request.since - overlap if request.since is not None else None
    wanted = [
        f
        for f in found
        if since is None or item_key(f) not in known or parse_instant(str(f["updated_at"])) >= since
    ]
    rules = Rules(project.id if project else None, project.in_progress if project else frozenset())
    batches = [wanted[n : n + page_size] for n in range(0, len(wanted), page_size)]
    # As many batches in flight as the client sends requests at once, and no more in
    # memory: each window is stored before the next is fetched.
    window = client.settings.concurrency
    for start in range(0, len(batches), window):
        chosen = batches[start : start + window]
        fetched = await asyncio.gather(
            *(_fetch(client, b, rules, project, request.fields) for b in chosen)
        )
        for batch in fetched:
            yield batch
    if sweep:
        members = sorted(item_key(f) for f in found)
    else:
        members = sorted(set(known) | {item_key(f) for f in found})
    sprints: list[Sprint] = list(project.sprints) if project else []
    yield PullDone(
        members=members,
        cursor=started,
        sprints=sprints,
        swept_at=started if sweep else None,
        answers=answers,
    )


async def _fetch(
    client: GitHubClient,
    found: Sequence[Mapping[str, Any]],
    rules: Rules,
    project: ProjectInfo | None,
    fields: Sequence[str],
) -> PullBatch:
    ids = [str(f["node_id"]) for f in found]
    data = await client.graphql(queries.NODES, {"ids": ids})
    nodes = (data or {}).get("nodes")
    if not isinstance(nodes, list) or len(nodes) != len(ids):
        raise ProtocolError(
            "GitHub answered a batch of issues without its nodes", source=client.source
        )
    items: list[Item] = []
    changes: list[Change] = []
    for node in nodes:
        if not isinstance(node, Mapping):
            continue  # deleted or transferred since the search listed it
        events = await _timeline(client, node)
        item, history = _normalize(client.source, node, events, rules, project, fields)
        items.append(item)
        changes.extend(history)
    return PullBatch(items, changes)


async def _timeline(client: GitHubClient, node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    timeline = node.get("timelineItems") or {}
    events = list(timeline.get("nodes") or [])
    info = timeline.get("pageInfo") or {}
    while info.get("hasNextPage"):
        data = await client.graphql(
            queries.TIMELINE, {"id": node["id"], "after": info["endCursor"]}
        )
        timeline = ((data or {}).get("node") or {}).get("timelineItems") or {}
        events.extend(timeline.get("nodes") or [])
        info = timeline.get("pageInfo") or {}
    return [e for e in events if isinstance(e, Mapping) and e.get("createdAt")]


def _item_type(node: Mapping[str, Any], labels: Sequence[str]) -> tuple[ItemType, str]:
    if node.get("__typename") == "PullRequest":
        return ItemType.TASK, "Pull request"
    issue_type = (node.get("issueType") or {}).get("name")
    if issue_type:
        return _TYPES.get(str(issue_type).lower(), ItemType.TASK), str(issue_type)
    lowered = {label.lower() for label in labels}
    if "bug" in lowered:
        return ItemType.BUG, "Issue"
    if "epic" in lowered:
        return ItemType.EPIC, "Issue"
    return ItemType.TASK, "Issue"


def _field_values(node: Mapping[str, Any], project: ProjectInfo | None) -> dict[str, Any]:
    """The configured project's field values of this issue, by field name."""
    if project is None:
        return {}
    for entry in (node.get("projectItems") or {}).get("nodes") or []:
        if (entry.get("project") or {}).get("id") != project.id:
            continue
        values: dict[str, Any] = {}
        for value in (entry.get("fieldValues") or {}).get("nodes") or []:
            name = ((value or {}).get("field") or {}).get("name")
            if name:
                values[name] = value
        return values
    return {}


def _normalize(
    source: str,
    node: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    rules: Rules,
    project: ProjectInfo | None,
    fields: Sequence[str] = (),
) -> tuple[Item, list[Change]]:
    repo = str(node["repository"]["nameWithOwner"])
    key = f"{repo}#{node['number']}"
    labels = tuple(str(x["name"]) for x in (node.get("labels") or {}).get("nodes") or [])
    item_type, type_name = _item_type(node, labels)
    shape, history = changes_of(
        source, key, events, rules, is_pr=node.get("__typename") == "PullRequest"
    )
    values = _field_values(node, project)
    estimate = None
    sprints: tuple[str, ...] = ()
    if project is not None:
        if project.estimate_field and project.estimate_field in values:
            estimate = values[project.estimate_field].get("number")
        if project.iteration_field and project.iteration_field in values:
            sprints = (str(values[project.iteration_field]["iterationId"]),)
        if "Status" in values:
            shape.project_status = values["Status"].get("name")
        project.check_known(shape.project_status, sprints[0] if sprints else None, source=source)
    parent = node.get("parent")
    closed_at = node.get("closedAt")
    item = Item(
        source=source,
        key=key,
        id=str(node["id"]),
        project=repo,
        type=item_type,
        type_name=type_name,
        summary=str(node.get("title") or ""),
        status=shape.name(rules),
        status_category=shape.category(rules),
        created=parse_instant(str(node["createdAt"])),
        updated=parse_instant(str(node["updatedAt"])),
        resolved=parse_instant(str(closed_at)) if closed_at and shape.closed else None,
        estimate=float(estimate) if estimate is not None else None,
        parent=f"{parent['repository']['nameWithOwner']}#{parent['number']}" if parent else None,
        sprints=sprints,
        labels=labels,
        # Other fields a mapping reads (``sum: FIELD``) are the project's number fields.
        fields={name: values[name].get("number") for name in fields if name in values},
    )
    return item, history
