"""Fixtures of the Redmine tests: a Redmine of its own for each test module, served from
the seeded template (``redmine_template`` in tests/conftest.py; see redmine_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redmine_server import redmine_server

import okrsync.http


async def _no_wait(seconds: float) -> None:
    """Retries happen at once instead of after a backoff."""


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(okrsync.http, "sleep", _no_wait)


@pytest.fixture(scope="module")
def redmine(redmine_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redmine serving a fresh copy of the seeded data."""
    with redmine_server(redmine_template, tmp_path_factory.mktemp("redmine")) as url:
        yield url
