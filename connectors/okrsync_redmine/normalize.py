"""A Redmine issue with its journals as okrsync's ``Item`` and ``Change`` records.

Journal details name what changed: ``attr`` ``status_id``, ``fixed_version_id``,
``parent_id``, ``estimated_hours``, or ``cf`` with the custom field's id. Each status
change becomes a status and a status-category change; versions are sprints, kept by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from okrsync.errors import ProtocolError
from okrsync.items import Change, Item, TrackedField
from okrsync_redmine.catalog import Catalog, item_type
from okrsync_redmine.settings import ESTIMATED_HOURS

__all__ = ["DEFAULT_ESTIMATE", "Estimate", "custom_field", "parse_time", "to_item"]

DEFAULT_ESTIMATE = "Story points"


def parse_time(text: Any) -> datetime:
    """Redmine's ``2026-07-01T10:00:00Z``."""
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)


def custom_field(issue: Mapping[str, Any], wanted: str) -> Mapping[str, Any] | None:
    """The issue's custom field named ``wanted`` (case-insensitively) or ``cf_N``."""
    fields = issue.get("custom_fields") or []
    lowered = wanted.strip().lower()
    for field in fields:
        if lowered == f"cf_{field.get('id')}" or str(field.get("name", "")).lower() == lowered:
            return field
    return None


def _number(value: Any) -> str | None:
    """A stored estimate: ``repr(float)``, or None when empty or not a number."""
    if value in (None, ""):
        return None
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Estimate:
    """Where an issue's estimate lives: a custom field (by id) or ``estimated_hours``."""

    cf_id: str | None  # None: estimated_hours

    @classmethod
    def find(cls, setting: str | None, issues: Iterable[Mapping[str, Any]]) -> Estimate:
        """The setting's field, as the issues show it; by default a custom field
        named Story points when one is on the issues, else estimated_hours."""
        if setting is not None and setting.strip().lower() == ESTIMATED_HOURS:
            return cls(None)
        for issue in issues:
            found = custom_field(issue, setting or DEFAULT_ESTIMATE)
            if found is not None:
                return cls(str(found["id"]))
        if setting is not None and setting.strip().lower().startswith("cf_"):
            return cls(setting.strip()[3:])
        return cls(None)

    def current(self, issue: Mapping[str, Any]) -> str | None:
        if self.cf_id is None:
            return _number(issue.get(ESTIMATED_HOURS))
        found = custom_field(issue, f"cf_{self.cf_id}")
        return _number(found.get("value")) if found is not None else None

    def changed(self, detail: Mapping[str, Any]) -> bool:
        if self.cf_id is None:
            return detail.get("property") == "attr" and detail.get("name") == ESTIMATED_HOURS
        return detail.get("property") == "cf" and str(detail.get("name")) == self.cf_id


def _ref(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _extra(issue: Mapping[str, Any], name: str) -> Any:
    found = custom_field(issue, name)
    value = found.get("value") if found is not None else issue.get(name)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value or None
    return value


def to_item(
    source: str,
    issue: Mapping[str, Any],
    catalog: Catalog,
    estimate: Estimate,
    extra_fields: Iterable[str] = (),
) -> tuple[Item, list[Change]]:
    try:
        key = str(issue["id"])
        status = issue["status"]
        tracker = str(issue["tracker"]["name"])
        project_id = int(issue["project"]["id"])
        created = parse_time(issue["created_on"])
        updated = parse_time(issue["updated_on"])
    except (KeyError, TypeError, ValueError) as error:
        raise ProtocolError(f"Redmine answered an issue without {error}", source=source) from None
    category = catalog.category(status.get("id"))
    version = (issue.get("fixed_version") or {}).get("id")
    closed_on = issue.get("closed_on")
    item = Item(
        source=source,
        key=key,
        id=key,
        project=catalog.project(project_id),
        type=item_type(tracker),
        type_name=tracker,
        summary=str(issue.get("subject") or ""),
        status=str(status.get("name") or ""),
        status_category=category,
        created=created,
        updated=updated,
        resolved=parse_time(closed_on) if closed_on and category == "done" else None,
        estimate=float(current) if (current := estimate.current(issue)) is not None else None,
        parent=_ref((issue.get("parent") or {}).get("id")),
        sprints=(str(version),) if version is not None else (),
        fields={name: _extra(issue, name) for name in extra_fields},
    )
    return item, list(_changes(source, key, issue.get("journals") or [], catalog, estimate))


def _changes(
    source: str,
    key: str,
    journals: Iterable[Mapping[str, Any]],
    catalog: Catalog,
    estimate: Estimate,
) -> Iterable[Change]:
    for journal in journals:
        at = parse_time(journal["created_on"])
        for detail in journal.get("details") or []:
            for field, before, after in _tracked(detail, catalog, estimate):
                yield Change(source, key, at, field, before, after, str(journal["id"]))


def _tracked(
    detail: Mapping[str, Any], catalog: Catalog, estimate: Estimate
) -> list[tuple[TrackedField, str | None, str | None]]:
    """The tracked fields one journal detail changed: (field, from, to)."""
    old, new, name = detail.get("old_value"), detail.get("new_value"), detail.get("name")
    if estimate.changed(detail):
        return [(TrackedField.ESTIMATE, _number(old), _number(new))]
    if detail.get("property") != "attr":
        return []
    if name == "status_id":
        before = catalog.category(old).value if old else None
        return [
            (TrackedField.STATUS, catalog.status_name(old), catalog.status_name(new)),
            (TrackedField.STATUS_CATEGORY, before, catalog.category(new).value),
        ]
    if name == "fixed_version_id":
        return [(TrackedField.SPRINT, _ref(old), _ref(new))]
    if name == "parent_id":
        return [(TrackedField.PARENT, _ref(old), _ref(new))]
    return []
