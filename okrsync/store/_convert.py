"""Domain types to table rows and back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Row

from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField

# Enum members by value: a dict lookup is several times faster than ``Enum(value)``, and
# a pull reads back hundreds of thousands of these.
_TYPES = {member.value: member for member in ItemType}
_CATEGORIES = {member.value: member for member in StatusCategory}
_FIELDS = {member.value: member for member in TrackedField}


def item_row(item: Item) -> dict[str, Any]:
    return {
        "source": item.source,
        "key": item.key,
        "id": item.id,
        "project": item.project,
        "type": item.type.value,
        "type_name": item.type_name,
        "summary": item.summary,
        "status": item.status,
        "status_category": item.status_category.value,
        "created": item.created,
        "updated": item.updated,
        "resolved": item.resolved,
        "estimate": item.estimate,
        "parent": item.parent,
        "sprints": list(item.sprints),
        "labels": list(item.labels),
        "fields": item.fields,
    }


def change_row(change: Change, seq: int) -> dict[str, Any]:
    return {
        "source": change.source,
        "key": change.key,
        "field": change.field.value,
        "change_id": change.change_id,
        "at": change.at,
        "seq": seq,
        "from_value": change.from_value,
        "to_value": change.to_value,
    }


def sprint_row(sprint: Sprint) -> dict[str, Any]:
    return {
        "source": sprint.source,
        "id": sprint.id,
        "name": sprint.name,
        "state": sprint.state,
        "board_id": sprint.board_id,
        "start_at": sprint.start,
        "end_at": sprint.end,
        "completed_at": sprint.completed,
    }


def row_sprint(row: Row[Any]) -> Sprint:
    return Sprint(
        source=row.source,
        id=row.id,
        name=row.name,
        state=row.state,
        board_id=row.board_id,
        start=row.start_at,
        end=row.end_at,
        completed=row.completed_at,
    )


# --- rows read straight from the driver (``_bulk.driver_rows``) -------------------------
#
# A store read for evaluation reaches 100,000s of items and millions of changes: built
# through SQLAlchemy's rows and the dataclasses' frozen ``__init__`` they took most of
# an evaluation's time. These take the driver's tuples and fill each record's
# ``__dict__`` at once (equal to what ``__init__`` builds: both dataclasses are plain,
# frozen only against later assignment).

# Columns of ``items`` in the order ``driver_item`` reads them.
ITEM_COLUMNS = (
    "source",
    "key",
    "project",
    "type",
    "type_name",
    "status",
    "status_category",
    "created",
    "resolved",
    "estimate",
    "parent",
    "sprints",
    "labels",
    "fields",
    "id",
    "summary",
    "updated",
)
# What evaluation leaves out: no measure reads an item's id, summary or update time.
LEAN_ITEM_COLUMNS = ITEM_COLUMNS[:-3]
JSON_COLUMNS = frozenset({"sprints", "labels", "fields"})
CHANGE_COLUMNS = ("source", "key", "at", "field", "from_value", "to_value", "change_id")

_EMPTY_LIST: tuple[Any, ...] = ("[]", [], None)


def _sqlite_time(value: str | None) -> datetime | None:
    # SQLite keeps the naive UTC text SQLAlchemy wrote ("2027-01-05 10:00:00.000000");
    # parsed with its offset, it is six times faster than parsed and then re-tagged.
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def _postgresql_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _json_text(value: Any) -> Any:
    # JSON columns are read as text (see ``PullState.items_for``).
    return json.loads(value) if isinstance(value, str) else value


class DriverRows:
    """Converts one dialect's driver tuples to items and changes."""

    def __init__(self, dialect: str) -> None:
        self._time = _sqlite_time if dialect == "sqlite" else _postgresql_time

    def item(self, row: tuple[Any, ...]) -> Item:
        time = self._time
        sprints, labels, fields = row[11], row[12], row[13]
        lean = len(row) == len(LEAN_ITEM_COLUMNS)
        item = Item.__new__(Item)
        item.__dict__.update(
            source=row[0],
            key=row[1],
            id="" if lean else row[14],
            project=row[2],
            type=_TYPES[row[3]],
            type_name=row[4],
            summary="" if lean else row[15],
            status=row[5],
            status_category=_CATEGORIES[row[6]],
            created=time(row[7]),
            updated=time(row[7] if lean else row[16]),
            resolved=time(row[8]),
            estimate=row[9],
            parent=row[10],
            sprints=() if sprints in _EMPTY_LIST else tuple(_json_text(sprints)),
            labels=() if labels in _EMPTY_LIST else tuple(_json_text(labels)),
            fields={} if fields in ("{}", None) else dict(_json_text(fields)),
        )
        return item

    def change(self, row: tuple[Any, ...]) -> Change:
        change = Change.__new__(Change)
        change.__dict__.update(
            source=row[0],
            key=row[1],
            at=self._time(row[2]),
            field=_FIELDS[row[3]],
            from_value=row[4],
            to_value=row[5],
            change_id=row[6],
        )
        return change
