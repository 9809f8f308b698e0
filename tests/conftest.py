"""Fixtures shared by more than one test folder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redmine.redmine_server import build_template, require_redmine


@pytest.fixture(scope="session")
def redmine_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Redmine database seeded with seed.rb, built once per session (the
    Redmine tests and the end-to-end test across tools start theirs from a copy)."""
    require_redmine()
    return build_template(tmp_path_factory.mktemp("redmine-template"))


# Building and starting a real Redmine takes a minute or two on a busy machine: longer
# than the suite's per-test limit allows the test that first needs one.
REDMINE_SETUP_TIMEOUT = 600


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "redmine_template" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(REDMINE_SETUP_TIMEOUT))


@pytest.fixture(autouse=True)
def _root_logging_kept() -> Iterator[None]:
    """``serve`` and ``worker`` run in-process by a test point the root logger at that
    test's captured stderr, which is closed once it ends: a later test's log line (the
    store's migrations log at INFO) would fail on it. Each test leaves the root logger
    as it found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
