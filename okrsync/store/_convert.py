"""Domain types to table rows and back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Row

from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField
from okrsync.store._types import dumps

# Enum members by value: a dict lookup is several times faster than ``Enum(value)``, and
# a pull reads back hundreds of thousands of these.
_TYPES = {member.value: member for member in ItemType}
_CATEGORIES = {member.value: member for member in StatusCategory}
_FIELDS = {member.value: member for member in TrackedField}


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


# Columns of ``changes`` in the order ``DriverRows.change_values`` gives them.
WRITTEN_CHANGE_COLUMNS = (
    "source",
    "key",
    "field",
    "change_id",
    "at",
    "seq",
    "from_value",
    "to_value",
)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # As ``UTCDateTime`` refuses it: a naive time would be shifted silently.
        raise ValueError(f"naive datetime {value.isoformat()} given to the store; use UTC")
    return value.astimezone(UTC)


def _sqlite_time_text(value: datetime | None) -> str | None:
    # The text SQLAlchemy's SQLite DateTime writes, so that the store's comparisons in
    # SQL and its reads treat both alike.
    if value is None:
        return None
    if value.tzinfo is UTC:
        # What connectors give: already UTC, so the text is its own less the offset
        # ("+00:00"), at a third of the cost of converting and re-tagging it first.
        return value.isoformat(" ", "microseconds")[:-6]
    return _utc(value).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _json_value(value: Any) -> str:
    # Most items have no sprints, labels or extra fields: their JSON needs no encoder.
    return dumps(value) if value else ("{}" if isinstance(value, dict) else "[]")


def _postgresql_time_value(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


class DriverRows:
    """Converts between one dialect's driver tuples and items and changes: a pull
    writes, and an evaluation reads, far too many for SQLAlchemy's per-value work."""

    def __init__(self, dialect: str) -> None:
        sqlite = dialect == "sqlite"
        self._time = _sqlite_time if sqlite else _postgresql_time
        self._time_value = _sqlite_time_text if sqlite else _postgresql_time_value

    def item_values(self, item: Item) -> tuple[Any, ...]:
        """The item's row, in ``ITEM_COLUMNS`` order."""
        time = self._time_value
        # ``_value_`` is the member's own attribute; ``.value`` goes through a property.
        return (
            item.source,
            item.key,
            item.project,
            item.type._value_,
            item.type_name,
            item.status,
            item.status_category._value_,
            time(item.created),
            time(item.resolved),
            item.estimate,
            item.parent,
            _json_value(list(item.sprints)),
            _json_value(list(item.labels)),
            _json_value(item.fields),
            item.id,
            item.summary,
            time(item.updated),
        )

    def change_values(self, change: Change, seq: int) -> tuple[Any, ...]:
        """The change's row, in ``WRITTEN_CHANGE_COLUMNS`` order."""
        return (
            change.source,
            change.key,
            change.field._value_,
            change.change_id,
            self._time_value(change.at),
            seq,
            change.from_value,
            change.to_value,
        )

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
