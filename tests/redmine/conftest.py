"""Fixtures of the Redmine tests: a seeded template built once per session, and a
Redmine of its own for each test module (see redmine_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redmine_server import build_template, redmine_server, require_redmine

import okrsync.http


async def _no_wait(seconds: float) -> None:
    """Retries happen at once instead of after a backoff."""


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(okrsync.http, "sleep", _no_wait)


@pytest.fixture(scope="session")
def redmine_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_redmine()
    return build_template(tmp_path_factory.mktemp("redmine-template"))


@pytest.fixture(scope="module")
def redmine(redmine_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redmine serving a fresh copy of the seeded data."""
    with redmine_server(redmine_template, tmp_path_factory.mktemp("redmine")) as url:
        yield url
