"""Plans of several cycles, over the hand-made board (evaluate_fixtures.py), in UTC.

The plan is [2026-Q4, 2027-Q1]: Q4 has 92 days, Q1 90, the plan 182. T is 2027-02-15
00:00: Q4 has ended (at 2027-01-01 00:00, when nothing of the board was done yet) and
Q1 is 45 of its 90 days in. Done at T: SHOP-1 (01-10), SHOP-2 (re-opened, done again
02-03) and SHOP-3 (01-15): 3.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from evaluate_fixtures import QUERY, FakeData, mapping, utc

from okrsync.evaluate import evaluate

UTC_ZONE = ZoneInfo("UTC")
T = utc("2027-02-15 00:00")
OVERRIDE = {"value": 0.4, "reason": "a hunch", "until": "2027-03-01"}


def _kr(kr_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": kr_id, "title": kr_id, "select": {"query": QUERY}, "measure": "done",
            "target": 4, **fields}  # fmt: skip


PLAN_FILE = mapping(
    [
        {"id": "parent", "title": "parent", "key_results": []},
        {
            "id": "child",
            "title": "child",
            "aligns_to": "parent",
            "key_results": [
                _kr("prorated"),
                _kr("explicit", weight=3, targets={"2026-Q4": 1}, override=OVERRIDE),
            ],
        },
    ],
    cycle=["2026-Q4", "2027-Q1"],
)


def _scores(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["cycle"], e["target"], e["value"], e["progress"], e["status"]) for e in entries]


def test_each_cycle_of_a_list_plan_is_scored_and_rolled_up() -> None:
    result = evaluate([PLAN_FILE], FakeData(), T, UTC_ZONE)
    prorated = result.key_result("prorated")
    # Q4's target is 4 prorated over 92 of 182 days; it ended with nothing done.
    assert _scores(prorated.cycles or []) == [
        ("2026-Q4", pytest.approx(4 * 92 / 182), 0.0, 0.0, "closed"),
        ("2027-Q1", 4.0, 3.0, pytest.approx(0.75), "on_track"),
    ]
    assert [e["expected"] for e in prorated.cycles or []] == [1.0, pytest.approx(45 / 90)]
    # Across the plan: 3 of 4, with 92 + 45 of 182 days gone.
    assert (prorated.progress, prorated.expected) == (
        pytest.approx(0.75),
        pytest.approx(137 / 182),
    )
    assert prorated.cycle == "2026-Q4..2027-Q1"
    explicit = result.key_result("explicit")
    # The override replaces the running cycle's progress (0.4, 10 points behind the
    # expected 0.5: still on track), not the ended one's.
    assert _scores(explicit.cycles or []) == [
        ("2026-Q4", 1.0, 0.0, 0.0, "closed"),
        ("2027-Q1", 4.0, 3.0, 0.4, "on_track"),
    ]
    # The objective weighs its KRs 1 and 3: Q1 (0.75 + 3 * 0.4) / 4 = 0.4875; its parent
    # scores its only aligned objective.
    for objective_id in ("child", "parent"):
        objective = result.objective(objective_id)
        assert [(e["cycle"], e["score"], e["status"]) for e in objective.cycles or []] == [
            ("2026-Q4", 0.0, "closed"),
            ("2027-Q1", pytest.approx(0.4875), "on_track"),
        ]
        assert objective.cycles is not None and objective.cycles[0]["target"] is None


def test_a_single_quarter_has_no_cycles_and_its_json_is_unchanged() -> None:
    quarter = mapping([{"id": "o", "title": "o", "key_results": [_kr("k")]}])
    result = evaluate([quarter], FakeData(), T, UTC_ZONE)
    assert result.key_result("k").cycles is None
    document = result.to_dict()
    assert "cycles" not in document["key_results"][0]
    assert "cycles" not in document["objectives"][0]


def test_a_future_cycle_has_no_value_and_before_the_plan_nothing_has() -> None:
    early = evaluate([PLAN_FILE], FakeData(), utc("2026-11-15 00:00"), UTC_ZONE)
    # Mid-Q4: Q4 runs (nothing done yet), Q1 has not started.
    assert _scores(early.key_result("prorated").cycles or []) == [
        ("2026-Q4", pytest.approx(4 * 92 / 182), 0.0, 0.0, "off_track"),
        ("2027-Q1", 4.0, None, None, "not_started"),
    ]
    # The override is active in Q4 now: (0 + 3 * 0.4) / 4 = 0.3.
    assert [e["score"] for e in early.objective("child").cycles or []] == [
        pytest.approx(0.3),
        None,
    ]


class MetricsOverTime(FakeData):
    """A store-like view whose metric was 10 until the end of Q4 and 30 after."""

    def __init__(self, as_of: datetime | None = None) -> None:
        super().__init__()
        self.as_of = as_of

    def seen_at(self, as_of: datetime) -> MetricsOverTime:
        return MetricsOverTime(as_of)

    def metric(self, source: str, name: str) -> float | None:
        return 10.0 if self.as_of is not None and self.as_of <= utc("2027-01-01 00:00") else 30.0


def test_an_ended_cycle_reads_its_metrics_as_of_its_end() -> None:
    metric = {"metric": {"source": "analytics", "name": "conversion"}}
    plan = mapping(
        [{"id": "o", "title": "o", "key_results": [
            {"id": "m", "title": "m", "measure": metric, "target": 40}]}],
        cycle=["2026-Q4", "2027-Q1"],
    )  # fmt: skip
    result = evaluate([plan], MetricsOverTime(), T, UTC_ZONE).key_result("m")
    # Q4 closed on 10 against 40 * 92/182; Q1 and the plan read 30 now.
    assert _scores(result.cycles or []) == [
        ("2026-Q4", pytest.approx(40 * 92 / 182), 10.0, pytest.approx(10 / (40 * 92 / 182)),
         "closed"),
        ("2027-Q1", 40.0, 30.0, pytest.approx(0.75), "on_track"),
    ]  # fmt: skip
    assert result.value == 30.0
