"""Turning a database URL into a configured engine, and database failures into
``StoreError`` messages that never show a password."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from okrsync.errors import StoreError
from okrsync.secrets import redact
from okrsync.store._types import dumps

EXAMPLES = "sqlite:///okrsync.db or postgresql+psycopg://USER@HOST:5432/DB"
# Execution option naming the statement that opens a SQLite transaction.
BEGIN_OPTION = "okrsync_begin"


def mask(url: str | URL) -> str:
    """The URL as it may be shown to a user: the password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Unparsable, yet it may still hold ``user:password@``.
        return redact(re.sub(r"([^:/@]*):[^/]*@", r"\1:***@", url))


def parse(url: str) -> URL:
    """Validate the URL and pin the driver okrsync ships (psycopg 3 for PostgreSQL)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StoreError(
            f"the database setting {mask(url)!r} is not a database URL; use {EXAMPLES}"
        ) from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend in ("postgresql", "postgres") and parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if (backend, driver) in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        return parsed
    raise StoreError(
        f"the database URL {mask(parsed)} uses {parsed.drivername!r}, which okrsync does "
        f"not support; use {EXAMPLES}"
    )


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    return Path(database)


def make_engine(url: URL) -> Engine:
    common: dict[str, Any] = {"json_serializer": dumps, "json_deserializer": json.loads}
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is None:
            # One shared connection, or every checkout would see a new, empty database.
            engine = create_engine(
                url,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
                **common,
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, **common)
        _configure_sqlite(engine, wal=path is not None)
        return engine
    connect_args: dict[str, Any] = {"application_name": "okrsync"}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 10
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **common)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling skips BEGIN before DDL and reads; hand it
        # to SQLAlchemy so every transaction (migrations included) is a real one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if wal:
            # Readers (status, the dashboard) keep working while a sync writes.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        # 64 MiB of page cache instead of 2: a pull's upserts and an evaluation's reads
        # walk indexes of 100,000s of items, which then stay in memory.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(BEGIN_OPTION, "BEGIN"))


def reason(exc: BaseException, url: URL) -> str:
    """The first line of the database's own message, with secrets masked."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    line = text[0].strip() if text else type(exc).__name__
    if url.password:
        line = line.replace(str(url.password), "***")
    return redact(line)


def open_failed(exc: BaseException, url: URL) -> StoreError:
    if url.get_backend_name() == "sqlite":
        advice = "check the path and its permissions"
    else:
        advice = "check the database setting and that the database server is running"
    return StoreError(f"cannot open the state database {mask(url)}: {reason(exc, url)}; {advice}")


def operation_failed(exc: BaseException, url: URL) -> StoreError:
    return StoreError(f"the state database {mask(url)} failed: {reason(exc, url)}")
