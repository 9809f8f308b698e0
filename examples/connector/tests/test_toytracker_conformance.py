"""The Toy Tracker connector passes okrsync's conformance kit against the toy server.
Expected states are read off ``toy_server.seeded()``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from okrsync_toytracker import ToyTrackerConnector
from toy_server import TOKEN, ToyServer

from okrsync.sdk import PushTarget, StatusCategory
from okrsync.testing import ConformanceCase, ConnectorConformance, Expected

TODO, DOING, DONE = StatusCategory.TODO, StatusCategory.IN_PROGRESS, StatusCategory.DONE


def jan(day: int, hour: int) -> datetime:
    return datetime(2027, 1, day, hour, tzinfo=UTC)


STATES = {
    # Item 1: doing from Jan 4 10:00, done Jan 8 16:00. Item 2: 5 points until Jan 5
    # 09:00, then 8; doing from Jan 10 11:00. Item 3 is created on Jan 12.
    jan(3, 12): {"1": Expected(TODO), "2": Expected(TODO, estimate=5.0), "3": None},
    jan(6, 12): {"1": Expected(DOING), "2": Expected(TODO, estimate=8.0)},
    jan(11, 12): {"1": Expected(DONE), "2": Expected(DOING), "3": None},
    jan(13, 12): {"3": Expected(TODO, estimate=2.0)},
}


class TestToyTracker(ConnectorConformance):
    @pytest.fixture
    def conformance_case(self) -> Iterator[ConformanceCase]:
        with ToyServer() as toy:
            settings = {"url": toy.url, "token": TOKEN}
            yield ConformanceCase(
                connector=lambda: ToyTrackerConnector("toy", settings),
                query="project=shop",
                keys=frozenset({"1", "2", "3"}),
                states=STATES,
                pushes=[
                    (PushTarget("ship", "toy", "field", issue="9", field="progress"), 42.5),
                    (PushTarget("ship", "toy", "comment", issue="9"), "okrsync: 42.5% done"),
                ],
                writes=lambda: toy.writes,
                fault=toy.failing,
                secret=TOKEN,
            )
