"""The run lock: two syncs on one store must never both write to the tools.

PostgreSQL: a session advisory lock, held on a dedicated connection. SQLite: an OS
file lock beside the database file (``flock`` locks are per open file, so they also
exclude a second store opened in the same process). In-memory SQLite can only be
shared within one store object, so a plain thread lock is enough.

A unit run (one mapping file, see ``okrsync.units``) holds the store's lock shared and
its unit's lock exclusively: runs of different units go on side by side, two runs of
one unit never do, and a run of every file excludes them all.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from okrsync.store._engine import sqlite_path

Release = Callable[[], None]


def pg_lock_key(connection: Connection, purpose: str) -> int:
    """A 64-bit advisory lock key unique to this database and schema."""
    database, schema = connection.execute(text("SELECT current_database(), current_schema()")).one()
    digest = hashlib.sha256(f"okrsync:{purpose}:{database}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def unit_digest(unit: str) -> str:
    """A short, file-name-safe name of a unit's lock."""
    return hashlib.sha256(unit.encode()).hexdigest()[:16]


def acquire(
    engine: Engine, local: threading.Lock, *, wait: bool, unit: str | None = None
) -> Release | None:
    """Take the lock (of one unit, if given); returns how to release it, or None when
    another run holds it."""
    if engine.dialect.name == "postgresql":
        return _advisory(engine, wait=wait, unit=unit)
    path = sqlite_path(engine.url)
    if path is None:
        # One store object, one process: every run, of a unit or not, takes turns.
        return local.release if local.acquire(blocking=wait) else None
    store_lock = path.with_name(path.name + ".lock")
    if unit is None:
        return _flock(store_lock, wait=wait)
    shared = _flock(store_lock, wait=wait, shared=True)
    if shared is None:
        return None
    try:
        own = _flock(path.with_name(f"{path.name}.unit-{unit_digest(unit)}.lock"), wait=wait)
    except BaseException:
        shared()
        raise
    if own is None:
        shared()
        return None

    def release() -> None:
        try:
            own()
        finally:
            shared()

    return release


def _flock(path: Path, *, wait: bool, shared: bool = False) -> Release | None:
    import fcntl  # POSIX only, like the rest of the file locking

    handle = path.open("a+b")
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        fcntl.flock(handle.fileno(), mode | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        handle.close()
        return None
    except BaseException:
        handle.close()
        raise

    def release() -> None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    return release


def _advisory(engine: Engine, *, wait: bool, unit: str | None = None) -> Release | None:
    connection = engine.connect()
    try:
        # (key, shared): the store's run lock, then the unit's.
        keys = [(pg_lock_key(connection, "run"), unit is not None)]
        if unit is not None:
            keys.append((pg_lock_key(connection, f"run:{unit_digest(unit)}"), False))
        taken: list[tuple[int, bool]] = []
        for key, shared in keys:
            if not _advisory_take(connection, key, shared=shared, wait=wait):
                break
            taken.append((key, shared))
        # The lock belongs to the session, not the transaction: end the transaction so
        # the connection does not sit "idle in transaction" for the whole run.
        connection.commit()
    except BaseException:
        # Interrupted while waiting, the lock may have been granted: drop the session.
        connection.invalidate()
        connection.close()
        raise
    if len(taken) < len(keys):
        # Closing the session frees what was taken.
        connection.invalidate()
        connection.close()
        return None

    def release() -> None:
        try:
            for key, shared in reversed(taken):
                unlock = "pg_advisory_unlock_shared" if shared else "pg_advisory_unlock"
                connection.execute(text(f"SELECT {unlock}(:key)"), {"key": key})
            connection.commit()
        except SQLAlchemyError:
            # Ending the session frees the lock; never return a locked session to the pool.
            connection.invalidate()
        finally:
            connection.close()

    return release


def _advisory_take(connection: Connection, key: int, *, shared: bool, wait: bool) -> bool:
    suffix = "_shared" if shared else ""
    if wait:
        connection.execute(text(f"SELECT pg_advisory_lock{suffix}(:key)"), {"key": key})
        return True
    result = connection.execute(text(f"SELECT pg_try_advisory_lock{suffix}(:key)"), {"key": key})
    return bool(result.scalar())
