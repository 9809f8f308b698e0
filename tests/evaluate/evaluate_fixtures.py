"""A small, hand-made board for the evaluator tests.

Every instant is UTC. The cycle is 2027-Q1 in Europe/Berlin, so it starts at
2026-12-31 23:00 UTC (midnight CET) and ends at 2027-03-31 22:00 UTC (midnight CEST,
after the switch to summer time on 2027-03-28).

Statuses use German names (Zu erledigen / In Arbeit / Erledigt): only the category
decides whether an item is done.

    key     type   created (UTC)      category history                       estimate
    SHOP-1  story  2026-12-01 09:00   todo -> in_progress 01-04 09:00          3 -> 5 at
                                           -> done 01-10 09:00                01-20 00:00
    SHOP-2  story  2026-12-10 09:00   todo -> in_progress 01-05 09:00          8
                                           -> done 01-12 09:00
                                           -> in_progress 01-20 09:00 (re-opened)
                                           -> done 02-03 09:00
    SHOP-3  bug    2026-12-15 09:00   todo -> done 01-15 09:00 (never in progress)  2
    SHOP-4  task   2027-01-20 09:00   todo, no history (added mid-cycle)     none
    SHOP-5  story  2026-12-20 09:00   todo -> in_progress 01-25 09:00          5
    SHOP-6  story  2026-12-31 23:30   todo, no history                        1
            (after the Berlin cycle start, before UTC midnight: scope added)

Sprints (ids): 10 "Sprint 1" closed 01-14 12:00, 11 "Sprint 2" closed 01-28 12:00,
12 "Sprint 3" closed 02-11 12:00, 13 "Sprint 4" active; 99 is another board's sprint
(closed 02-01) that no selected item was ever in.

    SHOP-1  in 10 from 01-01 10:00
    SHOP-2  in 10 from 01-01 10:00; 10,11 from 01-20 10:00; 10,11,12 from 01-28 13:00
    SHOP-3  in 10 from 01-01 10:00; 10,11 from 01-14 13:00 (unfinished when 10 closed)
    SHOP-5  in 10 from 01-01 10:00; 10,11 from 01-14 13:00; 10,11,12 from 01-28 13:00
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from okrsync.items import Change, Item, ItemType, Sprint, StatusCategory, TrackedField
from okrsync.mapping.models import MappingFile

BERLIN = ZoneInfo("Europe/Berlin")
SOURCE = "jira"
QUERY = "project = SHOP"

TODO, DOING, DONE = "Zu erledigen", "In Arbeit", "Erledigt"
CATEGORY = {TODO: "todo", DOING: "in_progress", DONE: "done"}


def utc(text: str) -> datetime:
    """``2027-01-10 09:00`` as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _status_changes(key: str, steps: Sequence[tuple[str, str]], first: str = TODO) -> list[Change]:
    """Status and category changes for a walk through ``steps`` of (at, status)."""
    changes = []
    previous = first
    for number, (at, status) in enumerate(steps):
        for tracked, old, new in (
            (TrackedField.STATUS, previous, status),
            (TrackedField.STATUS_CATEGORY, CATEGORY[previous], CATEGORY[status]),
        ):
            changes.append(Change(SOURCE, key, utc(at), tracked, old, new, f"{key}-s{number}"))
        previous = status
    return changes


def _changes(key: str, tracked: TrackedField, steps: Sequence[tuple[str, str | None, str | None]]):
    return [
        Change(SOURCE, key, utc(at), tracked, old, new, f"{key}-{tracked}-{n}")
        for n, (at, old, new) in enumerate(steps)
    ]


def _item(key: str, kind: ItemType, created: str, status: str, **extra: Any) -> Item:
    return Item(
        source=SOURCE,
        key=key,
        id=key.split("-")[1],
        project="SHOP",
        type=kind,
        type_name=extra.pop("type_name", kind.value.capitalize()),
        summary=f"summary of {key}",
        status=status,
        status_category=StatusCategory(CATEGORY[status]),
        created=utc(created),
        updated=utc(created),
        **extra,
    )


ITEMS = [
    _item(
        "SHOP-1",
        ItemType.STORY,
        "2026-12-01 09:00",
        DONE,
        estimate=5.0,
        sprints=("10",),
        parent="SHOP-100",
        labels=("checkout",),
        fields={"business_value": 10},
    ),
    _item(
        "SHOP-2",
        ItemType.STORY,
        "2026-12-10 09:00",
        DONE,
        estimate=8.0,
        sprints=("10", "11", "12"),
        parent="SHOP-100",
        labels=("checkout", "ux"),
        fields={"business_value": "4"},
    ),
    _item(
        "SHOP-3",
        ItemType.BUG,
        "2026-12-15 09:00",
        DONE,
        type_name="Fehler",
        estimate=2.0,
        sprints=("10", "11"),
        fields={},
    ),
    _item("SHOP-4", ItemType.TASK, "2027-01-20 09:00", TODO, fields={"business_value": 1.5}),
    _item(
        "SHOP-5",
        ItemType.STORY,
        "2026-12-20 09:00",
        DOING,
        estimate=5.0,
        sprints=("10", "11", "12"),
        parent="SHOP-100",
        labels=("ux",),
        fields={"business_value": 3},
    ),
    _item(
        "SHOP-6",
        ItemType.STORY,
        "2026-12-31 23:30",
        TODO,
        estimate=1.0,
        fields={"business_value": 0},
    ),
]

