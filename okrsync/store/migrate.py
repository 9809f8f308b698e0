"""Schema migrations, run programmatically: ``Store.open`` upgrades to head itself.

The Alembic environment ships inside the package (``okrsync/migrations``) and gets its
connection through ``Config.attributes``, so it works for any URL, in-memory SQLite
included. The functions taking a URL are for tools and tests; they open and close
their own engine.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from okrsync.errors import StoreError
from okrsync.store._engine import (
    BEGIN_OPTION,
    make_engine,
    mask,
    open_failed,
    parse,
    reason,
    sqlite_path,
)
from okrsync.store._lock import pg_lock_key

SCRIPT_LOCATION = "okrsync:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for okrsync's migrations, bound to ``connection`` if given."""
    config = Config(attributes={"connection": connection} if connection is not None else None)
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    return config


def head() -> str:
    """The newest schema revision this version of okrsync knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "okrsync ships at least one migration"
    return revision


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate_engine(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    """Move the schema to ``revision`` in one transaction, one migrator at a time."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Take the write lock up front so two first runs cannot interleave DDL.
            connection.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": pg_lock_key(connection, "migrate")},
                )
            config = alembic_config(connection)
            try:
                if down:
                    command.downgrade(config, revision)
                else:
                    command.upgrade(config, revision)
            except CommandError as exc:
                raise StoreError(
                    f"cannot migrate the state database {mask(engine.url)} to {revision}: "
                    f"{exc}; if it was written by a newer okrsync, upgrade okrsync"
                ) from None


def _run(url: str, revision: str, *, down: bool) -> None:
    parsed = parse(url)
    engine = make_engine(parsed)
    try:
        migrate_engine(engine, revision, down=down)
    except SQLAlchemyError as exc:
        raise open_failed(exc, parsed) from exc
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    _run(url, revision, down=False)


def downgrade(url: str, revision: str) -> None:
    _run(url, revision, down=True)


def current(url: str) -> str | None:
    """The schema revision of the database at ``url`` (None: not created yet)."""
    parsed = parse(url)
    engine = make_engine(parsed)
    try:
        with engine.connect() as connection:
            return current_revision(connection)
    except SQLAlchemyError as exc:
        raise open_failed(exc, parsed) from exc
    finally:
        engine.dispose()


def schema_problem(engine: Engine) -> str | None:
    """Why the database cannot be used as it is (unreachable, not migrated to this
    okrsync's schema), or None when it can."""
    path = sqlite_path(engine.url)
    if engine.dialect.name == "sqlite" and path is not None and not path.is_file():
        # Pooled connections would still read the deleted file: look at the path.
        return f"the state database {mask(engine.url)} does not exist (any more)"
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    except SQLAlchemyError as exc:
        return f"the state database {mask(engine.url)} cannot be reached: {reason(exc, engine.url)}"
    if revision != head():
        shown = revision or "no schema"
        return (
            f"the state database {mask(engine.url)} is at {shown}, not at this okrsync's "
            f"schema {head()}"
        )
    return None
