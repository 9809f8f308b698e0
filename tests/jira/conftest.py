"""Shared fixtures of the Jira connector tests: a fake clock for the HTTP layer's waits,
and settings for a made-up Cloud site (respx intercepts every request to it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jira_site import SITE, TOKEN, FakeTime

import okrsync.http


@pytest.fixture(autouse=True)
def fake_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTime]:
    fake = FakeTime()
    monkeypatch.setattr(okrsync.http, "sleep", fake.sleep)
    monkeypatch.setattr(okrsync.http, "monotonic", fake.monotonic)
    yield fake


@pytest.fixture
def cloud_settings() -> dict[str, Any]:
    return {"type": "jira", "url": SITE, "email": "bot@acme.com", "token": TOKEN}


@pytest.fixture
def anyio_backend() -> str:
    # Async tests run on anyio's pytest plugin (shipped with httpx's anyio), on asyncio.
    return "asyncio"
