"""``GitHubConnector``: the GitHub implementation of ``okrsync.connector.Connector``.

Built from the instance name and its settings; owns one ``GitHubClient``. The configured
project (fields, Status options, iterations) is read once, on first use, and shared by
pulls and pushes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any, Unpack

from okrsync.connector import (
    Capabilities,
    PullBatch,
    PullDone,
    PullRequest,
    PushTarget,
    WriteReceipt,
)
from okrsync.connector_base import ClientOptions, HttpConnector
from okrsync.items import TrackedField
from okrsync.links import item_link
from okrsync_github import verify
from okrsync_github.client import GitHubClient
from okrsync_github.project import ESTIMATE_NAMES, ProjectInfo, load_project
from okrsync_github.pull import pull_query
from okrsync_github.push import Pusher
from okrsync_github.settings import GITHUB_COM, GitHubSettings, web_root

__all__ = ["GitHubConnector"]


class GitHubConnector(HttpConnector):
    """One configured GitHub (GitHub.com or Enterprise Server)."""

    settings_model = GitHubSettings
    client_type = GitHubClient
    settings: GitHubSettings
    client: GitHubClient
    # ``property`` is Jira's alone: a mapping asking GitHub for one fails validation.
    # GitHub keeps no history of number and iteration fields: okrsync observes those.
    capabilities = Capabilities(
        items=True,
        push=frozenset({"field", "comment", "create"}),
        history=frozenset(
            {
                TrackedField.STATUS,
                TrackedField.STATUS_CATEGORY,
                TrackedField.PARENT,
                TrackedField.WITHDRAWN,
            }
        ),
        estimate_names=frozenset(ESTIMATE_NAMES),
        online_check=True,
    )

    @classmethod
    def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
        """An issue's page, ``https://github.com/OWNER/REPO/issues/N`` (Enterprise
        Server: ``https://HOST/...`` for ``https://HOST/api/v3``). A pull request's key
        looks the same; GitHub redirects ``/issues/N`` to ``/pull/N``."""
        repo, _, number = key.rpartition("#")
        owner, _, name = repo.partition("/")
        if not (owner and name and number.isdigit()):
            return None
        root = web_root(str(settings.get("url") or GITHUB_COM))
        return item_link(root, owner, name, "issues", number)

    def __init__(
        self,
        instance: str,
        settings: Mapping[str, Any] | GitHubSettings,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(instance, settings, **options)
        self._project: ProjectInfo | None = None
        self._project_read = False
        self._lock = asyncio.Lock()
        self._pusher: Pusher | None = None

    async def project(self) -> ProjectInfo | None:
        async with self._lock:
            if not self._project_read:
                self._project = await load_project(self.client, self.settings)
                self._project_read = True
            return self._project

    async def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        project = await self.project()
        async for event in pull_query(
            self.client,
            request,
            project,
            overlap=self.settings.overlap,
            page_size=self.settings.page_size,
        ):
            yield event

    async def check_query(self, query: str) -> None:
        await verify.check_query(self.client, query)

    async def check_field(self, name: str) -> None:
        verify.check_field(await self.project(), name, self.instance)

    async def check_issue(self, issue: str) -> None:
        await verify.check_issue(self.client, issue)

    async def _push(self) -> Pusher:
        if self._pusher is None:
            self._pusher = Pusher(self.client, await self.project())
        return self._pusher

    async def read(self, target: PushTarget) -> Any:
        return await (await self._push()).read(target)

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        return await (await self._push()).write(target, value)
