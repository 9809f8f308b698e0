"""The GitHub sandbox for tests: a seeded organization (sandbox/okrsync_github_sandbox/
DATASET.md) around ``FIXED_ANCHOR``, connectors pointed at it, and pulls collected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from okrsync_github import GitHubConnector
from okrsync_github_sandbox import FIXED_ANCHOR, GitHubSandbox, build_dataset

from okrsync.connector import PullBatch, PullDone, PullRequest
from okrsync.items import Change, Item

ANCHOR = datetime.combine(FIXED_ANCHOR, datetime.min.time(), tzinfo=UTC)
# An hour after the last seeded activity (platform#1 closed at A+35d 10:00).
PRESENT = ANCHOR + timedelta(days=36)
SELECTION = "repo:acme/shop-app label:checkout"


def at(day: float, hour: int = 0) -> datetime:
    return ANCHOR + timedelta(days=day, hours=hour)


@contextmanager
def github_site(*, travel: bool = False) -> Iterator[GitHubSandbox]:
    """A fresh seeded organization; with ``travel``, the process lives at ``PRESENT``
    (so the CLI's "now" is inside the cycle and after every seeded event)."""
    state = build_dataset(FIXED_ANCHOR)
    if not travel:
        with GitHubSandbox(state) as github:
            yield github
        return
    with time_machine.travel(PRESENT, tick=True), GitHubSandbox(state) as github:
        yield github


def connector(github: GitHubSandbox, **settings: Any) -> GitHubConnector:
    return GitHubConnector(
        "github", {"type": "github", "url": github.url, "token": github.token, **settings}
    )


@dataclass
class Pulled:
    items: dict[str, Item] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    done: list[PullDone] = field(default_factory=list)

    @property
    def members(self) -> list[str]:
        return self.done[-1].members


async def _pull(source: GitHubConnector, request: PullRequest) -> Pulled:
    pulled = Pulled()
    async for event in source.pull(request):
        if isinstance(event, PullBatch):
            pulled.items.update({i.key: i for i in event.items})
            pulled.changes.extend(event.changes)
        else:
            pulled.done.append(event)
    return pulled


async def pulls(source: GitHubConnector, *requests: PullRequest) -> list[Pulled]:
    """Each request pulled in turn by one connector, closed afterwards."""
    async with source:
        return [await _pull(source, request) for request in requests]


def pull(source: GitHubConnector, request: PullRequest) -> Pulled:
    return asyncio.run(pulls(source, request))[0]
