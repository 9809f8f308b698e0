"""Every store test runs on SQLite (a temporary file) and on PostgreSQL (a fresh schema
per test on the server at 127.0.0.1:5432). Without that server the PostgreSQL half is
skipped, except in CI (``CI=true``), where it fails."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from okrsync.store import Store
from tests.postgres_schema import PG_URL, fresh_schema, libpq


@functools.cache
def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        with psycopg.connect(libpq(PG_URL), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0]
        return f"PostgreSQL at {sa.make_url(PG_URL).render_as_string()} is unreachable ({reason})"


def require_postgres() -> None:
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: the PostgreSQL tests must run)")
    pytest.skip(f"{problem}; set CI=true to make this a failure")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped afterwards."""
    require_postgres()
    with fresh_schema("okrsync_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'okrsync.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened
