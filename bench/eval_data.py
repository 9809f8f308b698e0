"""A store and a project at service scale, for the evaluation benchmark.

``teams`` mapping files (one sync unit each) of two objectives; every KR selects its own
project's items (``project = P7``), so 500 KRs over 1,000,000 items select 2,000 each.
The KRs rotate through the measures a team typically uses: completion (by count and by
story points), done, a sum of story points, median cycle time and a filtered count.

Rows go straight to the database driver (``executemany`` on SQLite, ``COPY`` on
PostgreSQL): seeding is not what is measured, and through the store it would take
minutes. The store itself creates the schema (``Store.open`` migrates).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from okrsync.store import Store

SOURCE = "jira"
CYCLE = "2027-Q1"
CYCLE_START = datetime(2027, 1, 1, tzinfo=UTC)
AS_OF = "2027-02-15"
KRS_PER_OBJECTIVE = 5
OBJECTIVES_PER_TEAM = 2
KRS_PER_TEAM = KRS_PER_OBJECTIVE * OBJECTIVES_PER_TEAM

# (measure and its settings) in the order KRs take them, as mapping YAML.
_MEASURES = (
    "measure: completion\n        target: 100%",
    "measure: completion\n        weight_by: story_points\n        target: 100%",
    "measure: done\n        target: 1500",
    "measure: {sum: story_points}\n        target: 5000",
    "measure: {cycle_time: {percentile: 50, window: 28d}}\n        baseline: 6d\n"
    "        target: 3d",
    "measure: count\n        where: {type: [bug], status_category: [todo, in_progress]}\n"
    "        baseline: 100\n        target: 0",
)
_STATUS = {"todo": "To Do", "in_progress": "In Progress", "done": "Done"}
_TYPES = ("story", "story", "task", "bug")


@dataclass(frozen=True)
class Scale:
    items: int = 1_000_000
    krs: int = 500

    @property
    def per_kr(self) -> int:
        return max(1, self.items // self.krs)

    @property
    def teams(self) -> int:
        return max(1, -(-self.krs // KRS_PER_TEAM))


def query_of(kr: int) -> str:
    return f"project = P{kr}"


def _hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _at(day: float) -> datetime:
    return CYCLE_START + timedelta(days=day)


def _item_and_history(kr: int, n: int, rng: random.Random) -> tuple[tuple[Any, ...], list[Any]]:
    """One item of project P{kr} and its changes: created in the quarter's first weeks
    (some before it), most started, about half done by mid-February."""
    key = f"P{kr}-{n}"
    created = _at(rng.uniform(-30.0, 40.0))
    kind = _TYPES[n % len(_TYPES)]
    estimate = None if n % 7 == 0 else float(rng.choice((1, 2, 3, 5, 8)))
    changes: list[Any] = []
    category = "todo"
    moment = created
    for seq, step in enumerate(("in_progress", "done")):
        if rng.random() < 0.25:
            break
        moment = moment + timedelta(days=rng.uniform(0.5, 12.0))
        change_id = f"{key}-{seq}"
        changes.append((key, "status_category", change_id, moment, seq * 2, category, step))
        status_from, status_to = _STATUS[category], _STATUS[step]
        changes.append((key, "status", change_id, moment, seq * 2 + 1, status_from, status_to))
        category = step
    resolved = moment if category == "done" else None
    item = (
        SOURCE,
        key,
        str(kr * 100_000 + n),
        f"P{kr}",
        kind,
        kind.title(),
        f"Work item {n} of team project P{kr}",
        _STATUS[category],
        category,
        created,
        max(moment, created),
        resolved,
        estimate,
        None,
        "[]",
        '["checkout"]' if n % 3 == 0 else "[]",
        "{}",
    )
    return item, changes


_ITEM_COLUMNS = (
    "source, key, id, project, type, type_name, summary, status, status_category, "
    "created, updated, resolved, estimate, parent, sprints, labels, fields"
)
_CHANGE_COLUMNS = "source, key, field, change_id, at, seq, from_value, to_value"


def _rows(scale: Scale) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
    """Items, changes and member rows, one KR's project at a time."""
    rng = random.Random(20270101)
    for kr in range(scale.krs):
        items: list[Any] = []
        changes: list[Any] = []
        members: list[Any] = []
        digest = _hash(query_of(kr))
        for n in range(scale.per_kr):
            item, history = _item_and_history(kr, n, rng)
            items.append(item)
            changes.extend((SOURCE, *change) for change in history)
            members.append((SOURCE, digest, item[1]))
        yield items, changes, members


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy's SQLite DateTime text format, naive UTC (as the store writes it).
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


