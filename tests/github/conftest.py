from __future__ import annotations

from collections.abc import Iterator

import pytest
from github_site import github_site
from okrsync_github_sandbox import GitHubSandbox


@pytest.fixture
def github() -> Iterator[GitHubSandbox]:
    with github_site() as site:
        yield site
