"""``Store``: okrsync's state database, opened from a URL and migrated on open."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from errno import EEXIST
from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from okrsync.errors import RunInProgress, StoreError
from okrsync.store import _lock
from okrsync.store import _tables as t
from okrsync.store._answers import KeptAnswers
from okrsync.store._base import utcnow
from okrsync.store._bulk import upsert
from okrsync.store._closures import CycleClosures
from okrsync.store._deliveries import Deliveries
from okrsync.store._engine import make_engine, mask, open_failed, parse
from okrsync.store._identity import StoreIdentity
from okrsync.store._ledger import Ledger
from okrsync.store._metrics import MetricValues
from okrsync.store._pull import PullState
from okrsync.store._results import RunRecords
from okrsync.store.migrate import migrate_engine, schema_problem

_LOCK_NAME = "run"


class Store(
    PullState,
    MetricValues,
    RunRecords,
    Ledger,
    StoreIdentity,
    CycleClosures,
    Deliveries,
    KeptAnswers,
):
    """The state database: pulled items and history, metric values, runs and results,
    writes made, webhook deliveries seen, answers kept for conditional re-reads.

    Open with ``Store.open(url)``; use as a context manager or call ``close()``.
    Every method is its own transaction, except where a method says it groups work.
    Database failures raise ``StoreError``.
    """

    def __init__(self, engine: Engine, url: URL) -> None:
        super().__init__(engine, url)
        self._local_lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> Self:
        """Connect to the database at ``url`` and upgrade its schema to the newest."""
        parsed = parse(url)
        try:
            engine = make_engine(parsed)
        except OSError as exc:
            # Making the folders, a file where a folder should be is "File exists".
            problem = f"{exc.filename} is a file, not a folder" if exc.errno == EEXIST else None
            raise StoreError(
                f"cannot create the state database {mask(parsed)}: {problem or exc.strerror}; "
                "check the path and its permissions"
            ) from None
        try:
            migrate_engine(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise open_failed(exc, parsed) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed)

    @property
    def url(self) -> str:
        """The database URL, safe to show (password masked)."""
        return mask(self._url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def reads_alongside_writes(self) -> bool:
        """Whether a read may run in one thread while another thread writes: each has a
        connection of its own (PostgreSQL, or a SQLite file in WAL mode), not the one
        connection an in-memory SQLite database is."""
        return not isinstance(self._engine.pool, StaticPool)

    def problem(self) -> str | None:
        """Why the store cannot serve now (unreachable, or its schema is not this
        okrsync's), or None: what a readiness check asks."""
        return schema_problem(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def run_lock(self, wait: bool = False, unit: str | None = None) -> Iterator[None]:
        """Hold the store's run lock for the block: one run writes at a time. With
        ``unit`` (a mapping file), the lock of that unit: one run of each unit at a
        time, runs of different units side by side, none beside a run of every file.

        Raises ``RunInProgress`` when another run holds it, unless ``wait`` is true.
        """
        try:
            release = _lock.acquire(self._engine, self._local_lock, wait=wait, unit=unit)
        except SQLAlchemyError as exc:
            raise open_failed(exc, self._url) from exc
        name = _LOCK_NAME if unit is None else f"{_LOCK_NAME}:{unit}"
        if release is None:
            what = "this store" if unit is None else f"this store for {unit}"
            raise RunInProgress(
                f"another okrsync run is using {what} ({self._holder(name)}); "
                "try again when it finishes, or pass --wait to wait for it"
            )
        try:
            holder = f"pid {os.getpid()} on {socket.gethostname()}"
            row = {"name": name, "holder": holder, "since": utcnow()}
            with self._transaction(write=True) as connection:
                upsert(connection, t.lock_holder, [row])
            # Holding the lock, no other run (of the unit) is alive: a "running" one
            # died unfinished.
            self.fail_abandoned_runs(holder, unit)
            yield
        finally:
            release()

    def _holder(self, name: str) -> str:
        c = t.lock_holder.c
        names = [name] if name == _LOCK_NAME else [name, _LOCK_NAME]
        statement = select(c.holder, c.since).where(c.name.in_(names)).order_by(c.since.desc())
        try:
            with self._transaction() as connection:
                row = connection.execute(statement).first()
        except StoreError:
            row = None
        if row is None:
            return "started at an unknown time"
        return f"started {row.since:%Y-%m-%d %H:%M:%S} UTC by {row.holder}"