HISTORY: dict[str, list[Change]] = {
    "SHOP-1": _status_changes("SHOP-1", [("2027-01-04 09:00", DOING), ("2027-01-10 09:00", DONE)])
    + _changes("SHOP-1", TrackedField.ESTIMATE, [("2027-01-20 00:00", "3.0", "5.0")])
    + _changes("SHOP-1", TrackedField.SPRINT, [("2027-01-01 10:00", None, "10")]),
    "SHOP-2": _status_changes(
        "SHOP-2",
        [
            ("2027-01-05 09:00", DOING),
            ("2027-01-12 09:00", DONE),
            ("2027-01-20 09:00", DOING),
            ("2027-02-03 09:00", DONE),
        ],
    )
    + _changes(
        "SHOP-2",
        TrackedField.SPRINT,
        [
            ("2027-01-01 10:00", None, "10"),
            ("2027-01-20 10:00", "10", "10,11"),
            ("2027-01-28 13:00", "10,11", "10,11,12"),
        ],
    ),
    "SHOP-3": _status_changes("SHOP-3", [("2027-01-15 09:00", DONE)])
    + _changes(
        "SHOP-3",
        TrackedField.SPRINT,
        [("2027-01-01 10:00", None, "10"), ("2027-01-14 13:00", "10", "10,11")],
    ),
    "SHOP-5": _status_changes("SHOP-5", [("2027-01-25 09:00", DOING)])
    + _changes(
        "SHOP-5",
        TrackedField.SPRINT,
        [
            ("2027-01-01 10:00", None, "10"),
            ("2027-01-14 13:00", "10", "10,11"),
            ("2027-01-28 13:00", "10,11", "10,11,12"),
        ],
    )
    + _changes("SHOP-5", TrackedField.PARENT, [("2027-01-18 00:00", None, "SHOP-100")]),
}

SPRINTS = [
    Sprint(
        SOURCE,
        "10",
        "Sprint 1",
        "closed",
        "1",
        utc("2027-01-01 08:00"),
        utc("2027-01-14 12:00"),
        utc("2027-01-14 12:00"),
    ),
    Sprint(
        SOURCE,
        "11",
        "Sprint 2",
        "closed",
        "1",
        utc("2027-01-14 12:00"),
        utc("2027-01-28 12:00"),
        utc("2027-01-28 12:00"),
    ),
    Sprint(
        SOURCE,
        "12",
        "Sprint 3",
        "closed",
        "1",
        utc("2027-01-28 12:00"),
        utc("2027-02-11 12:00"),
        utc("2027-02-11 12:00"),
    ),
    Sprint(
        SOURCE,
        "13",
        "Sprint 4",
        "active",
        "1",
        utc("2027-02-11 12:00"),
        utc("2027-02-25 12:00"),
        None,
    ),
    Sprint(
        SOURCE,
        "99",
        "Other board",
        "closed",
        "7",
        utc("2027-01-18 08:00"),
        utc("2027-02-01 08:00"),
        utc("2027-02-01 08:00"),
    ),
]


class FakeData:
    """A ``DataView`` over in-memory items that counts how often it is asked."""

    def __init__(
        self,
        queries: dict[tuple[str, str], list[Item]] | None = None,
        history: dict[tuple[str, str], list[Change]] | None = None,
        sprints: dict[str, list[Sprint]] | None = None,
        metrics: dict[tuple[str, str], float] | None = None,
    ) -> None:
        self.queries = queries if queries is not None else {(SOURCE, QUERY): list(ITEMS)}
        self.histories = (
            history
            if history is not None
            else {(SOURCE, key): changes for key, changes in HISTORY.items()}
        )
        self.sprint_lists = sprints if sprints is not None else {SOURCE: list(SPRINTS)}
        self.metrics = metrics or {}
        self.calls: Counter[str] = Counter()
        self.history_keys: list[str] = []

    def items(self, source: str, query: str) -> list[Item]:
        self.calls["items"] += 1
        return list(self.queries.get((source, query), []))

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]:
        self.calls["history"] += 1
        self.history_keys.extend(keys)
        return {k: list(self.histories.get((source, k), [])) for k in keys}

    def sprints(self, source: str) -> list[Sprint]:
        self.calls["sprints"] += 1
        return list(self.sprint_lists.get(source, []))

    def metric(self, source: str, name: str) -> float | None:
        self.calls["metric"] += 1
        return self.metrics.get((source, name))


def mapping(objectives: list[dict[str, Any]], cycle: Any = "2027-Q1") -> MappingFile:
    """A mapping file, written as its YAML would read."""
    return MappingFile.model_validate(
        {"version": 1, "cycle": cycle, "defaults": {"source": SOURCE}, "objectives": objectives}
    )


def one_kr(**kr: Any) -> MappingFile:
    """A mapping with one objective holding one KR (``id: kr`` unless given)."""
    spec = {"id": "kr", "title": "a key result", "select": {"query": QUERY}, **kr}
    return mapping([{"id": "obj", "title": "an objective", "key_results": [spec]}])
