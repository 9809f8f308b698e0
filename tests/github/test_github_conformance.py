"""The GitHub connector passes the conformance kit against the GitHub sandbox. Expected
states are hand-read from sandbox/okrsync_github_sandbox/DATASET.md (A = 2027-01-01)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from github_site import SELECTION, at, github_site
from okrsync_github import GitHubConnector
from okrsync_github_sandbox import GitHubSandbox

from okrsync.connector import PushTarget
from okrsync.items import StatusCategory
from okrsync.testing import ConformanceCase, ConnectorConformance, Expected

TODO, IN_PROGRESS, DONE = StatusCategory.TODO, StatusCategory.IN_PROGRESS, StatusCategory.DONE
# #6 (closed as not planned) and #7 (as a duplicate) are members, withdrawn from then on.
KEYS = frozenset(f"acme/shop-app#{n}" for n in range(1, 8))
STATES = {
    # #3: Todo from A+1, In Progress A+12 09:00, closed A+25 15:00, reopened A+27 09:00,
    # closed A+30 12:00. #5: created A+15 10:00, parent #1 from A+16 10:00 to A+19 10:00.
    # #6: open (Todo) until closed as not planned A+18 10:00, withdrawn from then on.
    at(2): {"acme/shop-app#3": Expected(TODO, parent="acme/shop-app#1"), "acme/shop-app#5": None},
    at(17): {
        "acme/shop-app#3": Expected(IN_PROGRESS),
        "acme/shop-app#5": Expected(TODO, parent="acme/shop-app#1"),
        "acme/shop-app#6": Expected(TODO, withdrawn=False),
    },
    at(26): {
        "acme/shop-app#3": Expected(DONE),
        "acme/shop-app#4": Expected(DONE),
        "acme/shop-app#6": Expected(TODO, withdrawn=True),
    },
    at(28): {"acme/shop-app#3": Expected(IN_PROGRESS), "acme/shop-app#5": Expected(parent=None)},
}


def _case(github: GitHubSandbox) -> ConformanceCase:
    @contextmanager
    def fault(status: int) -> Iterator[None]:
        if status == 429:
            github.faults.secondary(times=10_000, status=429)
        else:
            github.faults.answer(status, times=10_000)
        try:
            yield
        finally:
            github.faults.clear()

    settings = {"url": github.url, "token": github.token, "project": "acme/5"}
    pushes = [
        (PushTarget("ship", "github", "field", issue="acme/okrs#1", field="KR Progress"), 42.5),
        (PushTarget("ship", "github", "comment", issue="acme/okrs#1"), "okrsync: 42.5%"),
    ]
    create = PushTarget(
        "new-kr", "github", "create", create={"repo": "acme/okrs", "labels": "key-result"}
    )
    return ConformanceCase(
        connector=lambda: GitHubConnector("github", settings),
        query=SELECTION,
        keys=KEYS,
        states=STATES,
        pushes=pushes,
        create=(create, {"summary": "A KR okrsync created"}),
        writes=lambda: len(github.writes),
        fault=fault,
        secret=github.token,
    )


class TestGitHub(ConnectorConformance):
    @pytest.fixture
    def conformance_case(self) -> Iterator[ConformanceCase]:
        with github_site() as github:
            yield _case(github)
