"""``FieldCatalog``: the site's fields and statuses, and the agile fields found among them.

API (stable; the push side builds on it)::

    catalog = await FieldCatalog.load(client)      # GET {api_root}/field + /status
    catalog = FieldCatalog.from_json(fields_json, statuses_json, story_points_field=...)
    field = catalog.resolve("KR Progress")         # JiraField; FieldNotFound if unknown
    field = catalog.find("customfield_10100")      # JiraField | None
    catalog.story_points / .sprint / .epic_link    # JiraField | None
    catalog.status_category("10001")               # StatusCategory | None
    catalog.kept_view()                            # the same, for a later run (below)
    catalog.tracked_field_ids()                    # changelog filter, <= 10 ids

Names resolve case-insensitively; ids (``customfield_10016``, ``summary``) and the
aliases ``story_points``, ``sprint`` and ``epic_link`` work too. A name several fields
share is an error that lists their ids, so a mapping never silently reads the wrong one.
Agile fields are found by their schema type, never by (localized) name, except the
"Story Points" number field that older company-managed projects use.

A catalog kept for later runs (``okrsync.kept_metadata``) is used through
``kept_view()``: a status id it has never heard of raises ``StaleMetadata`` there (the
status may be new, so the pull is made again with a fresh catalog), where a catalog
just read answers None (a status deleted since an old change was made).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from okrsync.errors import FieldNotFound, ProtocolError, SourceConfigError, StaleMetadata
from okrsync.items import StatusCategory

if TYPE_CHECKING:
    from okrsync_jira.client import JiraClient

__all__ = [
    "EPIC_LINK_TYPE",
    "SPRINT_TYPE",
    "STORY_POINTS_TYPE",
    "FieldCatalog",
    "JiraField",
    "JiraStatus",
]

STORY_POINTS_TYPE = "com.pyxis.greenhopper.jira:jsw-story-points"
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"
_FLOAT_TYPE = "com.atlassian.jira.plugin.system.customfieldtypes:float"
_STORY_POINTS_NAMES = ("story points", "story point estimate")

_CATEGORY_BY_KEY = {
    "new": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}


@dataclass(frozen=True)
class JiraField:
    """One field of the site. ``custom_type`` is ``schema.custom`` (custom fields only)."""

    id: str
    name: str
    schema_type: str | None = None
    custom_type: str | None = None
    key: str | None = None
    clause_names: tuple[str, ...] = ()

    @property
    def is_number(self) -> bool:
        return self.schema_type == "number"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JiraField:
        schema = data.get("schema") or {}
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or data["id"]),
            schema_type=schema.get("type"),
            custom_type=schema.get("custom"),
            key=data.get("key"),
            clause_names=tuple(data.get("clauseNames") or ()),
        )


@dataclass(frozen=True)
class JiraStatus:
    id: str
    name: str
    category: StatusCategory
    category_key: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JiraStatus:
        key = str((data.get("statusCategory") or {}).get("key") or "")
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or ""),
            category=category_for_key(key),
            category_key=key,
        )


def category_for_key(key: str) -> StatusCategory:
    """Jira's status category key → okrsync's. Jira's "undefined" counts as to do."""
    return _CATEGORY_BY_KEY.get(key, StatusCategory.TODO)


@dataclass
class FieldCatalog:
    fields: list[JiraField]
    statuses: list[JiraStatus] = field(default_factory=list)
    story_points: JiraField | None = None
    sprint: JiraField | None = None
    epic_link: JiraField | None = None
    source: str = ""
    # Whether a status id unknown here may be a new one (see ``kept_view``).
    kept: bool = False

    def __post_init__(self) -> None:
        self._by_id = {f.id.lower(): f for f in self.fields}
        for f in self.fields:
            if f.key:
                self._by_id.setdefault(f.key.lower(), f)
        self._by_name: dict[str, list[JiraField]] = {}
        for f in self.fields:
            self._by_name.setdefault(f.name.strip().lower(), []).append(f)
        self._statuses = {s.id: s for s in self.statuses}
        # Read twice for every status change of a pull's changelogs.
        self._categories = {s.id: s.category for s in self.statuses}
        # Status ids this catalog's site did not know when it was read: their changes
        # predate a deleted status, not the catalog. Shared with its kept views.
        self._absent: set[str] = set()

    def kept_view(self) -> FieldCatalog:
        """This catalog for a run later than the one that read it."""
        view = copy.copy(self)
        view.kept = True
        return view

    @classmethod
    def from_json(
        cls,
        fields: Iterable[Mapping[str, Any]],
        statuses: Iterable[Mapping[str, Any]] = (),
        *,
        story_points_field: str | None = None,
        sprint_field: str | None = None,
        epic_link_field: str | None = None,
        source: str = "",
    ) -> FieldCatalog:
        catalog = cls(
            fields=[JiraField.from_json(f) for f in fields if f.get("id")],
            statuses=[JiraStatus.from_json(s) for s in statuses if s.get("id")],
            source=source,
        )
        catalog.story_points = (
            catalog.resolve(story_points_field)
            if story_points_field
            else _find_story_points(catalog)
        )
        catalog.sprint = (
            catalog.resolve(sprint_field) if sprint_field else _first_of_type(catalog, SPRINT_TYPE)
        )
        catalog.epic_link = (
            catalog.resolve(epic_link_field)
            if epic_link_field
            else _first_of_type(catalog, EPIC_LINK_TYPE)
        )
        return catalog

    @classmethod
    async def load(cls, client: JiraClient) -> FieldCatalog:
        """Two requests: every field, every status (REST v3 on Cloud, v2 on Data Center).

        Settles the deployment first (``client.detect_deployment``), so that everything
        built on the catalog, pull and push alike, speaks the site's dialect."""
        await client.detect_deployment()
        fields = await client.get(f"{client.api_root}/field")
        statuses = await client.get(f"{client.api_root}/status")
        if not isinstance(fields, list) or not isinstance(statuses, list):
            raise ProtocolError(
                "Jira's field or status list is not a JSON array; check that the url points "
                "to a Jira site",
                source=client.source,
            )
        settings = client.settings
        return cls.from_json(
            fields,
            statuses,
            story_points_field=settings.story_points_field,
            sprint_field=settings.sprint_field,
            epic_link_field=settings.epic_link_field,
            source=client.source,
        )

    def find(self, name_or_id: str) -> JiraField | None:
        """The field a mapping means, or None. Raises when a name is ambiguous."""
        wanted = name_or_id.strip()
        lowered = wanted.lower()
        alias = {
            "story_points": self.story_points,
            "sprint": self.sprint,
            "epic_link": self.epic_link,
        }.get(lowered)
        if alias is not None:
            return alias
        if lowered in self._by_id:
            return self._by_id[lowered]
        matches = self._by_name.get(lowered, [])
        if len(matches) > 1:
            ids = ", ".join(f.id for f in matches)
            raise SourceConfigError(
                f"field name {wanted!r} matches several Jira fields ({ids}); write the id "
                "of the one you mean instead",
                source=self.source,
            )
        if matches:
            return matches[0]
        # JQL's custom field syntax, cf[10016].
        if lowered.startswith("cf[") and lowered.endswith("]"):
            return self._by_id.get(f"customfield_{lowered[3:-1]}")
        return None

    def resolve(self, name_or_id: str) -> JiraField:
        found = self.find(name_or_id)
        if found is None:
            raise FieldNotFound(
                f"Jira has no field named {name_or_id.strip()!r}; check the spelling, or use "
                "its id (customfield_NNNNN) from Jira's field settings",
                source=self.source,
            )
        return found

    def status(self, status_id: str | None) -> JiraStatus | None:
        if status_id is None:
            return None
        found = self._statuses.get(str(status_id))
        if found is None:
            self._unknown_status(str(status_id))
        return found

    def status_category(self, status_id: str | None) -> StatusCategory | None:
        if status_id is None:
            return None
        known = str(status_id)
        if known not in self._categories:
            self._unknown_status(known)
        return self._categories.get(known)

    def _unknown_status(self, status_id: str) -> None:
        """A status this catalog does not know: raises ``StaleMetadata`` when the catalog
        was kept from an earlier run (the status may be new); for one just read, the
        status was deleted, and is remembered as such."""
        if status_id in self._absent:
            return
        if self.kept:
            raise StaleMetadata(
                f"Jira status {status_id} is not among the statuses read earlier",
                source=self.source,
            )
        self._absent.add(status_id)

    def tracked_field_ids(self) -> list[str]:
        """Field ids whose history okrsync keeps (Jira allows 10 per changelog fetch)."""
        # Team-managed parent changes ("IssueParentAssociation") carry no field id and may
        # not match this filter; the current parent is always known from the issue itself.
        ids = ["status", "parent"]
        ids += [f.id for f in (self.story_points, self.sprint, self.epic_link) if f is not None]
        return list(dict.fromkeys(ids))


def _first_of_type(catalog: FieldCatalog, custom_type: str) -> JiraField | None:
    return next((f for f in catalog.fields if f.custom_type == custom_type), None)


def _find_story_points(catalog: FieldCatalog) -> JiraField | None:
    found = _first_of_type(catalog, STORY_POINTS_TYPE)
    if found is not None:
        return found
    return next(
        (
            f
            for f in catalog.fields
            if f.custom_type == _FLOAT_TYPE and f.name.strip().lower() in _STORY_POINTS_NAMES
        ),
        None,
    )
