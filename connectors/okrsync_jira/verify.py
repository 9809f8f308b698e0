"""What ``okrsync validate --online`` asks a Jira site, without writing anything.

A query is run as the pull would run it, asking for one issue id (Cloud) or only the
count (Data Center), so that Jira's own message for a query it cannot run, an unbounded
one on Cloud included, is the one the champion sees. A field a mapping reads must be in
the site's field list; the estimate's names (``Story Points``, ``story_points``...) ask
for the field the pull reads estimates from.
"""

from __future__ import annotations

from okrsync.errors import FieldNotFound
from okrsync.items import is_estimate_field
from okrsync_jira.client import JiraClient
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.search import SEARCH_PATH, dc_search

__all__ = ["check_field", "check_issue", "check_query"]


async def check_query(client: JiraClient, jql: str) -> None:
    """Raise ``QueryError`` with Jira's message when the site cannot run the JQL."""
    if client.is_cloud:
        body = {"jql": jql, "fields": ["id"], "maxResults": 1}
        await client.post(SEARCH_PATH, body, query=True, idempotent=True)
    else:
        await dc_search(client, {"jql": jql, "startAt": 0, "maxResults": 0, "fields": ["id"]})


def check_field(catalog: FieldCatalog, name: str) -> None:
    """Raise ``FieldNotFound`` when the site has no field of this name or id."""
    if is_estimate_field(name):
        if catalog.story_points is None:
            raise FieldNotFound(
                f"Jira has no story points field for {name!r}: no field of type "
                "jsw-story-points and no number field named Story Points; name the "
                "estimate field in the connector's story_points_field",
                source=catalog.source,
            )
        return
    catalog.resolve(name)


async def check_issue(client: JiraClient, issue: str) -> None:
    """Raise ``NotFound`` when the issue does not exist or the account cannot see it."""
    await client.get(f"{client.api_root}/issue/{issue}", params={"fields": "key"})