def seed(url: str, scale: Scale) -> tuple[int, int]:
    """Fill an empty store at ``url``; returns (items, changes) written."""
    Store.open(url).close()  # creates the schema
    if url.startswith("sqlite"):
        return _seed_sqlite(url.removeprefix("sqlite:///"), scale)
    return _seed_postgresql(url, scale)


def _seed_sqlite(path: str, scale: Scale) -> tuple[int, int]:
    import sqlite3

    items = changes = 0
    connection = sqlite3.connect(path)
    try:
        item_sql = f"INSERT INTO items ({_ITEM_COLUMNS}) VALUES ({', '.join('?' * 17)})"
        change_sql = f"INSERT INTO changes ({_CHANGE_COLUMNS}) VALUES ({', '.join('?' * 8)})"
        member_sql = "INSERT INTO query_members (source, query_hash, key) VALUES (?, ?, ?)"
        for item_rows, change_rows, member_rows in _rows(scale):
            connection.executemany(item_sql, ([_sqlite_value(v) for v in row] for row in item_rows))
            connection.executemany(
                change_sql, ([_sqlite_value(v) for v in row] for row in change_rows)
            )
            connection.executemany(member_sql, member_rows)
            items += len(item_rows)
            changes += len(change_rows)
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return items, changes


def _seed_postgresql(url: str, scale: Scale) -> tuple[int, int]:
    import psycopg

    items = changes = 0
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain) as connection, connection.cursor() as cursor:
        for item_rows, change_rows, member_rows in _rows(scale):
            with cursor.copy(f"COPY items ({_ITEM_COLUMNS}) FROM STDIN") as copy:
                for row in item_rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY changes ({_CHANGE_COLUMNS}) FROM STDIN") as copy:
                for row in change_rows:
                    copy.write_row(row)
            with cursor.copy("COPY query_members (source, query_hash, key) FROM STDIN") as copy:
                for row in member_rows:
                    copy.write_row(row)
            items += len(item_rows)
            changes += len(change_rows)
        connection.commit()
        cursor.execute("ANALYZE")
    return items, changes


def write_project(folder: Path, url: str, scale: Scale) -> Path:
    """The config and the mapping files; returns the config's path."""
    mappings = folder / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    for team in range(scale.teams):
        first = team * KRS_PER_TEAM
        krs = range(first, min(first + KRS_PER_TEAM, scale.krs))
        (mappings / f"team-{team:03d}.yaml").write_text(_mapping(team, list(krs)))
    config = folder / "okrsync.yaml"
    settings = {
        "type": "jira",
        "url": "http://127.0.0.1:9",
        "email": "bench@example.com",
        "token": "unused",
    }
    config.write_text(
        f"database: {url}\nmappings: [mappings/]\ntimezone: UTC\n"
        f"connectors:\n  {SOURCE}: {json.dumps(settings)}\n"
    )
    return config


def _mapping(team: int, krs: list[int]) -> str:
    lines = [
        "version: 1",
        f"cycle: {CYCLE}",
        f"team: team-{team}",
        f"defaults: {{source: {SOURCE}}}",
        "objectives:",
    ]
    for index in range(0, len(krs), KRS_PER_OBJECTIVE):
        lines += [
            f"  - id: team-{team}-objective-{index // KRS_PER_OBJECTIVE}",
            f"    title: Team {team} objective {index // KRS_PER_OBJECTIVE}",
            "    key_results:",
        ]
        for kr in krs[index : index + KRS_PER_OBJECTIVE]:
            lines += [
                f"      - id: kr-{kr}",
                f"        title: Key result {kr}",
                f"        select: {{query: {query_of(kr)}}}",
                f"        {_MEASURES[kr % len(_MEASURES)]}",
            ]
    return "\n".join(lines) + "\n"
