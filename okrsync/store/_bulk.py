"""Chunked bulk statements: upserts on natural keys and ``IN`` lookups.

Rows go to the database in chunks so that memory stays flat for very large pulls and
PostgreSQL's bind-parameter limit is never reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Table
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
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    if update:
        changed = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        statement = statement.on_conflict_do_update(index_elements=keys, set_=changed)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    for chunk in chunked(rows, ROWS_PER_CHUNK):
        # PostgreSQL rejects a statement that would touch the same row twice, and the
        # driver sends a chunk as one multi-row INSERT: keep the last of each key.
        unique = list({tuple(row[k] for k in keys): row for row in chunk}.values())
        connection.execute(statement, unique)
