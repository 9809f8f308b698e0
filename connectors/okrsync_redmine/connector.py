"""``RedmineConnector``: the Redmine implementation of ``okrsync.connector.Connector``.

Built from the instance name and its settings; owns one ``RedmineClient``. Before
anything else it checks that Redmine knows the API key (an unknown key would be served
as anonymous): once per connector, so once per run, even when what follows is kept.
The statuses, trackers and projects (the catalog) and each project's versions (the
sprints) are read once per connector, or kept from an earlier run of a long-lived
process (``okrsync.kept_metadata``): a kept catalog that meets a status or project it
does not know, or kept versions missing an issue's target version, are read again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, Unpack
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

_T = TypeVar("_T")


def _versions(what: str) -> bool:
    return what.startswith("versions:")


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
        self._key_lock = asyncio.Lock()
        self._key_checked = False

    async def catalog(self) -> Catalog:
        async with self._key_lock:
            if not self._key_checked:
                await self.client.check_key()
                self._key_checked = True
        catalog = await self.metadata(
            "catalog", partial(Catalog.load, self.client, self.settings.in_progress)
        )
        return catalog.kept_view() if self.reused("catalog") else catalog

    async def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        catalog = await self.catalog()
        targeted: set[str] = set()  # the issues' target versions, as they pass

        async def sprints_of(projects: Sequence[int]) -> list[Sprint]:
            found = await self.sprints(projects, request.timezone)
            if targeted - {s.id for s in found} and self.forget_reused(_versions):
                # A version none of the kept lists has: it may be new.
                found = await self.sprints(projects, request.timezone)
            return found

        async for event in pull_query(
            self.instance,
            self.client,
            catalog,
            request,
            estimate_setting=self.settings.estimate_field,
            overlap=self.settings.overlap,
            sprints_of=sprints_of,
        ):
            if isinstance(event, PullBatch):
                targeted.update(s for item in event.items for s in item.sprints)
            yield event

    async def sprints(self, project_ids: Sequence[int], config_zone: ZoneInfo) -> list[Sprint]:
        """The versions of the projects (shared ones included), read once per project;
        a version's due date ends in ``config_zone`` unless the settings name a zone."""
        zone = self.settings.zone(config_zone)
        unique: dict[str, Sprint] = {}
        for project in project_ids:
            versions = await self.metadata(
                f"versions:{project}", partial(project_versions, self.client, project)
            )
            unique.update(
                (s.id, s) for s in (version_sprint(self.instance, v, zone) for v in versions)
            )
        return list(unique.values())

    async def read(self, target: PushTarget) -> Any:
        return await self.refreshing(
            lambda: self._with_catalog(lambda catalog: read_target(self.client, catalog, target))
        )

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        return await self.refreshing(
            lambda: self._with_catalog(
                lambda catalog: write_target(self.client, catalog, target, value)
            )
        )

    async def _with_catalog(self, use: Callable[[Catalog], Awaitable[_T]]) -> _T:
        return await use(await self.catalog())

    def written(self, target: PushTarget, value: Any) -> Any:
        """A field's number as Redmine keeps it (% Done: whole, 0 to 100)."""
        return written_number(target, value)
