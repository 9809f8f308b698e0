"""Pulled state: items, their change history, sprints, query members and cursors.

A pull stores batches (upserts on natural keys, so a re-read is harmless) and only
then, in one transaction, replaces the query's members and advances its cursor. A
crash between batches leaves the cursor where it was, so the next pull re-reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Text, cast, delete, exists, func, select
from sqlalchemy.engine import Connection

from okrsync.items import Change, Item, Sprint, TrackedField, tracked_value
from okrsync.store import _tables as t
from okrsync.store._base import StoreBase, utcnow
from okrsync.store._bulk import (
    KEYS_PER_CHUNK,
    chunked,
    driver_delete,
    driver_rows,
    driver_text_rows,
    driver_upsert,
    first_column,
    listed,
    mark,
    quoted,
    upsert,
)
from okrsync.store._convert import (
    CHANGE_COLUMNS,
    ITEM_COLUMNS,
    JSON_COLUMNS,
    LEAN_ITEM_COLUMNS,
    WRITTEN_CHANGE_COLUMNS,
    DriverRows,
    row_sprint,
    sprint_row,
)
from okrsync.store._stats import refresh_statistics

# The change id of changes okrsync observed (the tool recorded none).
OBSERVED = "observed"
_FIELDS = {member.value: member for member in TrackedField}
# Sorts sprints without a start after every started one.
_NEVER = datetime.max.replace(tzinfo=UTC)


def query_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _check_source(source: str, what: str, sources: Iterable[str]) -> None:
    strangers = sorted(set(sources) - {source})
    if strangers:
        raise ValueError(f"{what} of source {strangers[0]!r} given for source {source!r}")


def _members_of(statement: Select[Any], source: str, query: str) -> Select[Any]:
    m, i = t.members.c, t.items.c
    return statement.join(t.members, (m.source == i.source) & (m.key == i.key)).where(
        m.source == source, m.query_hash == query_hash(query)
    )


class PullState(StoreBase):
    # --- reading ------------------------------------------------------------------------

    def cursor(self, source: str, query: str) -> datetime | None:
        """The ``since`` of the query's next pull; None before its first finished pull."""
        c = t.cursors.c
        statement = select(c.since).where(c.source == source, c.query_hash == query_hash(query))
        with self._transaction() as connection:
            since: datetime | None = connection.execute(statement).scalar()
        return since

    def members_swept_at(self, source: str, query: str) -> datetime | None:
        """When the query's members were last listed in full; None if never."""
        c = t.member_sweeps.c
        statement = select(c.swept_at).where(c.source == source, c.query_hash == query_hash(query))
        with self._transaction() as connection:
            swept: datetime | None = connection.execute(statement).scalar()
        return swept

    def record_members_swept(self, source: str, query: str, at: datetime) -> None:
        """Remember that the query's members were listed in full at ``at``."""
        row = {"source": source, "query_hash": query_hash(query), "swept_at": at}
        with self._transaction(write=True) as connection:
            upsert(connection, t.member_sweeps, [row])

    def known_keys(self, source: str, query: str) -> frozenset[str]:
        """Keys of the query's members, each stored with its item and history."""
        with self._transaction() as connection:
            return _member_keys(connection, source, query)

    def items_for(self, source: str, query: str, *, lean: bool = False) -> list[Item]:
        """The items the query matched at its last finished pull, ordered by key.

        ``lean`` leaves out what no measure reads (id, summary and update time come
        back empty, the update time as the creation time): what evaluation asks for."""
        names = LEAN_ITEM_COLUMNS if lean else ITEM_COLUMNS
        # JSON as its text: most lists and objects are empty ("[]"), which the
        # conversion recognises without parsing, as PostgreSQL's driver would.
        columns = [
            cast(t.items.c[name], Text) if name in JSON_COLUMNS else t.items.c[name]
            for name in names
        ]
        statement = _members_of(select(*columns), source, query).order_by(t.items.c.key)
        with self._transaction() as connection:
            convert = DriverRows(connection.dialect.name).item
            return [convert(row) for row in driver_rows(connection, statement)]

    def history_for(self, source: str, keys: Iterable[str]) -> dict[str, list[Change]]:
        """Each key's stored changes, oldest first; every key is present, maybe empty."""
        history: dict[str, list[Change]] = {key: [] for key in keys}
        with self._transaction() as connection:
            convert = DriverRows(connection.dialect.name).change
            marked = mark(connection)
            statements: dict[int, str] = {}  # by the chunk's length: at most two
            for chunk in chunked(history, KEYS_PER_CHUNK):
                statement = statements.get(len(chunk))
                if statement is None:
                    statement = statements[len(chunk)] = (
                        f"SELECT {listed(CHANGE_COLUMNS)} FROM {t.changes.name} "
                        f"WHERE {quoted('source')} = {marked} "
                        f"AND {quoted('key')} IN ({', '.join([marked] * len(chunk))}) "
                        f"ORDER BY {listed(('key', 'at', 'seq'))}"
                    )
                for row in driver_text_rows(connection, statement, [source, *chunk]):
                    history[row[1]].append(convert(row))
                _add_observed_changes(connection, source, chunk, history)
        return history

    def observed_since(self, source: str) -> dict[TrackedField, datetime]:
        """For each field the source's tool keeps no history of, when okrsync first
        observed it (its values before are unknown)."""
        o = t.observations.c
        statement = select(o.field, func.min(o.at)).where(o.source == source).group_by(o.field)
        with self._transaction() as connection:
            rows = connection.execute(statement).all()
        return {_FIELDS[name]: at for name, at in rows if name in _FIELDS}

    def sprints(self, source: str) -> list[Sprint]:
        """The source's sprints by start (unstarted ones last), then id."""
        statement = select(t.sprints).where(t.sprints.c.source == source)
        with self._transaction() as connection:
            found = [row_sprint(row) for row in connection.execute(statement).all()]
        return sorted(found, key=lambda s: (s.start or _NEVER, s.id))

    # --- writing ------------------------------------------------------------------------

    def save_pull_batch(
        self,
        source: str,
        query: str,
        items: Iterable[Item],
        changes: Iterable[Change],
        *,
        observed: frozenset[TrackedField] = frozenset(),
        seen_at: datetime | None = None,
    ) -> None:
        """Store one batch of a pull of ``query``: upsert the items and replace their
        history with ``changes``. The cursor and members stay as they were: the items
        become the query's members only when ``finish_pull`` names them.

        ``observed``: fields the tool keeps no history of; an item's value of one that
        differs from the last one observed is recorded as seen at ``seen_at`` (the
        pull's time), and reads back as a change then."""
        batch = list(items)
        _check_source(source, "an item", (item.source for item in batch))
        with self._transaction(write=True) as connection:
            values = DriverRows(connection.dialect.name).item_values
            driver_upsert(connection, t.items, ITEM_COLUMNS, (values(item) for item in batch))
            written = _replace_history(connection, source, [item.key for item in batch], changes)
            if observed:
                written += _observe(connection, batch, observed, seen_at or utcnow())
        self._rows_written += len(batch) + written

    def finish_pull(
        self,
        source: str,
        query: str,
        members: Iterable[str],
        cursor: datetime,
        sprints: Iterable[Sprint] = (),
        previous: frozenset[str] | None = None,
    ) -> None:
        """After every batch is stored: replace the members, upsert the sprints and move
        the cursor to ``cursor``, all in one transaction.

        Only members whose item is stored become members: one whose fetch failed is
        left out, so that the next pull finds it missing and fetches it again.
        ``previous`` is what ``known_keys`` returned when this pull began (nothing else
        changes the members meanwhile: a run holds the store's lock); with it only the
        difference is written, without reading the members again."""
        found = list(sprints)
        _check_source(source, "a sprint", (sprint.source for sprint in found))
        with self._transaction(write=True) as connection:
            self._rows_written += _set_members(connection, source, query, members, previous)
            upsert(connection, t.sprints, (sprint_row(sprint) for sprint in found))
            row = {
                "source": source,
                "query_hash": query_hash(query),
                "query": query,
                "since": cursor,
                "updated_at": utcnow(),
            }
            upsert(connection, t.cursors, [row])
        self._rows_written += len(found) + 1
        if self._engine.dialect.name == "postgresql":
            with self._transaction() as connection:
                if refresh_statistics(connection, self._rows_written):
                    self._rows_written = 0

    def replace_history(self, source: str, keys: Iterable[str], changes: Iterable[Change]) -> None:
        """Make ``changes`` the whole stored history of exactly the items ``keys``."""
        with self._transaction(write=True) as connection:
            _replace_history(connection, source, list(keys), changes)

    def set_members(self, source: str, query: str, keys: Iterable[str]) -> None:
        """Make ``keys`` the query's member set."""
        with self._transaction(write=True) as connection:
            _set_members(connection, source, query, keys)


