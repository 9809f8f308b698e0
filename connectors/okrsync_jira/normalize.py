"""Jira issue and changelog JSON → okrsync ``Item`` and ``Change`` records.

Pure functions over decoded JSON: no network. Values in changes follow
``okrsync.items.TrackedField``: status names, category values, estimates as
``repr(float)``, sprint ids sorted and joined with ``,``, parent keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, TypeVar

from okrsync.errors import ProtocolError
from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField
from okrsync_jira.fields import FieldCatalog, category_for_key

__all__ = [
    "ISSUE_FIELDS",
    "issue_fields",
    "item_type",
    "normalize_changes",
    "normalize_issue",
    "normalize_sprint",
    "parse_time",
    "sprint_ids",
]

# Fields every item needs, besides the agile ones the catalog finds.
ISSUE_FIELDS = (
    "summary",
    "issuetype",
    "status",
    "project",
    "created",
    "updated",
    "resolutiondate",
    "parent",
    "labels",
)

_TYPES = {
    "epic": ItemType.EPIC,
    "story": ItemType.STORY,
    "task": ItemType.TASK,
    "bug": ItemType.BUG,
    "sub-task": ItemType.SUBTASK,
    "subtask": ItemType.SUBTASK,
}
# Data Center serializes sprints as "com.atlassian.greenhopper...Sprint@1a[id=3,...]".
_AT = attrgetter("at")
# The members a changelog's entries become, read once: on Python 3.11 reading a member
# from its class, and a member's ``.value``, go through descriptors (``_value_`` does
# not), for each of a pull's 100,000s of changes.
_STATUS, _STATUS_CATEGORY = TrackedField.STATUS, TrackedField.STATUS_CATEGORY
_LEGACY_SPRINT_ID = re.compile(r"\bid=(\d+)")
_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-\d+$")


_Record = TypeVar("_Record", Item, Change)


def _record(kind: type[_Record], **values: Any) -> _Record:
    """An ``Item`` or ``Change`` from every one of its fields, equal to what its
    ``__init__`` builds: the frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, which took a fifth of normalizing a pull's issues."""
    record = kind.__new__(kind)
    record.__dict__.update(values)
    return record


def issue_fields(catalog: FieldCatalog, extra: Iterable[str] = ()) -> list[str]:
    """The field ids a bulk fetch asks for."""
    agile = [f.id for f in (catalog.story_points, catalog.sprint, catalog.epic_link) if f]
    return list(dict.fromkeys([*ISSUE_FIELDS, *agile, *extra]))


def parse_time(value: Any) -> datetime:
    """Jira's timestamps ("2027-01-05T10:00:00.000+0100", "...Z", epoch numbers) as UTC."""
    if type(value) is not str:  # Jira sends text: the checks are for other shapes
        if isinstance(value, bool) or value is None:
            raise ValueError(f"not a timestamp: {value!r}")
        if isinstance(value, int | float):
            # Epoch milliseconds, or seconds for small values (the spec's example uses seconds).
            seconds = value / 1000 if abs(value) >= 10**11 else value
            return datetime.fromtimestamp(seconds, UTC)
        value = str(value)
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _optional_time(value: Any) -> datetime | None:
    return parse_time(value) if value not in (None, "") else None


def item_type(issuetype: Mapping[str, Any]) -> ItemType:
    name = str(issuetype.get("name") or "").strip().lower()
    if issuetype.get("subtask") is True or issuetype.get("hierarchyLevel") == -1:
        return ItemType.SUBTASK
    # Other types at the epic level (an "Objective") stay OTHER: a mapping can still
    # select them by the tool's own type name.
    return _TYPES.get(name, ItemType.OTHER)


def sprint_ids(value: Any) -> tuple[str, ...]:
    """Sprint ids from a sprint field value (Cloud objects or Data Center strings)."""
    if not value:
        return ()
    ids: set[str] = set()
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, Mapping) and entry.get("id") is not None:
            ids.add(str(entry["id"]))
        elif isinstance(entry, int):
            ids.add(str(entry))
        elif isinstance(entry, str):
            match = _LEGACY_SPRINT_ID.search(entry)
            ids.add(match.group(1) if match else entry.strip())
    return tuple(sorted(i for i in ids if i))


def _number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _simple(value: Any) -> Any:
    """A field value as a mapping reads it: options and users by their visible value."""
    if isinstance(value, Mapping):
        for name in ("value", "name", "key", "displayName"):
            if name in value:
                return value[name]
        return dict(value)
    if isinstance(value, list):
        return [_simple(v) for v in value]
    return value


