"""Fixtures of the end-to-end tests: the Jira sandbox with a running clock, and a
workspace whose okrsync.yaml points at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import Workspace, sandbox_site
from okrsync_sandbox import SandboxServer

import okrsync.http


async def _no_wait(seconds: float) -> None:
    """Retries (of a closed port, say) happen at once instead of after a backoff."""


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(okrsync.http, "sleep", _no_wait)


@pytest.fixture(scope="module")
def site() -> Iterator[SandboxServer]:
    """One sandbox for a module whose tests build on each other's state."""
    with sandbox_site() as jira:
        yield jira


@pytest.fixture(scope="module")
def workspace(site: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The module's workspace: the example mappings, a store of its own."""
    return Workspace(tmp_path_factory.mktemp("workspace"), site.url)


@pytest.fixture
def fresh_site() -> Iterator[SandboxServer]:
    """A sandbox of its own, for a test that writes and counts its writes."""
    with sandbox_site() as jira:
        yield jira


@pytest.fixture
def fresh(fresh_site: SandboxServer, tmp_path: Path) -> Workspace:
    """A workspace with an empty store, pointing at ``fresh_site``."""
    return Workspace(tmp_path, fresh_site.url)
