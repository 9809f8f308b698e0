"""Builders of domain objects and a row counter for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def count_rows(url: str, table: str) -> int:
    """Rows in ``table``, read behind the store's back."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def item(key: str, **changes: Any) -> Item:
    values: dict[str, Any] = {
        "source": "jira",
        "key": key,
        "id": f"1{key.split('-')[-1]}",
        "project": key.split("-")[0],
        "type": ItemType.STORY,
        "type_name": "Story",
        "summary": f"Story {key}",
        "status": "In Progress",
        "status_category": StatusCategory.IN_PROGRESS,
        "created": T0,
        "updated": T0 + timedelta(days=2),
        "resolved": None,
        "estimate": 3.0,
        "parent": "SHOP-1",
        "sprints": ("7", "8"),
        "labels": ("checkout",),
        "fields": {"team": "checkout", "risk": {"level": 2}},
    }
    values.update(changes)
    return Item(**values)


def change(
    key: str,
    hours: float,
    to_value: str | None,
    *,
    field: TrackedField = TrackedField.STATUS,
    from_value: str | None = None,
    change_id: str | None = None,
    source: str = "jira",
) -> Change:
    return Change(
        source=source,
        key=key,
        at=T0 + timedelta(hours=hours),
        field=field,
        from_value=from_value,
        to_value=to_value,
        change_id=change_id if change_id is not None else f"h{int(hours * 10)}",
    )


def sprint(sprint_id: str, start_day: int | None, **changes: Any) -> Sprint:
    start = None if start_day is None else T0 + timedelta(days=start_day)
    values: dict[str, Any] = {
        "source": "jira",
        "id": sprint_id,
        "name": f"Sprint {sprint_id}",
        "state": "active",
        "board_id": "12",
        "start": start,
        "end": None if start is None else start + timedelta(days=14),
        "completed": None,
    }
    values.update(changes)
    return Sprint(**values)
