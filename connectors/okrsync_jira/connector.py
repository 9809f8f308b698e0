"""``JiraConnector``: the Jira implementation of ``okrsync.connector.Connector``.

Built from the instance name and its settings mapping; owns one ``JiraClient``. The field
catalog is loaded once, on first use, and shared by pulls and pushes; loading it settles
whether the site is Jira Cloud or Data Center (asking ``/serverInfo`` if the settings
cannot tell). Sprints are read once per project per connector lifetime. The catalog and
each project's boards are what the site's set-up is: a long-lived process keeps them
across runs (``HttpConnector.metadata``).
``read``/``write`` are the push side's (``okrsync_jira.push``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, Unpack

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
from okrsync_jira.pull import fetch_board_sprints, fetch_boards, project_keys, pull_query
from okrsync_jira.settings import JiraSettings

__all__ = ["JiraConnector"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


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
        self._sprints: dict[str, list[Sprint]] = {}

    async def catalog(self) -> FieldCatalog:
        """The site's fields and statuses (two requests, the first time only; three when
        the deployment must be detected), or those an earlier run read."""
        is_cloud, catalog = await self.metadata("catalog", self._read_catalog)
        if not self.reused("catalog"):
            return catalog
        self.client.settle_deployment(is_cloud)
        return catalog.kept_view()

    async def _read_catalog(self) -> tuple[bool, FieldCatalog]:
        catalog = await FieldCatalog.load(self.client)
        return self.client.is_cloud, catalog

    async def pull_events(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        # Loading the catalog settles Cloud or Data Center, which the pull depends on;
        # its requests belong to the first pull that needed it.
        catalog = await self.catalog()
        sprints: set[str] = set()
        async for event in pull_query(
            self.client,
            catalog,
            request,
            overlap=self.settings.overlap,
            page_size=self.settings.page_size,
            sprints=self.fetch_sprints,
        ):
            if isinstance(event, PullBatch):
                sprints.update(s for item in event.items for s in item.sprints)
            elif sprints - {s.id for s in event.sprints} and self._forget_boards():
                # An item is in a sprint of none of the boards read earlier: a board
                # may be new.
                event.sprints = await self.fetch_sprints(project_keys(event.members))
            yield event

    async def fetch_sprints(self, project_keys: Sequence[str]) -> list[Sprint]:
        """Sprints of the projects' scrum boards, read once per project."""
        missing = [key for key in project_keys if key not in self._sprints]
        for key in missing:
            try:
                boards = await self.metadata(
                    f"boards:{key}", partial(fetch_boards, self.client, key)
                )
                self._sprints[key] = await fetch_board_sprints(self.client, boards)
            except AuthError:
                raise
            except SourceConfigError as error:
                # Without Jira Software (or access to the boards) there are no sprints to
                # read; the pull's items are still good.
                log.warning("%s: no sprints read for project %s: %s", self.instance, key, error)
                self._sprints[key] = []
        unique = {s.id: s for key in project_keys for s in self._sprints.get(key, [])}
        return list(unique.values())

    def _forget_boards(self) -> bool:
        """Read the projects' boards again; False when none came from an earlier run."""
        if not self.forget_reused(lambda what: what.startswith("boards:")):
            return False
        self._sprints.clear()
        return True

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

        return await self.refreshing(
            lambda: self._with_catalog(lambda catalog: read_target(self.client, catalog, target))
        )

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        from okrsync_jira.push import write_target

        return await self.refreshing(
            lambda: self._with_catalog(
                lambda catalog: write_target(self.client, catalog, target, value)
            )
        )

    async def _with_catalog(self, use: Callable[[FieldCatalog], Awaitable[_T]]) -> _T:
        return await use(await self.catalog())