def normalize_issue(
    raw: Mapping[str, Any],
    catalog: FieldCatalog,
    *,
    source: str,
    extra_fields: Mapping[str, str] | None = None,
) -> Item:
    """One issue of a bulk fetch. ``extra_fields``: mapping name → field id."""
    fields = raw.get("fields") or {}
    try:
        key = str(raw["key"])
        status = fields.get("status") or {}
        category_key = (status.get("statusCategory") or {}).get("key")
        category = (
            category_for_key(str(category_key))
            if category_key
            else catalog.status_category(status.get("id")) or StatusCategory.TODO
        )
        issuetype = fields.get("issuetype") or {}
        parent = (fields.get("parent") or {}).get("key")
        if not parent and catalog.epic_link is not None:
            parent = fields.get(catalog.epic_link.id) or None
        estimate = _number(fields.get(catalog.story_points.id)) if catalog.story_points else None
        sprints = sprint_ids(fields.get(catalog.sprint.id)) if catalog.sprint else ()
        labels = fields.get("labels")
        return _record(
            Item,
            source=source,
            key=key,
            id=str(raw["id"]),
            project=str((fields.get("project") or {}).get("key") or key.rsplit("-", 1)[0]),
            type=item_type(issuetype),
            type_name=str(issuetype.get("name") or ""),
            summary=str(fields.get("summary") or ""),
            status=str(status.get("name") or ""),
            status_category=category,
            created=parse_time(fields["created"]),
            updated=parse_time(fields["updated"]),
            resolved=_optional_time(fields.get("resolutiondate")),
            estimate=estimate,
            parent=str(parent) if parent else None,
            sprints=sprints,
            labels=tuple(str(label) for label in labels) if labels else (),
            fields={name: _simple(fields.get(field_id)) for name, field_id in extra_fields.items()}
            if extra_fields
            else {},
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ProtocolError(
            f"Jira answered issue {raw.get('key', raw.get('id', '?'))} in an unexpected "
            f"shape ({type(error).__name__}: {error})",
            source=source,
        ) from None


def normalize_changes(
    key: str,
    histories: Iterable[Mapping[str, Any]],
    catalog: FieldCatalog,
    *,
    source: str,
    issue_keys: Mapping[str, str] | None = None,
) -> list[Change]:
    """The tracked-field changes of one issue's change histories, oldest first.

    ``issue_keys`` maps issue ids to keys, for parent changes Jira records by id only.
    A status change that keeps the category yields no category change.
    """
    keys = issue_keys or {}
    changes: list[Change] = []
    for history in histories:
        at = parse_time(history["created"])
        change_id = str(history.get("id") or "")
        # (change_id, field) is a change's natural key, so one history yields at most one
        # change per field: moving an issue from an Epic Link to a parent records both.
        merged: dict[TrackedField, tuple[str | None, str | None]] = {}
        for entry in history.get("items") or []:
            for tracked, old, new in _tracked(entry, catalog, keys):
                before = merged.get(tracked)
                merged[tracked] = (before[0] or old, before[1] or new) if before else (old, new)
        changes += [
            _record(
                Change,
                source=source,
                key=key,
                at=at,
                field=tracked,
                from_value=old,
                to_value=new,
                change_id=change_id,
            )
            for tracked, (old, new) in merged.items()
        ]
    if len(changes) > 1:
        changes.sort(key=_AT)
    return changes


def _tracked(
    entry: Mapping[str, Any], catalog: FieldCatalog, keys: Mapping[str, str]
) -> list[tuple[TrackedField, str | None, str | None]]:
    field_id = entry.get("fieldId")
    name = str(entry.get("field") or "")
    if field_id == "status" or (field_id is None and name.lower() == "status"):
        found: list[tuple[TrackedField, str | None, str | None]] = [
            (_STATUS, entry.get("fromString"), entry.get("toString"))
        ]
        old_category = catalog.status_category(entry.get("from"))
        new_category = catalog.status_category(entry.get("to"))
        if old_category != new_category:
            found.append(
                (
                    _STATUS_CATEGORY,
                    old_category._value_ if old_category else None,
                    new_category._value_ if new_category else None,
                )
            )
        return found
    if _is(catalog.story_points, field_id, name):
        return [
            (
                TrackedField.ESTIMATE,
                _estimate(entry.get("fromString"), entry.get("from")),
                _estimate(entry.get("toString"), entry.get("to")),
            )
        ]
    if _is(catalog.sprint, field_id, name):
        return [(TrackedField.SPRINT, _sprints(entry.get("from")), _sprints(entry.get("to")))]
    if (
        field_id == "parent"
        or name in ("IssueParentAssociation", "Parent")
        or _is(catalog.epic_link, field_id, name)
    ):
        return [
            (
                TrackedField.PARENT,
                _parent(entry.get("from"), entry.get("fromString"), keys),
                _parent(entry.get("to"), entry.get("toString"), keys),
            )
        ]
    return []


def _is(field: Any, field_id: Any, name: str) -> bool:
    if field is None:
        return False
    return bool(field_id == field.id or (field_id is None and name == field.name))


def _estimate(text: Any, raw: Any) -> str | None:
    number = _number(text if text not in (None, "") else raw)
    return repr(number) if number is not None else None


def _sprints(raw: Any) -> str | None:
    if not raw:
        return None
    ids = sorted({part.strip() for part in str(raw).split(",") if part.strip()})
    return ",".join(ids) or None


def _parent(raw_id: Any, text: Any, keys: Mapping[str, str]) -> str | None:
    if text and _ISSUE_KEY.match(str(text)):
        return str(text)
    if raw_id not in (None, ""):
        raw = str(raw_id)
        if _ISSUE_KEY.match(raw):
            return raw
        return keys.get(raw, raw)
    return None


def unresolved_parent_ids(changes: Iterable[Change]) -> set[str]:
    """Parent values still written as issue ids (Jira gave no key)."""
    ids: set[str] = set()
    for change in changes:
        if change.field is TrackedField.PARENT:
            for value in (change.from_value, change.to_value):
                if value and value.isdigit():
                    ids.add(value)
    return ids


def normalize_sprint(raw: Mapping[str, Any], *, source: str, board_id: str | None) -> Sprint:
    origin = raw.get("originBoardId")
    return Sprint(
        source=source,
        id=str(raw["id"]),
        name=str(raw.get("name") or ""),
        state=str(raw.get("state") or "").lower(),
        board_id=str(origin) if origin is not None else board_id,
        start=_optional_time(raw.get("startDate")),
        end=_optional_time(raw.get("endDate")),
        completed=_optional_time(raw.get("completeDate")),
    )
