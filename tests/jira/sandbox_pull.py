"""What the Jira tests against the sandbox share: the settings that log in to a site of
either dialect, a pull collected whole, and the requests a site received."""

from __future__ import annotations

from collections.abc import AsyncIterable
from datetime import UTC, datetime
from typing import Any

from okrsync_jira import JiraConnector
from okrsync_sandbox import PAT, SandboxServer

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.items import Change, Item


def utc(month: int, day: int, hour: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def site_settings(site: SandboxServer, **extra: Any) -> dict[str, Any]:
    """Cloud logs in with email and API token; Data Center with the Personal Access
    Token alone, so that the connector asks the site what it is."""
    if site.state.is_cloud:
        email, token = site.auth
        return {"type": "jira", "url": site.url, "email": email, "token": token, **extra}
    return {"type": "jira", "url": site.url, "token": PAT, **extra}


async def pull_all(
    connector: JiraConnector, request: PullRequest
) -> tuple[list[Item], list[Change], PullDone]:
    """Every item and change of one pull, and its closing ``PullDone``."""
    return await collect(connector.pull(request))


async def collect(
    events: AsyncIterable[PullBatch | PullDone],
) -> tuple[list[Item], list[Change], PullDone]:
    """The items and changes of a pull's batches, and the ``PullDone`` that ends them."""
    items: list[Item] = []
    changes: list[Change] = []
    done: PullDone | None = None
    async for event in events:
        assert done is None, "nothing may follow PullDone"
        if isinstance(event, PullBatch):
            items += event.items
            changes += event.changes
        else:
            done = event
    assert done is not None
    return items, changes, done


def request_paths(site: SandboxServer) -> list[tuple[str, str]]:
    return [(entry.method, entry.path) for entry in site.log]
