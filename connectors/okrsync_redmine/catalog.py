"""What a Redmine site says once per connector: its statuses, trackers and projects.

Statuses give each status name and whether it is closed (done); trackers give the
default status of new issues, which is what "not started" means when ``in_progress``
is not set; projects map ids to the identifiers ``where: project`` matches.

A catalog kept for later runs (``okrsync.kept_metadata``) is used through
``kept_view()``: a status or project it has never heard of raises ``StaleMetadata``
there (it may be new, so the work is done again with a fresh catalog), where a catalog
just read falls back as it always did (a status deleted since an old journal was
written, a project the account no longer sees). What a fresh catalog met and did not
know is remembered, so that a kept view does not take it for news every run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from okrsync.errors import ProtocolError, StaleMetadata
from okrsync.items import ItemType, StatusCategory
from okrsync_redmine.client import RedmineClient

__all__ = ["Catalog", "item_type", "list_all"]

PAGE = 100
# Tracker names (lower-cased) that mean a normalized type; any other is a task.
_TYPES = {
    "bug": ItemType.BUG,
    "feature": ItemType.STORY,
    "story": ItemType.STORY,
    "user story": ItemType.STORY,
    "epic": ItemType.EPIC,
}


def item_type(tracker: str) -> ItemType:
    return _TYPES.get(tracker.strip().lower(), ItemType.TASK)


async def list_all(
    client: RedmineClient, path: str, key: str, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every entry of a Redmine list answer (``offset``/``limit`` paged, 100 a page)."""
    found: list[dict[str, Any]] = []
    while True:
        page = await client.get(path, {**(params or {}), "offset": len(found), "limit": PAGE})
        entries = page.get(key) if isinstance(page, Mapping) else None
        if not isinstance(entries, list):
            raise ProtocolError(f"Redmine answered {path} without {key!r}", source=client.source)
        found.extend(entries)
        total = page.get("total_count")
        if not entries or not isinstance(total, int) or len(found) >= total:
            return found


@dataclass(frozen=True)
class Catalog:
    statuses: Mapping[int, tuple[str, bool]]  # id -> (name, is_closed)
    trackers: Mapping[str, int]  # name (lower-cased) -> id
    in_progress: frozenset[str]  # status names (lower-cased)
    projects: Mapping[int, str]  # id -> identifier
    project_ids: Mapping[str, int]  # identifier -> id
    source: str = ""
    kept: bool = False
    # ("status" | "project", id) a fresh catalog was asked for and did not know.
    absent: set[tuple[str, int]] = field(default_factory=set, compare=False)

    @classmethod
    async def load(cls, client: RedmineClient, in_progress: Sequence[str] | None) -> Catalog:
        statuses = await client.get("/issue_statuses.json")
        trackers = await client.get("/trackers.json")
        if not isinstance(statuses, Mapping) or not isinstance(trackers, Mapping):
            raise ProtocolError(
                "Redmine answered without statuses or trackers", source=client.source
            )
        by_id = {
            int(s["id"]): (str(s["name"]), bool(s.get("is_closed")))
            for s in statuses.get("issue_statuses") or []
        }
        tracker_list = trackers.get("trackers") or []
        if in_progress is None:
            # Every open status but the ones new issues start in.
            first = {int((t.get("default_status") or {}).get("id", 0)) for t in tracker_list}
            started = {
                name for sid, (name, closed) in by_id.items() if not closed and sid not in first
            }
        else:
            started = set(in_progress)
        projects = await list_all(client, "/projects.json", "projects")
        return cls(
            statuses=by_id,
            trackers={str(t["name"]).lower(): int(t["id"]) for t in tracker_list},
            in_progress=frozenset(name.lower() for name in started),
            projects={int(p["id"]): str(p["identifier"]) for p in projects},
            project_ids={str(p["identifier"]): int(p["id"]) for p in projects},
            source=client.source,
        )

    def kept_view(self) -> Catalog:
        """This catalog as a later run sees it: unknown statuses and projects are news."""
        return replace(self, kept=True)

    def _missing(self, what: str, number: int) -> None:
        """Note a status or project this catalog does not know; a kept one may be out of
        date, so it says so (once per id a fresh catalog has not already met)."""
        if (what, number) in self.absent:
            return
        if self.kept:
            plural = "statuses" if what == "status" else f"{what}s"
            raise StaleMetadata(
                f"Redmine {what} {number} is not among the {plural} read earlier",
                source=self.source,
            )
        self.absent.add((what, number))

    def _status(self, status_id: str | int | None) -> tuple[str, bool] | None:
        if status_id is None or status_id == "":
            return None
        number = int(status_id)
        known = self.statuses.get(number)
        if known is None:
            self._missing("status", number)
        return known

    def project(self, project_id: int) -> str:
        """The project's identifier (its id, as text, when the account cannot see it)."""
        known = self.projects.get(project_id)
        if known is None:
            self._missing("project", project_id)
            return str(project_id)
        return known

    def status_name(self, status_id: str | int | None) -> str | None:
        if status_id in (None, ""):
            return None
        known = self._status(status_id)
        return known[0] if known else f"status {status_id}"

    def category(self, status_id: str | int | None) -> StatusCategory:
        known = self._status(status_id)
        if known is None:
            return StatusCategory.TODO
        name, closed = known
        if closed:
            return StatusCategory.DONE
        return (
            StatusCategory.IN_PROGRESS if name.lower() in self.in_progress else StatusCategory.TODO
        )

    def project_id(self, identifier: str) -> int | None:
        if identifier.isdigit():
            return int(identifier)
        return self.project_ids.get(identifier)
