"""``RedmineConnector``: the Redmine implementation of ``okrsync.connector.Connector``.

Built from the instance name and its settings; owns one ``RedmineClient``. Before
anything else it checks that Redmine knows the API key (an unknown key would be served
as anonymous), then loads the statuses, trackers and projects once; each project's
versions (the sprints) are read once per connector lifetime.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Unpack
from zoneinfo import ZoneInfo

from okrsync.connector import (
    Capabilities,
    PullBatch,
    PullDone,
    PullRequest,
    PushTarget,
    WriteReceipt,
)
from okrsync.connector_base import ClientOptions, HttpConnector
from okrsync.items import Sprint, TrackedField
from okrsync.links import item_link
from okrsync_redmine.catalog import Catalog
from okrsync_redmine.client import RedmineClient
from okrsync_redmine.pull import project_versions, pull_query, version_sprint
from okrsync_redmine.push import read_target, write_target, written_number
from okrsync_redmine.settings import RedmineSettings

__all__ = ["RedmineConnector"]


class RedmineConnector(HttpConnector):
    """One configured Redmine site. Use as an async context manager."""

    settings_model = RedmineSettings
    client_type = RedmineClient
    settings: RedmineSettings
    client: RedmineClient
    # Entity properties are Jira's alone.
    # The journals keep every change of status, target version, parent and estimate.
    capabilities = Capabilities(
        items=True,
        push=frozenset({"field", "comment", "create"}),
        history=frozenset(TrackedField),
    )

    @classmethod
    def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
        """An issue's page: ``{url}/issues/ID``."""
        return item_link(settings.get("url"), "issues", key)

    def __init__(
        self,
        instance: str,
        settings: Mapping[str, Any] | RedmineSettings,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(instance, settings, **options)
        self._catalog: Catalog | None = None
        self._catalog_lock = asyncio.Lock()
        self._versions: dict[int, list[dict[str, Any]]] = {}

    async def catalog(self) -> Catalog:
        async with self._catalog_lock:
            if self._catalog is None:
                await self.client.check_key()
                self._catalog = await Catalog.load(self.client, self.settings.in_progress)
            return self._catalog

    async def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        catalog = await self.catalog()
        async for event in pull_query(
            self.instance,
            self.client,
            catalog,
            request,
            estimate_setting=self.settings.estimate_field,
            overlap=self.settings.overlap,
            sprints_of=lambda projects: self.sprints(projects, request.timezone),
        ):
            yield event

    async def sprints(self, project_ids: Sequence[int], config_zone: ZoneInfo) -> list[Sprint]:
        """The versions of the projects (shared ones included), read once per project;
        a version's due date ends in ``config_zone`` unless the settings name a zone."""
        for project in project_ids:
            if project not in self._versions:
                self._versions[project] = await project_versions(self.client, project)
        zone = self.settings.zone(config_zone)
        unique = {
            s.id: s
            for p in project_ids
            for s in (version_sprint(self.instance, v, zone) for v in self._versions[p])
        }
        return list(unique.values())

    async def read(self, target: PushTarget) -> Any:
        return await read_target(self.client, await self.catalog(), target)

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        return await write_target(self.client, await self.catalog(), target, value)

    def written(self, target: PushTarget, value: Any) -> Any:
        """A field's number as Redmine keeps it (% Done: whole, 0 to 100)."""
        return written_number(target, value)
