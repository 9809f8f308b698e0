"""Evaluation one unit (mapping file) at a time, and a service's re-score of the units
a run touched: same results and forecasts, fewer items held and read."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from evaluate_fixtures import BERLIN, ITEMS, QUERY, SOURCE, FakeData, mapping, utc

from okrsync.evaluate import Evaluation
from okrsync.evaluate.engine import evaluate_snapshot, rescore
from okrsync.evaluate.snapshot import Snapshot
from okrsync.forecast import MONTE_CARLO, ForecastSettings, add_forecasts
from okrsync.mapping.models import MappingFile

T = utc("2027-02-15 12:00")
BUGS = "project = SHOP AND issuetype = Bug"


def _kr(kr_id: str, query: str, target: int) -> dict[str, Any]:
    select = {"query": query}
    return {"id": kr_id, "title": kr_id, "select": select, "measure": "done", "target": target}


def _files() -> list[MappingFile]:
    """Team A's objective ``company`` is the one team B's objective aligns to."""
    team_a = mapping([{"id": "company", "title": "C", "key_results": [_kr("all-done", QUERY, 6)]}])
    team_b = mapping(
        [
            {
                "id": "bugs-fixed",
                "title": "B",
                "aligns_to": "company",
                "key_results": [_kr("bug-done", BUGS, 1), _kr("also-all", QUERY, 6)],
            }
        ]
    )
    return [team_a, team_b]


def _data() -> FakeData:
    bugs = [item for item in ITEMS if item.key == "SHOP-3"]
    return FakeData(queries={(SOURCE, QUERY): list(ITEMS), (SOURCE, BUGS): bugs})


def test_unit_by_unit_gives_the_same_document_and_checks_each_unit() -> None:
    files = _files()
    at_once = evaluate_snapshot(files, Snapshot(_data(), T), BERLIN)
    seen: list[tuple[int, list[str]]] = []

    def check(unit: Evaluation, mapping: MappingFile) -> None:
        seen.append((files.index(mapping), [result.id for result in unit.key_results]))

    by_unit = evaluate_snapshot(files, Snapshot(_data(), T), BERLIN, check=check)
    assert by_unit.to_dict() == at_once.to_dict()
    assert seen == [(0, ["all-done"]), (1, ["bug-done", "also-all"])]


def test_items_no_later_unit_reads_are_forgotten_and_shared_queries_read_once() -> None:
    files, data = _files(), _data()
    kept = Snapshot(data, T)
    evaluate_snapshot(files, kept, BERLIN)
    assert kept.timeline(SOURCE, "SHOP-1") is not None  # without a check, all is kept

    data = _data()
    snapshot = Snapshot(data, T)
    during: list[bool] = []

    def check(unit: Evaluation, mapping: MappingFile) -> None:
        during.append(snapshot.timeline(SOURCE, "SHOP-1") is not None)

    evaluate_snapshot(files, snapshot, BERLIN, check=check)
    assert during == [True, True]  # team B reads the same query: kept for it
    assert data.calls["items"] == 2  # QUERY once for both units, BUGS once
    assert data.history_keys.count("SHOP-1") == 1
    assert snapshot.timeline(SOURCE, "SHOP-1") is None  # no unit is left to read it


def test_rescore_reads_only_the_touched_unit_and_rolls_every_objective_up() -> None:
    files = _files()
    previous = evaluate_snapshot(files, Snapshot(_data(), T), BERLIN)
    assert previous.key_result("bug-done").value == 1.0
    assert previous.objective("company").progress == 0.625  # (3/6 + (1/1 + 3/6) / 2) / 2

    changed = _data()
    changed.queries[(SOURCE, BUGS)] = []  # team B's bug query matches nothing now
    changed.queries[(SOURCE, QUERY)] = list(ITEMS[:1])  # team A's data changed too...
    again = rescore(previous, files, Snapshot(changed, T), BERLIN, [files[1]])

    assert changed.calls["items"] == 2  # ...but only team B's queries are read
    assert again.key_result("all-done").value == 3.0  # team A's result kept as it was
    assert again.key_result("bug-done").value == 0.0
    assert again.key_result("also-all").value == 1.0  # SHOP-1 alone, done
    # bugs-fixed: (0/1 + 1/6) / 2 = 1/12; company: (3/6 + 1/12) / 2 = 7/24.
    assert again.objective("bugs-fixed").progress == pytest.approx(1 / 12)
    assert again.objective("company").progress == pytest.approx(7 / 24)
    assert [r.id for r in again.key_results] == ["all-done", "bug-done", "also-all"]


def test_forecasts_made_unit_by_unit_are_those_of_the_whole_evaluation() -> None:
    files, settings = _files(), ForecastSettings()
    whole = Snapshot(_data(), T)
    at_once = evaluate_snapshot(files, whole, BERLIN)
    add_forecasts(at_once, files, whole, BERLIN, lambda kr_id: [], settings)
    assert {r.forecast["method"] for r in at_once.key_results if r.forecast} == {MONTE_CARLO}

    snapshot = Snapshot(_data(), T)

    def check(unit: Evaluation, mapping: MappingFile) -> None:
        # As runs does: while the unit's items are still in the snapshot.
        add_forecasts(unit, [mapping], snapshot, BERLIN, lambda kr_id: [], settings)

    by_unit = evaluate_snapshot(files, snapshot, BERLIN, check=check)
    assert snapshot.timeline(SOURCE, "SHOP-1") is None  # the items were let go after all
    assert [r.forecast for r in by_unit.key_results] == [r.forecast for r in at_once.key_results]
    assert by_unit.to_dict() == at_once.to_dict()


def test_an_evaluation_leaves_no_cycle_that_keeps_its_results_alive() -> None:
    # Evaluation pauses the cyclic collector (collector_paused), and a trend's back-fill
    # evaluates once a day: results held only by reference cycles would pile up.
    # With the collector off, dropping the evaluation must free its KR results at once.
    gc.collect()
    gc.disable()
    try:
        evaluation = evaluate_snapshot(_files(), Snapshot(_data(), T), BERLIN)
        held = [weakref.ref(result) for result in evaluation.key_results]
        assert len(held) == 3
        del evaluation
        assert [ref() for ref in held] == [None, None, None]
    finally:
        gc.enable()
