"""The run lock: two syncs on one store must never both write to the tools.

PostgreSQL: a session advisory lock, held on a dedicated connection. SQLite: an OS
file lock beside the database file (``flock`` locks are per open file, so they also
exclude a second store opened in the same process). In-memory SQLite can only be
shared within one store object, so a plain thread lock is enough.
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


def acquire(engine: Engine, local: threading.Lock, *, wait: bool) -> Release | None:
    """Take the lock; returns how to release it, or None when another run holds it."""
    if engine.dialect.name == "postgresql":
        return _advisory(engine, wait=wait)
    path = sqlite_path(engine.url)
    if path is None:
        return local.release if local.acquire(blocking=wait) else None
    return _flock(path.with_name(path.name + ".lock"), wait=wait)


def _flock(path: Path, *, wait: bool) -> Release | None:
    import fcntl  # POSIX only, like the rest of the file locking

    handle = path.open("a+b")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
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


def _advisory(engine: Engine, *, wait: bool) -> Release | None:
    connection = engine.connect()
    try:
        key = pg_lock_key(connection, "run")
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            taken = True
        else:
            result = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            taken = bool(result.scalar())
        # The lock belongs to the session, not the transaction: end the transaction so
        # the connection does not sit "idle in transaction" for the whole run.
        connection.commit()
    except BaseException:
        # Interrupted while waiting, the lock may have been granted: drop the session.
        connection.invalidate()
        connection.close()
        raise
    if not taken:
        connection.close()
        return None

    def release() -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()
        except SQLAlchemyError:
            # Ending the session frees the lock; never return a locked session to the pool.
            connection.invalidate()
        finally:
            connection.close()

    return release
