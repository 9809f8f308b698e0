"""Fixtures shared by more than one test folder."""

from __future__ import annotations

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