def _replace_history(
    connection: Connection, source: str, keys: list[str], changes: Iterable[Change]
) -> int:
    """Returns how many changes were stored."""
    wanted = set(keys)
    rows = []
    values = DriverRows(connection.dialect.name).change_values
    for seq, change in enumerate(changes):
        if change.source != source or change.key not in wanted:
            raise ValueError(
                f"change of {change.source}:{change.key} given to replace the history "
                f"of other items of {source!r}"
            )
        rows.append(values(change, seq))
    driver_delete(connection, t.changes, ("source", "key"), ((source, key) for key in keys))
    driver_upsert(connection, t.changes, WRITTEN_CHANGE_COLUMNS, rows)
    return len(rows)


def _observations(
    connection: Connection, source: str, keys: list[str]
) -> dict[tuple[str, str], list[tuple[datetime, str | None]]]:
    """Each (key, field)'s observed values of the items ``keys``, oldest first."""
    o = t.observations.c
    statement = (
        select(o.key, o.field, o.at, o.value)
        .where(o.source == source, o.key.in_(keys))
        .order_by(o.key, o.field, o.at)
    )
    found: dict[tuple[str, str], list[tuple[datetime, str | None]]] = {}
    for key, field, at, value in connection.execute(statement).all():
        found.setdefault((key, field), []).append((at, value))
    return found


