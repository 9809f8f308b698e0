"""The Jira connector passes the conformance kit, on Jira Cloud and Data Center, against
the bundled sandbox. Expected states are hand-read from the sandbox's DATASET.md
(anchor A = 2027-01-01)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from okrsync_jira import JiraConnector
from okrsync_sandbox import API_TOKEN, BOT_EMAIL, FIXED_ANCHOR, PAT, SandboxServer

from okrsync.connector import PushTarget
from okrsync.items import StatusCategory
from okrsync.testing import ConformanceCase, ConnectorConformance, Expected

A = datetime(FIXED_ANCHOR.year, FIXED_ANCHOR.month, FIXED_ANCHOR.day, tzinfo=UTC)
DONE, IN_PROGRESS = StatusCategory.DONE, StatusCategory.IN_PROGRESS
SHOP = frozenset(f"SHOP-{n}" for n in range(100, 117))

STATES = {
    # SHOP-104: in progress from A-5d, 5 → 8 points at A+3d 11:00, done at A+9d 14:00.
    # SHOP-105: in progress A+2d, done A+6d 15:00, re-opened A+8d, done A+12d 16:00.
    # SHOP-112 is created at A+16d.
    A + timedelta(days=1): {
        "SHOP-104": Expected(IN_PROGRESS, estimate=5.0, sprints=("1", "2")),
        "SHOP-105": Expected(StatusCategory.TODO),
        "SHOP-112": None,
    },
    A + timedelta(days=7): {
        "SHOP-104": Expected(IN_PROGRESS, estimate=8.0),
        "SHOP-105": Expected(DONE, estimate=3.0),
    },
    A + timedelta(days=10): {
        "SHOP-104": Expected(DONE, estimate=8.0, parent="SHOP-100"),
        "SHOP-105": Expected(IN_PROGRESS),
    },
}
KR_ISSUE = "OKR-12"


def _case(site: SandboxServer, settings: dict[str, Any]) -> ConformanceCase:
    @contextmanager
    def fault(status: int) -> Iterator[None]:
        if status == 429:
            site.faults.rate_limit("/", times=10_000, retry_after=None)
        else:
            site.faults.server_error("/", times=10_000, status=status)
        try:
            yield
        finally:
            site.faults.clear()

    push = [
        (PushTarget("ship", "jira", "field", issue=KR_ISSUE, field="KR Progress"), 42.5),
        (PushTarget("ship", "jira", "comment", issue=KR_ISSUE), "okrsync: 42.5% of the way"),
        (PushTarget("ship", "jira", "property", issue=KR_ISSUE), {"progress": 0.425}),
    ]
    create = PushTarget("new-kr", "jira", "create", create={"project": "OKR", "type": "Key Result"})
    return ConformanceCase(
        connector=lambda: JiraConnector("jira", {"url": site.url, **settings}),
        query="project = SHOP",
        keys=SHOP,
        states=STATES,
        pushes=push,
        create=(create, {"summary": "A KR okrsync created"}),
        writes=lambda: len(site.writes),
        fault=fault,
        secret=str(settings["token"]),
    )


class TestJiraCloud(ConnectorConformance):
    @pytest.fixture
    def conformance_case(self) -> Iterator[ConformanceCase]:
        with SandboxServer(anchor=FIXED_ANCHOR, deployment="Cloud") as site:
            yield _case(site, {"email": BOT_EMAIL, "token": API_TOKEN})


class TestJiraDataCenter(ConnectorConformance):
    @pytest.fixture
    def conformance_case(self) -> Iterator[ConformanceCase]:
        with SandboxServer(anchor=FIXED_ANCHOR, deployment="DataCenter") as site:
            yield _case(site, {"token": PAT, "deployment": "datacenter"})
