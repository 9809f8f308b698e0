from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from store_helpers import T0

from okrsync import secrets
from okrsync.errors import StoreError
from okrsync.store import Store


def kr(kr_id: str, value: float | None, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": kr_id,
        "objective": "faster-checkout",
        "value": value,
        "baseline": 0,
        "target": 100,
        "progress": None if value is None else value / 100,
        "score": None if value is None else value / 100,
        "expected": 0.5,
        "status": "on_track",
        "override": None,
        "evidence": {"done": 3, "items": ["SHOP-2", "SHOP-3"]},
        "warnings": [],
    }
    result.update(extra)
    return result


def objective(objective_id: str, score: float) -> dict[str, Any]:
    return {"id": objective_id, "score": score, "status": "at_risk", "key_results": ["a"]}


def test_runs_are_recorded_and_listed_newest_first(store: Store) -> None:
    first = store.start_run("pull")
    second = store.start_run("sync", T0)
    (running,) = [r for r in store.runs() if r.id == second]
    assert (running.command, running.as_of, running.status) == ("sync", T0, "running")
    assert running.finished_at is None and running.pulled == {}

    store.finish_run(
        second,
        "failed",
        pulled={"jira": {"items": 120, "requests": 4}},
        warnings=["2 items unestimated"],
        errors=["jira: 401 unauthorized"],
    )
    store.finish_run(first, "ok", pulled={}, warnings=[], errors=[])

    latest, earlier = store.runs()
    assert latest.id == second and earlier.id == first
    assert latest.status == "failed"
    assert latest.pulled == {"jira": {"items": 120, "requests": 4}}
    assert latest.warnings == ["2 items unestimated"]
    assert latest.errors == ["jira: 401 unauthorized"]
    assert latest.finished_at is not None and latest.finished_at >= latest.started_at
    assert earlier.status == "ok"
    assert earlier.as_of == earlier.started_at
    assert [r.id for r in store.runs(limit=1)] == [second]


def test_finishing_needs_a_known_run_and_a_final_status(store: Store) -> None:
    with pytest.raises(StoreError, match="run 42"):
        store.finish_run(42, "ok", pulled={}, warnings=[], errors=[])
    run = store.start_run("sync", T0)
    with pytest.raises(ValueError, match="running"):
        store.finish_run(run, "running", pulled={}, warnings=[], errors=[])


def test_secrets_are_masked_in_run_messages(store: Store) -> None:
    secrets.register("tok-3141592653")
    run = store.start_run("sync", T0)
    store.finish_run(run, "failed", {}, ["echo tok-3141592653"], ["bad tok-3141592653"])
    (record,) = store.runs()
    assert record.warnings == ["echo ********"]
    assert record.errors == ["bad ********"]


def test_latest_results_are_the_most_recent_per_kr(store: Store) -> None:
    monday, tuesday = T0, T0 + timedelta(days=1)
    run1 = store.start_run("sync", monday)
    store.record_results(
        run1, monday, [kr("ship", 10.0), kr("cycle", 6.0)], [objective("faster-checkout", 0.1)]
    )
    run2 = store.start_run("sync", tuesday)
    store.record_results(run2, tuesday, [kr("ship", 25.0)], [objective("faster-checkout", 0.3)])
    store.record_backfill("ship", [(tuesday + timedelta(days=5), kr("ship", 99.0))])

    as_of, krs, objectives = store.latest_results()

    assert as_of == tuesday
    assert [(r.kr_id, r.value, r.as_of, r.run_id) for r in krs] == [
        ("cycle", 6.0, monday, run1),
        ("ship", 25.0, tuesday, run2),
    ]
    ship = krs[1]
    assert ship.objective_id == "faster-checkout"
    assert (ship.baseline, ship.target, ship.progress, ship.score) == (0.0, 100.0, 0.25, 0.25)
    assert (ship.expected, ship.status, ship.backfilled) == (0.5, "on_track", False)
    assert ship.data == kr("ship", 25.0)
    assert [(o.objective_id, o.score, o.status, o.run_id) for o in objectives] == [
        ("faster-checkout", 0.3, "at_risk", run2)
    ]
    assert objectives[0].data["key_results"] == ["a"]


def test_latest_results_of_some_krs_only(store: Store) -> None:
    monday, tuesday = T0, T0 + timedelta(days=1)
    run1 = store.start_run("sync", monday)
    store.record_results(run1, monday, [kr("ship", 10.0), kr("cycle", 6.0)], [objective("o", 0.1)])
    run2 = store.start_run("sync", tuesday)
    store.record_results(run2, tuesday, [kr("ship", 25.0)], [objective("o", 0.3)])
    # One unit's run reads its own KRs' latest results, and no objective's.
    as_of, krs, objectives = store.latest_results(kr_ids={"ship"})
    assert (as_of, [(r.kr_id, r.value) for r in krs], objectives) == (tuesday, [("ship", 25.0)], [])
    # As of Monday, Monday's.
    _, krs, _ = store.latest_results(monday, kr_ids=["ship", "cycle"])
    assert [(r.kr_id, r.value) for r in krs] == [("cycle", 6.0), ("ship", 10.0)]
    assert store.latest_results(kr_ids=[]) == (None, [], [])


