"""The PostgreSQL server the tests use (``OKRSYNC_TEST_POSTGRES_URL``), and a schema of
a test's own on it, so tests on one server never see each other's tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa

PG_URL = os.environ.get(
    "OKRSYNC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def libpq(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection string (for psycopg.connect)."""
    parsed = sa.make_url(url)
    parts = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "dbname": parsed.database,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


@contextmanager
def fresh_schema(prefix: str) -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(libpq(PG_URL), autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq(PG_URL), autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
