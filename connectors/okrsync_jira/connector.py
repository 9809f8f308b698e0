"""``JiraConnector``: the Jira implementation of ``okrsync.connector.Connector``.

Built from the instance name and its settings mapping; owns one ``JiraClient``. The field
catalog is loaded once, on first use, and shared by pulls and pushes; loading it settles
whether the site is Jira Cloud or Data Center (asking ``/serverInfo`` if the settings
cannot tell). Sprints are read once per project per connector lifetime.
``read``/``write`` are the push side's (``okrsync_jira.push``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
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
from okrsync.errors import AuthError, SourceConfigError
from okrsync.items import Sprint, TrackedField
from okrsync.links import item_link
from okrsync_jira.client import JiraClient
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.pull import fetch_sprints, pull_query
from okrsync_jira.settings import JiraSettings

__all__ = ["JiraConnector"]

log = logging.getLogger(__name__)


class JiraConnector(HttpConnector):
    """One configured Jira site. Use as an async context manager."""

    # ``okrsync validate`` checks an instance's settings with this model, and the
    # mappings that name it with these capabilities.
    settings_model = JiraSettings
    client_type = JiraClient
    settings: JiraSettings
    client: JiraClient
    capabilities = Capabilities(
        items=True,
        push=frozenset({"field", "comment", "property", "create"}),
        online_check=True,
        # The changelog records every field okrsync tracks.
        history=frozenset(TrackedField),
        # Team-managed projects call it "Story point estimate"; some sites "Story point".
        estimate_names=frozenset({"story point", "story point estimate"}),
    )

    @classmethod
    def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
        """An issue's page: ``{url}/browse/KEY`` (Cloud and Data Center alike)."""
        return item_link(settings.get("url"), "browse", key)

    def __init__(
        self,
        instance: str,
        settings: Mapping[str, Any] | JiraSettings,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(instance, settings, **options)
        self._catalog: FieldCatalog | None = None
        self._catalog_lock = asyncio.Lock()
        self._sprints: dict[str, list[Sprint]] = {}

    async def catalog(self) -> FieldCatalog:
        """The site's fields and statuses (two requests, the first time only; three when
        the deployment must be detected)."""
        async with self._catalog_lock:
            if self._catalog is None:
                self._catalog = await FieldCatalog.load(self.client)
            return self._catalog

    async def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        # Loading the catalog settles Cloud or Data Center, which the pull depends on;
        # its requests belong to the first pull that needed it.
        catalog = await self.catalog()
        async for event in pull_query(
            self.client,
            catalog,
            request,
            overlap=self.settings.overlap,
            page_size=self.settings.page_size,
            sprints=self.fetch_sprints,
        ):
            yield event

    async def fetch_sprints(self, project_keys: Sequence[str]) -> list[Sprint]:
        """Sprints of the projects' scrum boards, read once per project."""
        missing = [key for key in project_keys if key not in self._sprints]
        for key in missing:
            try:
                self._sprints[key] = await fetch_sprints(self.client, [key])
            except AuthError:
                raise
            except SourceConfigError as error:
                # Without Jira Software (or access to the boards) there are no sprints to
                # read; the pull's items are still good.
                log.warning("%s: no sprints read for project %s: %s", self.instance, key, error)
                self._sprints[key] = []
        unique = {s.id: s for key in project_keys for s in self._sprints.get(key, [])}
        return list(unique.values())

    async def check_query(self, query: str) -> None:
        from okrsync_jira.verify import check_query

        await self.catalog()  # settles Cloud or Data Center, which the search depends on
        await check_query(self.client, query)

    async def check_field(self, name: str) -> None:
        from okrsync_jira.verify import check_field

        check_field(await self.catalog(), name)

    async def check_issue(self, issue: str) -> None:
        from okrsync_jira.verify import check_issue

        await self.catalog()
        await check_issue(self.client, issue)

    async def read(self, target: PushTarget) -> Any:
        from okrsync_jira.push import read_target

        return await read_target(self.client, await self.catalog(), target)

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        from okrsync_jira.push import write_target

        return await write_target(self.client, await self.catalog(), target, value)
