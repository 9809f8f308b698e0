"""Report inputs: the demo's real evaluation and hand-made edge cases."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEMO = Path(__file__).with_name("demo_evaluation.json")
CYCLE = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
AS_OF = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)

History = dict[str, list[dict[str, Any]]]
Cycles = dict[str, tuple[datetime, datetime]]


def demo() -> tuple[dict[str, Any], History, Cycles]:
    """The ``okrsync demo`` evaluation with daily back-filled points and weekly runs,
    with times as the store hands them out (datetimes, not strings)."""
    data = json.loads(DEMO.read_text())
    histories = {
        kr_id: [{**point, "as_of": datetime.fromisoformat(point["as_of"])} for point in points]
        for kr_id, points in data["histories"].items()
    }
    cycles = {
        kr_id: (datetime.fromisoformat(start), datetime.fromisoformat(end))
        for kr_id, (start, end) in data["cycles"].items()
    }
    return data["document"], histories, cycles


def kr(kr_id: str, **fields: Any) -> dict[str, Any]:
    """A KR result as ``KrResult.to_dict()`` gives it: on track, halfway, no evidence."""
    result: dict[str, Any] = {
        "id": kr_id,
        "objective": "obj",
        "title": f"Title of {kr_id}",
        "kind": "output",
        "measure": "done",
        "unit": "items",
        "value": 5.0,
        "baseline": 0.0,
        "target": 10.0,
        "progress": 0.5,
        "computed_progress": 0.5,
        "expected": 0.5,
        "status": "on_track",
        "score": 0.5,
        "override": None,
        "evidence": {"counts": {}, "items": []},
        "warnings": [],
        "weight": 1.0,
        "cycle": "2027-Q1",
        "stretch": False,
    }
    result.update(fields)
    return result


def objective(objective_id: str, key_results: list[str], **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": objective_id,
        "title": f"Title of {objective_id}",
        "score": 0.5,
        "progress": 0.5,
        "expected": 0.5,
        "status": "on_track",
        "key_results": key_results,
        "aligned": [],
        "aligns_to": None,
        "weight": 1.0,
        "cycle": "2027-Q1",
    }
    result.update(fields)
    return result


def document(objectives: list[dict[str, Any]], krs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"as_of": AS_OF.isoformat(), "objectives": objectives, "key_results": krs}


def daily(values: Sequence[float | None], *, recorded_every: int = 7) -> list[dict[str, Any]]:
    """One point a day from the cycle start; every ``recorded_every``-th is a run."""
    return [
        {
            "as_of": CYCLE[0] + timedelta(days=day, hours=6),
            "value": value,
            "progress": None,
            "expected": day / 90,
            "status": "on_track",
            "backfilled": day % recorded_every != 0,
        }
        for day, value in enumerate(values)
    ]


def item(number: int, *, done: bool = True, note: str = "") -> dict[str, Any]:
    return {
        "key": f"SHOP-{number}",
        "source": "jira",
        "status": "Done" if done else "In Progress",
        "status_category": "done" if done else "in_progress",
        "done": done,
        "contributes": 1.0 if done else 0.0,
        "note": note or ("done 2027-01-10" if done else "not done"),
    }


def edge_cases() -> tuple[dict[str, Any], History, Cycles]:
    """Every awkward shape at once: no value, no history, an override, a stretch result,
    a downward KR, a long title, hostile text, many items, a gap in the history."""
    krs = [
        kr(
            "no-value",
            value=None,
            progress=None,
            computed_progress=None,
            score=None,
            status="no_data",
            title="Checkout conversion from the analytics export",
        ),
        kr("no-history", value=3.0, progress=0.3, status="at_risk"),
        kr(
            "overridden",
            value=100.0,
            unit="",
            target=80.0,
            progress=0.5,
            computed_progress=1.0,
            override={
                "value": 0.5,
                "reason": "Provider fix pending <b>agreed</b> in review",
                "until": "2027-02-20",
            },
        ),
        kr("stretch", value=13.0, target=10.0, progress=1.3, computed_progress=1.3, stretch=True),
        kr(
            "cycle-time",
            title="Median story cycle time from 6 days to 3",
            measure="cycle_time",
            unit="days",
            value=4.5,
            baseline=6.0,
            target=3.0,
            progress=0.5,
            status="on_track",
        ),
        kr(
            "long-title",
            title="Make every single step of the checkout and payment flow "
            "measurably faster for returning shoppers on mobile devices in all twelve markets "
            "without raising the support ticket volume " * 2,
            status="off_track",
            progress=0.1,
            warnings=["2 unestimated items counted at the average of 4.14: SHOP-106, SHOP-113"],
        ),
        kr(
            "hostile",
            title="<script>alert('title')</script> & more",
            status="closed",
            evidence={
                "counts": {"selected": 80, "done": 60},
                "items": [
                    item(n, done=n % 4 != 0, note="<img src=x onerror=alert(1)>") for n in range(80)
                ],
            },
        ),
        kr("gappy", status="off_track", progress=0.2),
    ]
    objectives = [
        objective(
            "company", [], title="Company goal", aligned=["team"], progress=0.45, status="at_risk"
        ),
        objective(
            "team",
            [k["id"] for k in krs],
            aligns_to="company",
            title="Team <objective> with a deliberately long title that wraps on screens",
        ),
    ]
    rise = [float(day // 10) for day in range(45)]
    histories: History = {
        "no-value": daily([None, None, 2.0, 3.0]),
        "overridden": daily([0.0] * 20 + [100.0] * 25),
        "stretch": daily([day * 13 / 44 for day in range(45)]),
        "cycle-time": daily([6.0 - day / 20 for day in range(45)]),
        "long-title": daily(rise),
        "hostile": daily(rise),
        "gappy": daily([1.0, 2.0, None, None, 3.0, 4.0, 5.0]),
    }
    cycles = {k["id"]: CYCLE for k in krs}
    return document(objectives, krs), histories, cycles
