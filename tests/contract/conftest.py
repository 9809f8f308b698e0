from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from contract_schema import Checker, load_spec
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer


@pytest.fixture(scope="module")
def jira() -> Iterator[SandboxServer]:
    with SandboxServer(anchor=FIXED_ANCHOR) as server:
        yield server


@pytest.fixture(scope="module")
def http(jira: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=jira.url, auth=jira.auth, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def platform() -> Checker:
    return Checker(load_spec("jira-cloud-platform.v3"))


@pytest.fixture(scope="session")
def software() -> Checker:
    return Checker(load_spec("jira-software.v3"))