def test_nothing_recorded_yet(store: Store) -> None:
    assert store.latest_results() == (None, [], [])
    assert store.kr_history("ship") == []


def test_recording_a_run_again_replaces_its_results(store: Store) -> None:
    run = store.start_run("sync", T0)
    store.record_results(run, T0, [kr("ship", 10.0), kr("cycle", 6.0)], [objective("o", 0.1)])
    store.record_results(run, T0, [kr("ship", 12.0)], [objective("o", 0.2)])
    _, krs, objectives = store.latest_results()
    assert [(r.kr_id, r.value) for r in krs] == [("cycle", 6.0), ("ship", 12.0)]
    assert [o.score for o in objectives] == [0.2]
    assert [p.value for p in store.kr_history("ship")] == [12.0]


def test_overrides_missing_values_and_non_numbers(store: Store) -> None:
    override = {"value": 0.4, "reason": "vendor outage", "until": "2027-02-20"}
    run = store.start_run("sync", T0)
    store.record_results(
        run,
        T0,
        [
            kr("ship", None, override=override, progress=0.4),
            kr("cycle", float("nan"), baseline="6d", target=True),
        ],
        [],
    )
    _, krs, _ = store.latest_results()
    cycle, ship = krs
    assert ship.value is None and ship.progress == 0.4
    assert ship.override == override and ship.data["override"] == override
    # NaN is no number on either backend: stored as missing, in the columns and the data.
    assert cycle.value is None and cycle.data["value"] is None
    assert cycle.baseline is None and cycle.data["baseline"] == "6d"
    assert cycle.target is None


def test_history_mixes_recorded_and_backfilled_points_by_as_of(store: Store) -> None:
    days = [T0 + timedelta(days=n) for n in range(6)]
    run = store.start_run("sync", days[3])
    store.record_results(run, days[3], [kr("ship", 30.0), kr("other", 1.0)], [])
    store.record_backfill("ship", [(days[2], kr("ship", 20.0)), (days[0], kr("ship", 0.0))])

    history = store.kr_history("ship")
    assert [(p.as_of, p.value, p.backfilled) for p in history] == [
        (days[0], 0.0, True),
        (days[2], 20.0, True),
        (days[3], 30.0, False),
    ]
    assert history[0].run_id is None

    # A new back-fill replaces the earlier back-filled points, never recorded ones.
    store.record_backfill("ship", [(days[1], kr("ship", 5.0))])
    assert [(p.as_of, p.value, p.backfilled) for p in store.kr_history("ship")] == [
        (days[1], 5.0, True),
        (days[3], 30.0, False),
    ]
    assert [p.value for p in store.kr_history("other")] == [1.0]

    store.record_backfill("ship", [])
    assert [p.backfilled for p in store.kr_history("ship")] == [False]


def test_a_result_needs_an_id(store: Store) -> None:
    run = store.start_run("sync", T0)
    with pytest.raises(ValueError, match="'id'"):
        store.record_results(run, T0, [{"value": 1.0}], [])
    with pytest.raises(ValueError, match="'id'"):
        store.record_results(run, T0, [], [{"score": 1.0}])


def test_latest_results_at_or_before_an_instant(store: Store) -> None:
    """What a run evaluating an earlier instant compares itself with."""
    monday, tuesday = T0, T0 + timedelta(days=1)
    late = store.start_run("sync", tuesday)
    store.record_results(late, tuesday, [kr("ship", 25.0)], [objective("faster-checkout", 0.3)])
    early = store.start_run("sync", monday)
    store.record_results(early, monday, [kr("ship", 10.0)], [objective("faster-checkout", 0.1)])

    assert [r.value for r in store.latest_results()[1]] == [25.0]
    as_of, krs, objectives = store.latest_results(tuesday - timedelta(seconds=1))
    assert as_of == monday
    assert [(r.value, r.run_id) for r in krs] == [(10.0, early)]
    assert [o.score for o in objectives] == [0.1]
    assert store.latest_results(tuesday)[1][0].value == 25.0  # at or before: it counts
    assert store.latest_results(monday - timedelta(seconds=1)) == (None, [], [])


def test_which_krs_have_back_filled_points(store: Store) -> None:
    run = store.start_run("sync", T0)
    store.record_results(run, T0, [kr("ship", 10.0), kr("cycle", 6.0)], [])
    store.record_backfill("ship", [(T0, kr("ship", 5.0))])
    store.record_backfill("gone", [])  # an empty back-fill leaves no point
    assert store.backfilled_kr_ids(["ship", "cycle", "gone", "never"]) == {"ship"}
    assert store.backfilled_kr_ids([]) == set()
