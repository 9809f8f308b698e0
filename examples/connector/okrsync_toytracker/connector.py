"""The Toy Tracker connector: items and their history in, a number field and one comment
out. It imports okrsync only through ``okrsync.sdk``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self
from urllib.parse import parse_qsl

import httpx

from okrsync.sdk import (
    Capabilities,
    Change,
    ConnectorSettings,
    HttpStats,
    Item,
    ItemType,
    LinkPaginator,
    PullBatch,
    PullDone,
    PullRequest,
    PushTarget,
    StatusCategory,
    ToolWords,
    TrackedField,
    WriteReceipt,
    error_for_response,
    error_for_transport,
    pages,
)

# Toy Tracker's statuses, and what each means to okrsync.
CATEGORIES = {
    "todo": StatusCategory.TODO,
    "doing": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}
WORDS = ToolWords("Toy Tracker", credentials="check the token in your Toy Tracker profile")
MARKER = "okrsync:kr="  # the first line of the comment okrsync owns on an item
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the cursor of a pull that found nothing


class ToyTrackerSettings(ConnectorSettings):  # url, token, concurrency, timeout, ...
    type: Literal["toytracker"] = "toytracker"
    url_example: ClassVar[str] = "https://toy.example.com"


class ToyTrackerConnector:
    settings_model = ToyTrackerSettings
    capabilities = Capabilities(
        items=True,
        push=frozenset({"field", "comment"}),
        # Toy Tracker records every change of status and points; okrsync observes the rest.
        history=frozenset(
            {TrackedField.STATUS, TrackedField.STATUS_CATEGORY, TrackedField.ESTIMATE}
        ),
        estimate_names=frozenset({"points"}),
    )

    def __init__(self, instance: str, settings: Mapping[str, Any]) -> None:
        self.instance = instance
        self.settings = ToyTrackerSettings.load(settings, instance=instance)
        self.requests = 0
        self.http = self.settings.client(
            source=instance,
            stats=HttpStats(),
            headers={"Authorization": f"Bearer {self.settings.token.get_secret_value()}"},
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.http.aclose()

    async def call(
        self, method: str, path: str, *, query: bool = False, **options: Any
    ) -> httpx.Response:
        """One request; every failure becomes the okrsync error that says what to do."""
        self.requests += 1
        try:
            response = await self.http.request(method, path, **options)
        except httpx.TransportError as error:
            raise error_for_transport(error, source=self.instance, url=self.settings.url) from None
        if not response.is_success:
            try:  # Toy Tracker explains a failure in {"error": "..."}
                detail = str(response.json().get("error", ""))
            except ValueError:
                detail = ""
            raise error_for_response(
                response,
                source=self.instance,
                words=WORDS,
                base_url=self.settings.url,
                detail=detail,
                query=query,
            )
        return response

    # --- pull -----------------------------------------------------------------------

    async def pull(self, request: PullRequest) -> AsyncIterator[PullBatch | PullDone]:
        filters = dict(parse_qsl(request.query))  # the query is Toy Tracker's filter
        if request.since is not None:  # only what changed, re-reading a little before
            since = request.since - self.settings.overlap
            filters["updated_since"] = since.isoformat()
        first, newest = self.requests, request.since or EPOCH

        async def fetch(url: str | None) -> httpx.Response:
            if url is not None:  # the next page's URL, filters included
                return await self.call("GET", url, query=True)
            return await self.call("GET", "/api/items", params=filters, query=True)

        async for page in pages(fetch, LinkPaginator(), source=self.instance):
            raw = page.json()
            items = [self.item(each) for each in raw]
            yield PullBatch(items, [c for each in raw for c in self.changes(each)])
            newest = max([newest, *(i.updated for i in items)])
        project = {"project": filters.get("project", "")}
        members = (await self.call("GET", "/api/ids", params=project, query=True)).json()
        yield PullDone(
            members=members,
            cursor=newest,
            requests=self.requests - first,
        )

    def item(self, raw: Mapping[str, Any]) -> Item:
        status = raw["status"]
        return Item(
            source=self.instance,
            key=raw["id"],
            id=raw["id"],
            project=raw["project"],
            type=ItemType.TASK,
            type_name="Item",
            summary=raw["title"],
            status=status,
            status_category=CATEGORIES[status],
            created=datetime.fromisoformat(raw["created"]),
            updated=datetime.fromisoformat(raw["updated"]),
            estimate=raw["points"],
        )

    def changes(self, raw: Mapping[str, Any]) -> list[Change]:
        """The item's history as okrsync's ``Change`` records (a status change is also
        a change of its category)."""
        found = []
        for entry in raw["history"]:
            old, new = entry["from"], entry["to"]
            if entry["field"] == "status":
                category = (CATEGORIES[old].value, CATEGORIES[new].value)
                fields = [
                    (TrackedField.STATUS, old, new),
                    (TrackedField.STATUS_CATEGORY, *category),
                ]
            else:  # points, written as okrsync writes numbers ("8.0")
                fields = [(TrackedField.ESTIMATE, old, new)]
            at = datetime.fromisoformat(entry["at"])
            found += [
                Change(self.instance, raw["id"], at, name, before, after, str(entry["id"]))
                for name, before, after in fields
            ]
        return found

    # --- push -----------------------------------------------------------------------

    async def read(self, target: PushTarget) -> Any:
        if target.what == "field":
            item = (await self.call("GET", f"/api/items/{target.issue}")).json()
            return item["fields"].get(target.field)
        comment = await self.own_comment(target)
        return None if comment is None else comment["body"].split("\n", 1)[1]

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        if target.what == "field":
            path = f"/api/items/{target.issue}/fields/{target.field}"
            await self.call("PUT", path, json={"value": value})
            return WriteReceipt(issue=target.issue)
        body = f"{MARKER}{target.kr_id}\n{value}"
        comment = await self.own_comment(target)
        if comment is None:
            path = f"/api/items/{target.issue}/comments"
            comment = (await self.call("POST", path, json={"body": body})).json()
        else:
            await self.call("PUT", f"/api/comments/{comment['id']}", json={"body": body})
        return WriteReceipt(issue=target.issue, ref=comment["id"])

    async def own_comment(self, target: PushTarget) -> dict[str, Any] | None:
        """The comment okrsync wrote for this KR, found by its first line."""
        comments = (await self.call("GET", f"/api/items/{target.issue}/comments")).json()
        mark = f"{MARKER}{target.kr_id}\n"
        return next((c for c in comments if c["body"].startswith(mark)), None)
