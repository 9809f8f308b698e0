"""Fixtures of the shared HTTP layer's tests: a fake clock for every wait, and asyncio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_clock import FakeClock

import okrsync.http
import okrsync.ratelimit


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(okrsync.http, "sleep", fake.sleep)
    monkeypatch.setattr(okrsync.http, "monotonic", fake.monotonic)
    monkeypatch.setattr(okrsync.ratelimit, "wall_clock", fake.wall_clock)
    yield fake


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
