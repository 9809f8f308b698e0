"""The Redmine connector passes the conformance kit against a real Redmine 5 server.
The faults a real server will not produce on demand (401, 429, 5xx...) come from a
pass-through proxy in front of it, which also counts the writing requests.

Expected states are read off the seeded data (redmine_server.py, times in UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fault_proxy import FaultProxy
from okrsync_redmine import RedmineConnector
from redmine_server import API_KEY, KR_ISSUE

from okrsync.connector import PushTarget
from okrsync.items import StatusCategory
from okrsync.testing import ConformanceCase, ConnectorConformance, Expected

TODO, IN_PROGRESS, DONE = StatusCategory.TODO, StatusCategory.IN_PROGRESS, StatusCategory.DONE


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


STATES = {
    # #1: New with 3 points in Sprint 1; In Progress 07-03 09:00; Closed 07-10 16:00.
    # #2: 5 points in Sprint 1; In Progress 07-08; Sprint 2 from 07-13 12:00; 8 points
    #     from 07-20 10:00; Resolved (open, so in progress) 07-25; Closed 08-01 10:00.
    # #5: created 07-20 09:00; a child of #4 since 07-22 10:00.
    at(7, 2): {
        "1": Expected(TODO, estimate=3.0, sprints=("1",)),
        "2": Expected(TODO, estimate=5.0, sprints=("1",)),
        "5": None,
    },
    at(7, 15): {
        "1": Expected(DONE, estimate=3.0),
        "2": Expected(IN_PROGRESS, estimate=5.0, sprints=("2",)),
        "5": None,
    },
    at(7, 26): {
        "2": Expected(IN_PROGRESS, estimate=8.0, sprints=("2",)),
        "5": Expected(TODO, estimate=2.0, parent="4"),
    },
    at(8, 2): {"2": Expected(DONE, estimate=8.0)},
}


class TestRedmine(ConnectorConformance):
    @pytest.fixture
    def conformance_case(self, redmine: str) -> Iterator[ConformanceCase]:
        with FaultProxy(redmine) as proxy:
            settings = {"url": proxy.url, "token": API_KEY, "estimate_field": "Story points"}
            issue = str(KR_ISSUE)
            yield ConformanceCase(
                connector=lambda: RedmineConnector("redmine", settings),
                query="project_id=shop",
                keys=frozenset({"1", "2", "3", "4", "5"}),
                states=STATES,
                pushes=[
                    (PushTarget("kr", "redmine", "field", issue=issue, field="KR Progress"), 42.5),
                    (PushTarget("kr", "redmine", "comment", issue=issue), "okrsync: 42.5% done"),
                ],
                create=(
                    PushTarget(
                        "new-kr",
                        "redmine",
                        "create",
                        create={"project": "okr", "type": "Key Result"},
                    ),
                    {"summary": "A KR okrsync created"},
                ),
                writes=lambda: proxy.writes,
                fault=proxy.failing,
                secret=API_KEY,
            )