def _observe(
    connection: Connection, items: list[Item], fields: frozenset[TrackedField], at: datetime
) -> int:
    """Record each observed field's value that differs from the last one seen."""
    rows = []
    for chunk in chunked(items, KEYS_PER_CHUNK):
        source = chunk[0].source
        seen = _observations(connection, source, [item.key for item in chunk])
        for item in chunk:
            for field in sorted(fields):
                value = tracked_value(item, field)
                before = seen.get((item.key, field.value))
                if before and before[-1][1] == value:
                    continue
                row = {"source": source, "key": item.key, "field": field.value}
                rows.append({**row, "at": at, "value": value})
    upsert(connection, t.observations, rows)
    return len(rows)


def _add_observed_changes(
    connection: Connection, source: str, keys: list[str], history: dict[str, list[Change]]
) -> None:
    """Observed values as changes: before the first one the value is unknown (None)."""
    observed = _observations(connection, source, keys)
    for (key, name), values in observed.items():
        previous: str | None = None
        for at, value in values:
            history[key].append(
                Change(source, key, at, _FIELDS[name], previous, value, change_id=OBSERVED)
            )
            previous = value
    for key in {key for key, _ in observed}:
        # Stable: the tool's own changes keep their order among themselves.
        history[key].sort(key=lambda change: change.at)


def _member_keys(connection: Connection, source: str, query: str) -> frozenset[str]:
    c = t.members.c
    statement = select(c.key).where(c.source == source, c.query_hash == query_hash(query))
    # Read from the driver's cursor: a large query has 100,000s of members.
    return frozenset(first_column(connection, statement))


def _set_members(
    connection: Connection,
    source: str,
    query: str,
    keys: Iterable[str],
    existing: frozenset[str] | None = None,
) -> int:
    """Returns how many member rows were added or removed; ``existing`` are the stored
    members, if the caller knows them."""
    # Only the difference is written: between pulls a query's members barely change.
    digest = query_hash(query)
    if existing is None:
        existing = _member_keys(connection, source, query)
    wanted = set(keys)
    added, gone = sorted(wanted - existing), sorted(existing - wanted)
    # A first pull adds every member: straight to the driver, as the items are.
    columns = ("source", "query_hash", "key")
    driver_delete(connection, t.members, columns, ((source, digest, key) for key in gone))
    driver_upsert(connection, t.members, columns, ((source, digest, key) for key in added))
    if added:
        _drop_members_without_items(connection, source, digest, added)
    return len(added) + len(gone)


def _drop_members_without_items(
    connection: Connection, source: str, digest: str, added: list[str]
) -> None:
    """Members whose item is not stored (its fetch failed) are dropped, so that the next
    pull finds them missing and fetches them again. Only new members can be such."""
    m, i = t.members.c, t.items.c
    orphan = (
        (m.source == source)
        & (m.query_hash == digest)
        & ~exists().where(i.source == m.source, i.key == m.key)
    )
    if len(added) <= KEYS_PER_CHUNK:
        orphan &= m.key.in_(added)  # a few new members: look at those alone
    connection.execute(delete(t.members).where(orphan))
