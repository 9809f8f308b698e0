"""Shared fixtures of the Jira connector tests: a fake clock for the HTTP layer's waits,
and settings for a made-up Cloud site (respx intercepts every request to it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import okrsync.http

SITE = "https://acme.atlassian.net"
TOKEN = "tok-3f9a1c77e2b54d0d"


class FakeTime:
    """Stands in for okrsync.http.sleep/monotonic: sleeping advances the clock at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


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
