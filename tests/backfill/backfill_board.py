"""A small board in a real SQLite store, and a project whose KRs measure it.

Times are UTC; the project runs in Europe/Berlin (UTC+1 in January), so a day ends at
23:00 UTC. Mapping ``team.yaml`` has the cycle 2027-01-01..2027-01-10, ``quarter.yaml``
2027-Q1; both select ``project = SHOP``:

    key     created            category history (UTC)                     Berlin day done
    SHOP-1  2026-12-20 09:00   todo -> done 01-02 10:00                   Jan 2
    SHOP-2  2026-12-20 09:00   todo -> in_progress 01-02 08:00            Jan 4
                                    -> done 01-04 15:00
    SHOP-3  2027-01-03 12:00   todo -> done 01-05 22:30 (23:30 in Berlin)  Jan 5
    SHOP-4  2026-12-20 09:00   todo, no history                           -
    SHOP-5  2026-12-20 09:00   todo -> done 01-05 23:30 (00:30 in Berlin)  Jan 6
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from okrsync.config import CONFIG_ENV, ENV_NAMES
from okrsync.items import Change, Item, ItemType, StatusCategory, TrackedField
from okrsync.project import Project, load_project
from okrsync.store import Store

SOURCE = "jira"
QUERY = "project = SHOP"
TOKEN_VARIABLE = "BACKFILL_TEST_TOKEN"

CONFIG = f"""\
database: sqlite:///okrsync.db
mappings: [mappings/]
timezone: Europe/Berlin
connectors:
  jira:
    type: jira
    url: https://acme.atlassian.net
    email: bot@example.com
    token: ${{{TOKEN_VARIABLE}}}
  analytics:
    type: http_json
    url: http://127.0.0.1:9/metrics.json
    metrics: {{conversion: /conversion}}
"""

TEAM = """\
version: 1
cycle: {start: 2027-01-01, end: 2027-01-10}
defaults: {source: jira}
objectives:
  - id: ship
    title: Ship the board
    key_results:
      - {id: done-count, title: Done, select: {query: project = SHOP}, measure: done,
         target: 5}
      - {id: item-count, title: Items, select: {query: project = SHOP}, measure: count,
         target: 10}
      - {id: share-done, title: Share done, select: {query: project = SHOP},
         measure: completion}
      - {id: conversion, title: Conversion, kind: outcome,
         measure: {metric: {source: analytics, name: conversion}}, baseline: 1, target: 2}
"""

QUARTER = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: quarter
    title: The quarter
    key_results:
      - {id: quarter-done, title: Done this quarter, select: {query: project = SHOP},
         measure: done, target: 5}
"""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _item(key: str, created: str, category: StatusCategory) -> Item:
    status = {"todo": "To Do", "in_progress": "In Progress", "done": "Done"}[category.value]
    return Item(
        source=SOURCE,
        key=key,
        id=key.split("-")[1],
        project="SHOP",
        type=ItemType.STORY,
        type_name="Story",
        summary=f"summary of {key}",
        status=status,
        status_category=category,
        created=utc(created),
        updated=utc(created),
    )


def _walk(key: str, *steps: tuple[str, str, str]) -> list[Change]:
    """Category changes for (at, from, to) steps."""
    return [
        Change(SOURCE, key, utc(at), TrackedField.STATUS_CATEGORY, old, new, f"{key}-{n}")
        for n, (at, old, new) in enumerate(steps)
    ]


DONE, TODO = StatusCategory.DONE, StatusCategory.TODO
ITEMS = [
    _item("SHOP-1", "2026-12-20 09:00", DONE),
    _item("SHOP-2", "2026-12-20 09:00", DONE),
    _item("SHOP-3", "2027-01-03 12:00", DONE),
    _item("SHOP-4", "2026-12-20 09:00", TODO),
    _item("SHOP-5", "2026-12-20 09:00", DONE),
]
CHANGES = [
    *_walk("SHOP-1", ("2027-01-02 10:00", "todo", "done")),
    *_walk(
        "SHOP-2",
        ("2027-01-02 08:00", "todo", "in_progress"),
        ("2027-01-04 15:00", "in_progress", "done"),
    ),
    *_walk("SHOP-3", ("2027-01-05 22:30", "todo", "done")),
    *_walk("SHOP-5", ("2027-01-05 23:30", "todo", "done")),
]


def load_board_project(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    for name in (*ENV_NAMES.values(), CONFIG_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(TOKEN_VARIABLE, "a-long-enough-test-token")
    (folder / "mappings").mkdir()
    (folder / "mappings" / "team.yaml").write_text(TEAM)
    (folder / "mappings" / "quarter.yaml").write_text(QUARTER)
    (folder / "okrsync.yaml").write_text(CONFIG)
    return load_project(str(folder / "okrsync.yaml"))


def fill(store: Store) -> None:
    """Store the board as one pull of ``project = SHOP`` would."""
    store.save_pull_batch(SOURCE, QUERY, ITEMS, CHANGES)
    store.finish_pull(SOURCE, QUERY, [i.key for i in ITEMS], cursor=utc("2027-01-06 00:00"))
