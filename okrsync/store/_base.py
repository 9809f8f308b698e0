"""What every part of the store shares: the engine and its transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from okrsync.store._engine import BEGIN_OPTION, operation_failed


class StoreBase:
    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._url = url

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """One transaction; database failures surface as ``StoreError``."""
        try:
            with self._engine.connect() as connection:
                if write and connection.dialect.name == "sqlite":
                    # Take SQLite's write lock at BEGIN: a deferred transaction that
                    # reads first could not upgrade once another writer committed.
                    connection.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})
                with connection.begin():
                    yield connection
        except SQLAlchemyError as exc:
            raise operation_failed(exc, self._url) from exc


def utcnow() -> datetime:
    return datetime.now(UTC)
