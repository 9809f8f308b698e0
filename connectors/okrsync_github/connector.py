"""``GitHubConnector``: the GitHub implementation of ``okrsync.connector.Connector``.

Built from the instance name and its settings; owns one ``GitHubClient``. The configured
project (fields, Status options, iterations) is read once, on first use, and shared by
pulls and pushes; a long-lived process keeps it across runs (``HttpConnector.metadata``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import partial
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
from okrsync_github.project import ESTIMATE_NAMES, ProjectInfo, project_info, read_project
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
        self._pusher: Pusher | None = None
        # GitHub's answer about the project, and what this connector made of it.
        self._info: tuple[Mapping[str, Any], ProjectInfo] | None = None

    async def project(self) -> ProjectInfo | None:
        """The configured project, read once (or by an earlier run: its iterations'
        states are worked out again, as of the first use here)."""
        found = await self.metadata("project", partial(read_project, self.client, self.settings))
        if found is None:
            return None
        if self._info is None or self._info[0] is not found:
            kept = self.reused("project")
            self._info = (found, project_info(found, self.settings, self.instance, kept=kept))
        return self._info[1]

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
        project = await self.project()
        if self._pusher is None:
            self._pusher = Pusher(self.client, project)
        # The project read again after a kept one missed something.
        self._pusher.project = project
        return self._pusher

    async def read(self, target: PushTarget) -> Any:
        return await self.refreshing(lambda: self._reading(target))

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        return await self.refreshing(lambda: self._writing(target, value))

    async def _reading(self, target: PushTarget) -> Any:
        return await (await self._push()).read(target)

    async def _writing(self, target: PushTarget, value: Any) -> WriteReceipt:
        return await (await self._push()).write(target, value)
