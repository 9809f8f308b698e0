"""Alembic environment for okrsync's state database.

Run through ``okrsync.store.migrate``, which passes an open connection in
``config.attributes["connection"]`` (so in-memory SQLite works too) and wraps the
migration in its own transaction.
"""

from __future__ import annotations

from alembic import context

from okrsync.store._tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "okrsync's migrations need a connection; run them through okrsync.store.migrate"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
