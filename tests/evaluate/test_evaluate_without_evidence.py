"""Evaluating without per-item evidence (what a back-filled point keeps): every value,
count and warning is the one the full evaluation gives, and no item is listed."""

from __future__ import annotations

from typing import Any

import pytest
from evaluate_fixtures import BERLIN, FakeData, one_kr, utc

from okrsync.evaluate.engine import evaluate_snapshot
from okrsync.evaluate.snapshot import Snapshot

AT = utc("2027-02-15 00:00")

MEASURES: list[dict[str, Any]] = [
    {"measure": "count"},
    {"measure": "done"},
    {"measure": "completion"},
    {"measure": "completion", "weight_by": "story_points"},
    {"measure": "completion", "weight_by": "story_points", "unestimated": "average"},
    {"measure": {"sum": "story_points"}},
    {"measure": {"average": "business_value"}},
    {"measure": {"scope_added": {}}},
    {"measure": {"scope_added": {}}, "weight_by": "story_points"},
    {"measure": {"throughput": {"window": "28d"}}},
    {"measure": {"cycle_time": {"window": "60d"}}, "baseline": "30d", "target": "5d"},
    {"measure": {"lead_time": {"window": "60d"}}, "baseline": "60d", "target": "5d"},
    {"measure": {"velocity": {"last": 3}}},
    {
        "measure": {
            "formula": "done / all * 100",
            "inputs": {"done": {"measure": "done"}, "all": {"measure": "count"}},
        }
    },
]


@pytest.mark.parametrize("kr", MEASURES, ids=lambda kr: str(kr["measure"]))
def test_the_same_result_without_the_items(kr: dict[str, Any]) -> None:
    files = [one_kr(target=kr.pop("target", 100), **kr)]

    def evaluated(with_evidence: bool) -> dict[str, Any]:
        snapshot = Snapshot(FakeData(), AT)
        evaluation = evaluate_snapshot(files, snapshot, BERLIN, with_evidence=with_evidence)
        return evaluation.key_results[0].to_dict()

    full, lean = evaluated(True), evaluated(False)
    assert full["evidence"]["items"]  # the board has items for every measure here
    assert lean["evidence"]["items"] == []
    full["evidence"]["items"] = []
    assert lean == full
