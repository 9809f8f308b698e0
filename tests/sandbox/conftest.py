from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from okrsync_sandbox import SandboxServer, build_dataset
from sandbox_times import ANCHOR, NOW


@pytest.fixture(scope="module")
def jira() -> Iterator[SandboxServer]:
    """A server shared by a module's read-only tests."""
    state = build_dataset(ANCHOR.date())
    state.clock = lambda: NOW
    with SandboxServer(state) as server:
        yield server


@pytest.fixture(scope="module")
def http(jira: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=jira.url, auth=jira.auth, timeout=10, verify=False) as client:
        yield client


@pytest.fixture
def site() -> Iterator[SandboxServer]:
    """A fresh server for a test that writes or injects faults."""
    state = build_dataset(ANCHOR.date())
    state.clock = lambda: NOW
    with SandboxServer(state) as server:
        yield server


@pytest.fixture
def client(site: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, auth=site.auth, timeout=10, verify=False) as c:
        yield c
