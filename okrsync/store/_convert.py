"""Domain types to table rows and back."""

from __future__ import annotations

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


def row_item(row: Row[Any]) -> Item:
    return Item(
        source=row.source,
        key=row.key,
        id=row.id,
        project=row.project,
        type=_TYPES[row.type],
        type_name=row.type_name,
        summary=row.summary,
        status=row.status,
        status_category=_CATEGORIES[row.status_category],
        created=row.created,
        updated=row.updated,
        resolved=row.resolved,
        estimate=row.estimate,
        parent=row.parent,
        sprints=tuple(row.sprints),
        labels=tuple(row.labels),
        fields=dict(row.fields),
    )


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


def row_change(row: Row[Any]) -> Change:
    return Change(
        source=row.source,
        key=row.key,
        at=row.at,
        field=_FIELDS[row.field],
        from_value=row.from_value,
        to_value=row.to_value,
        change_id=row.change_id,
    )


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
