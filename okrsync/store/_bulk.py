"""Bulk statements: chunked upserts on natural keys, deletes by key, and large reads.

Rows go to the database in chunks, so memory stays flat for very large pulls; each
chunk is one ``executemany``. The few rows of runs, locks and the ledger go through
SQLAlchemy Core (``upsert``, ``delete_where``); a pull's items and history, read back
by every evaluation, go to and come from the driver directly (``driver_upsert``,
``driver_delete``, ``driver_rows``): measured over 20,000 items in batches of 100,
that halved the client's CPU time for storing them on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import JSON, Select, Table, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

T = TypeVar("T")

ROWS_PER_CHUNK = 2000
KEYS_PER_CHUNK = 900


def chunked(values: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def upsert(
    connection: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    update: bool = True,
) -> None:
    """Insert ``rows``; on a primary-key clash overwrite (or, without ``update``, keep)
    the stored row. Later duplicates in ``rows`` win."""
    keys = [column.name for column in table.primary_key.columns]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    if update:
        changed = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        statement = statement.on_conflict_do_update(index_elements=keys, set_=changed)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    for chunk in chunked(rows, ROWS_PER_CHUNK):
        # PostgreSQL rejects a statement that would touch the same row twice, and a
        # chunk is sent as multi-row INSERTs: keep the last row of each key.
        unique = list({tuple(row[k] for k in keys): row for row in chunk}.values())
        connection.execute(statement, unique)


def driver_upsert(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """``upsert`` of rows already in the driver's values (``columns`` in order, the
    primary key among them), handed to the driver's ``executemany`` directly: for the
    hundreds of thousands of rows of a pull, SQLAlchemy's per-value work took a third
    of its time. JSON columns take JSON text. Later duplicates in ``rows`` win."""
    keys = [column.name for column in table.primary_key.columns]
    postgresql = connection.dialect.name == "postgresql"
    marked = mark(connection)
    # PostgreSQL takes JSON text only into a JSON column it is told is one.
    json_columns = {c.name for c in table.columns if postgresql and isinstance(c.type, JSON)}
    values = [f"CAST({marked} AS JSON)" if c in json_columns else marked for c in columns]
    changed = ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in columns if c not in keys)
    statement = (
        f"INSERT INTO {table.name} ({listed(columns)}) VALUES ({', '.join(values)}) "
        f"ON CONFLICT ({listed(keys)}) " + (f"DO UPDATE SET {changed}" if changed else "DO NOTHING")
    )
    _driver_many(connection, statement, rows)


def driver_delete(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """``delete_where`` for rows of the driver's values, ``columns`` in order."""
    condition = " AND ".join(f"{quoted(c)} = {mark(connection)}" for c in columns)
    _driver_many(connection, f"DELETE FROM {table.name} WHERE {condition}", rows)


def quoted(name: str) -> str:
    """A column's name as SQL (quoted: some are keywords, such as ``key``)."""
    return f'"{name}"'


def listed(names: Sequence[str]) -> str:
    return ", ".join(quoted(name) for name in names)


def _driver_many(connection: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    cursor = connection.connection.cursor()
    try:
        for chunk in chunked(rows, ROWS_PER_CHUNK):
            cursor.executemany(statement, chunk)
    finally:
        cursor.close()


def delete_where(connection: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Delete the rows matching each of ``rows`` (column -> value, same columns in all).

    One statement per key rather than ``IN (...)`` lists: PostgreSQL plans an equality
    on the leading key columns as an index lookup even before the table was ever
    analyzed, while it may scan the whole table for a long ``IN`` list.
    """
    for chunk in chunked(rows, ROWS_PER_CHUNK):
        columns = list(chunk[0])
        condition = [table.c[name] == bindparam(f"match_{name}") for name in columns]
        params = [{f"match_{name}": row[name] for name in columns} for row in chunk]
        connection.execute(delete(table).where(*condition), params)


def first_column(connection: Connection, statement: Select[Any]) -> Iterator[Any]:
    """The first column of every row, straight from the driver's cursor (see
    ``driver_rows``): for plain strings and numbers such as member keys."""
    for row in driver_rows(connection, statement):
        yield row[0]


def driver_rows(connection: Connection, statement: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """Every row as the driver's own tuple, straight from its cursor.

    For the 100,000s of rows of a large query, SQLAlchemy's result rows took as long
    again as the database; values come back as the driver gives them (no column
    type's conversion: SQLite's times are text, PostgreSQL's JSON is already parsed),
    so the caller converts what it reads.
    """
    # ``IN`` lists are expanded at execution: render them into the text sent.
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params  # built anew on every access: read once
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    yield from driver_text_rows(connection, str(compiled), params)


def driver_text_rows(
    connection: Connection, statement: str, params: Sequence[Any] | Mapping[str, Any]
) -> Iterator[tuple[Any, ...]]:
    """``driver_rows`` of a statement already in the driver's SQL (its ``mark`` for
    parameters): reading a chunk of keys at a time, compiling the same statement
    again for each chunk cost as much as converting its rows."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement, params)
        while rows := cursor.fetchmany(ROWS_PER_CHUNK):
            yield from rows
    finally:
        cursor.close()


def mark(connection: Connection) -> str:
    """The driver's parameter mark."""
    return "%s" if connection.dialect.name == "postgresql" else "?"
