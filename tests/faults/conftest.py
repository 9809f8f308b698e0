"""Fixtures of the fault and crash tests: waits of the HTTP layer recorded instead of
slept (in this process), and the Jira sandbox with a running clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faults_harness import Waits, Workspace, sandbox_site
from okrsync_sandbox import SandboxServer

import okrsync.http


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    recorder = Waits()
    monkeypatch.setattr(okrsync.http, "sleep", recorder.sleep)
    monkeypatch.setattr(okrsync.http, "monotonic", recorder.monotonic)
    return recorder


@pytest.fixture
def jira() -> Iterator[SandboxServer]:
    """A sandbox of its own, for a test that writes or counts requests."""
    with sandbox_site() as server:
        yield server


@pytest.fixture
def workspace(jira: SandboxServer, tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace(tmp_path, jira)
    yield workspace
    workspace.stop()
