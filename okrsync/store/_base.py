"""What every part of the store shares: the engine and its transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError

from okrsync.store._engine import BEGIN_OPTION, operation_failed


class StoreBase:
    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self._url = url
        # Rows pulled since this store last refreshed PostgreSQL's planner statistics.
        self._rows_written = 0

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
            misuse = _misuse(exc)
            if misuse is not None:
                # A value the store cannot take (a naive time, say) is the caller's bug,
                # not a database failure: surface the original error.
                raise misuse from None
            raise operation_failed(exc, self._url) from exc


def _misuse(exc: SQLAlchemyError) -> Exception | None:
    if not isinstance(exc, StatementError) or isinstance(exc, DBAPIError):
        return None
    return exc.orig if isinstance(exc.orig, ValueError | TypeError) else None


def utcnow() -> datetime:
    return datetime.now(UTC)
