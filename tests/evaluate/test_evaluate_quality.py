"""Data-quality warnings on the hand-made board (see evaluate_fixtures.py): each one
appears when its condition holds and stays away when it does not.

Instants used below (UTC):

    T2 = 01-16 00:00  SHOP-4 not created yet (01-20 09:00)
    T3 = 01-21 00:00  SHOP-2 re-opened 01-20 09:00 (first started 01-05 09:00)
    T5 = 02-02 00:00  SHOP-2 in progress again for 12 d 15 h; SHOP-5 for 7 d 15 h
    T4 = 02-15 00:00  SHOP-2 done again; SHOP-5 in progress since 01-25 09:00 (20 d 15 h)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from evaluate_fixtures import (
    BERLIN,
    DOING,
    HISTORY,
    ITEMS,
    QUERY,
    SOURCE,
    TODO,
    FakeData,
    _changes,
    _item,
    mapping,
    one_kr,
    utc,
)

from okrsync.evaluate import Evaluation, KrResult, evaluate
from okrsync.evaluate.engine import evaluate_snapshot
from okrsync.evaluate.quality import add_quality_warnings, keys_text, selection_sizes
from okrsync.evaluate.snapshot import Snapshot
from okrsync.items import Item, ItemType, TrackedField
from okrsync.mapping.models import MappingFile

T2, T3, T4, T5 = "2027-01-16 00:00", "2027-01-21 00:00", "2027-02-15 00:00", "2027-02-02 00:00"
PAY_QUERY = "project = PAY"


def checked(
    files: list[MappingFile], at: str, data: FakeData | None = None, **options: Any
) -> Evaluation:
    data = data or FakeData()
    evaluation = evaluate(files, data, utc(at), BERLIN)
    add_quality_warnings(evaluation, files, data, tz=BERLIN, **options)
    return evaluation


def warnings_of(at: str, data: FakeData | None = None, **kr: Any) -> list[str]:
    options = {k: kr.pop(k) for k in ("in_progress_age", "previous_sizes") if k in kr}
    kr.setdefault("target", 100)
    return checked([one_kr(**kr)], at, data, **options).key_results[0].warnings


def with_pay(pay: list[Item], history: dict[str, list[Any]] | None = None) -> FakeData:
    """The board plus ``project = PAY`` holding ``pay``."""
    histories = {(SOURCE, key): changes for key, changes in HISTORY.items()}
    histories.update({(SOURCE, key): changes for key, changes in (history or {}).items()})
    return FakeData({(SOURCE, QUERY): list(ITEMS), (SOURCE, PAY_QUERY): pay}, histories)


def pay_item(key: str, status: str = TODO, **extra: Any) -> Item:
    return replace(_item(key, ItemType.STORY, "2026-12-20 09:00", status, **extra), project="PAY")


BOTH = [{"query": QUERY}, {"query": PAY_QUERY}]


# --- long in progress -----------------------------------------------------------------


def test_an_item_in_progress_longer_than_the_age_is_named_with_its_days() -> None:
    # T4: SHOP-5 entered in progress 01-25 09:00, 20 d 15 h before; SHOP-2 is done again.
    (warning,) = warnings_of(T4, measure="count")
    assert warning == (
        "1 item in progress for more than 14 days, oldest first: SHOP-5 (20 days); "
        "is it stuck, or done but not closed?"
    )


def test_a_long_in_progress_warning_names_its_item() -> None:
    # The text lists "SHOP-5 (20 days)": the item itself is handed over with it.
    result = checked([one_kr(measure="count", target=100)], T4).key_results[0]
    assert [w.items for w in result.named_warnings()] == [((SOURCE, "SHOP-5"),)]


def test_the_age_counts_from_the_last_entry_into_in_progress() -> None:
    # T3: SHOP-2 first started 01-05 09:00 (15 d 15 h before) but re-entered in progress
    # 01-20 09:00, 15 h before: not stale. SHOP-5 is still todo.
    assert warnings_of(T3, measure="count") == []
    # T5 with 10 days: SHOP-2 (12 d 15 h since re-entry) is; SHOP-5 (7 d 15 h) is not.
    (warning,) = warnings_of(T5, measure="count", in_progress_age=timedelta(days=10))
    assert "more than 10 days" in warning and ": SHOP-2 (12 days);" in warning
    # The default 14 days: neither.
    assert warnings_of(T5, measure="count") == []


def test_long_in_progress_items_are_listed_oldest_first() -> None:
    # T5 with 5 days: SHOP-2 (12 d 15 h), then SHOP-5 (7 d 15 h).
    (warning,) = warnings_of(T5, measure="count", in_progress_age=timedelta(days=5))
    assert warning.startswith("2 items in progress for more than 5 days, oldest first: ")
    assert "SHOP-2 (12 days), SHOP-5 (7 days); are they stuck" in warning


def test_an_item_created_in_progress_counts_from_its_creation_and_epics_are_left_out() -> None:
    # No history: in progress since creation 01-01 00:00 UTC, 31 days before 02-01 00:00.
    started = replace(pay_item("PAY-1", DOING), created=utc("2027-01-01 00:00"))
    epic = replace(pay_item("PAY-2", DOING), type=ItemType.EPIC, created=utc("2026-11-01 00:00"))
    data = FakeData({(SOURCE, PAY_QUERY): [started, epic]}, {})
    warnings = warnings_of("2027-02-01 00:00", data, measure="count", select={"query": PAY_QUERY})
    assert warnings == [
        "1 item in progress for more than 14 days, oldest first: PAY-1 (31 days); "
        "is it stuck, or done but not closed?"
    ]


# --- empty selections -----------------------------------------------------------------


def test_a_query_matching_no_item_is_named() -> None:
    data = with_pay([])
    warnings = warnings_of(T4, data, measure="count", select=BOTH)
    assert warnings[0] == (
        "the query 'project = PAY' of 'jira' matches no item: check it in the tool, and "
        "that a pull has run since it was written"
    )
    # The board's own query returns items: only the PAY one is reported.
    assert not any("project = SHOP" in w for w in warnings)


def test_a_query_whose_items_are_all_created_later_says_so() -> None:
    shop_4 = next(i for i in ITEMS if i.key == "SHOP-4")  # created 01-20 09:00
    data = FakeData({(SOURCE, QUERY): [shop_4]}, {})
    assert warnings_of(T2, data, measure="count") == [
        "the query 'project = SHOP' matches no item that existed yet at this instant "
        "(1 item created later)"
    ]
    assert warnings_of(T3, data, measure="count") == []


def test_a_where_filter_that_leaves_nothing_is_no_empty_selection() -> None:
    # Open bugs going to zero: an empty result is the goal, not a data problem.
    where = {"type": "bug", "status_category": ["todo", "in_progress"]}
    assert warnings_of(T4, measure="count", where=where, baseline=1, target=0) == []


# --- estimates missing on a project ---------------------------------------------------


def test_a_project_without_any_estimate_is_named_for_weighted_completion() -> None:
    data = with_pay([pay_item("PAY-1"), pay_item("PAY-2")])
    warnings = warnings_of(T4, data, measure="completion", weight_by="story_points", select=BOTH)
    assert "no item of project PAY has an estimate: is the story points field on its screens?" in (
        warnings
    )
    # SHOP has estimates (only SHOP-4 lacks one): no such warning for it.
    assert not any("project SHOP" in w for w in warnings)
    # The evaluator's own warning stays, first.
    assert warnings[0].startswith("3 unestimated items excluded: SHOP-4, PAY-1, PAY-2")


def test_the_estimate_is_read_at_t() -> None:
    # PAY-1 is estimated on 02-01: not yet at T3, so PAY has no estimate then; at T4 it has.
    estimated = pay_item("PAY-1", estimate=3.0)
    history = {"PAY-1": _changes("PAY-1", TrackedField.ESTIMATE, [("2027-02-01 00:00", None, "3")])}
    data = with_pay([estimated, pay_item("PAY-2")], history)
    missing = "no item of project PAY has an estimate: is the story points field on its screens?"
    assert missing in warnings_of(T3, data, measure={"sum": "story_points"}, select=BOTH)
    assert missing not in warnings_of(T4, data, measure={"sum": "story_points"}, select=BOTH)


def test_other_fields_and_formula_inputs_are_checked_too() -> None:
    data = with_pay([pay_item("PAY-1"), pay_item("PAY-2")])
    warnings = warnings_of(T4, data, measure={"average": "business_value"}, select=BOTH)
    assert (
        "no item of project PAY has a number in business_value: is the business_value field on "
        "its screens, and is it pulled?"
    ) in warnings
    formula = {
        "formula": "pts",
        "inputs": {"pts": {"measure": {"max": "estimate"}, "select": {"query": PAY_QUERY}}},
    }
    assert warnings_of(T4, data, measure=formula) == [
        "pts: 2 items without a number in estimate excluded: PAY-1, PAY-2",
        "pts: no item has a number in estimate: max is undefined",
        "input 'pts' has no value, so the formula has none",
        "pts: no item of project PAY has an estimate: is the story points field on its screens?",
    ]


def test_count_measures_do_not_look_at_estimates() -> None:
    data = with_pay([pay_item("PAY-1")])
    assert not any("estimate" in w for w in warnings_of(T4, data, measure="count", select=BOTH))


# --- selection size since the last run ------------------------------------------------


def test_a_selection_that_changed_by_more_than_half_is_reported() -> None:
    # T3: the query returns all 6 items.
    assert warnings_of(T3, measure="count", previous_sizes={"kr": 13}) == [
        "the selection shrank from 13 to 6 items since the last recorded run: check that "
        "its query still matches what it should (an edited query, a moved project, lost "
        "permissions?)"
    ]
    (grew,) = warnings_of(T3, measure="count", previous_sizes={"kr": 3})
    assert grew.startswith("the selection grew from 3 to 6 items since the last recorded run")


def test_a_change_of_half_or_less_is_not_reported() -> None:
    # |6 - 4| = 2 is exactly half of 4; |6 - 10| = 4 is less than half of 10.
    for previous in (4, 6, 10, 12):
        assert warnings_of(T3, measure="count", previous_sizes={"kr": previous}) == []
    # Nothing to compare with: no previous run, or another KR's size.
    assert warnings_of(T3, measure="count", previous_sizes={"other": 1}) == []
    assert warnings_of(T3, measure="count") == []


def test_selection_sizes_reads_recorded_results_formulas_included() -> None:
    inputs = {
        "fixed": {"measure": "done", "where": {"type": "bug"}},
        "known": {"measure": "count"},
    }
    files = [
        mapping(
            [
                {
                    "id": "obj",
                    "title": "o",
                    "key_results": [
                        {
                            "id": "a",
                            "title": "a",
                            "select": {"query": QUERY},
                            "measure": "count",
                            "target": 9,
                        },
                        {
                            "id": "f",
                            "title": "f",
                            "select": {"query": QUERY},
                            "measure": {"formula": "fixed / known", "inputs": inputs},
                            "target": 1,
                        },
                    ],
                }
            ]
        )
    ]
    recorded = evaluate(files, FakeData(), utc(T3), BERLIN).to_dict()["key_results"]
    # a: 6 returned; f: 6 for each input.
    assert selection_sizes([*recorded, {"id": "x", "evidence": {}}]) == {"a": 6, "f": 12}


# --- one item in two KRs of one objective ---------------------------------------------


def _objective(*krs: dict[str, Any], objective: str = "obj") -> dict[str, Any]:
    return {"id": objective, "title": objective, "key_results": list(krs)}


def _kr(kr_id: str, measure: Any, where: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": kr_id, "title": kr_id, "select": {"query": QUERY}}
    spec.update(measure=measure, target=100)
    if where is not None:
        spec["where"] = where
    return spec


def _results(objectives: list[dict[str, Any]], at: str = T4) -> dict[str, KrResult]:
    evaluation = checked([mapping(objectives)], at)
    return {r.id: r for r in evaluation.key_results}


def test_an_item_counted_by_two_krs_of_one_objective_is_named_on_both() -> None:
    # T4: stories SHOP-1, 2, 5, 6; children of SHOP-100: SHOP-1, 2, 5 (SHOP-5 since 01-18).
    results = _results(
        [
            _objective(
                _kr("stories", "done", {"type": "story"}),
                _kr("epic", "count", {"parent": "SHOP-100"}),
                _kr("bugs", "completion", {"type": "bug"}),  # SHOP-3: shared with nobody
                # A flow measure: every story passes through it, nothing is counted twice.
                {
                    **_kr("speed", {"cycle_time": {"percentile": 50, "window": "60d"}}),
                    "baseline": 200,
                },
            ),
            _objective(_kr("elsewhere", "count"), objective="other"),
        ]
    )
    assert [w for w in results["stories"].warnings if "also counted" in w] == [
        "3 items also counted by KR epic of objective obj, so they move the objective "
        "twice: SHOP-1, SHOP-2, SHOP-5"
    ]
    assert [w for w in results["epic"].warnings if "also counted" in w] == [
        "3 items also counted by KR stories of objective obj, so they move the objective "
        "twice: SHOP-1, SHOP-2, SHOP-5"
    ]
    for kr_id in ("bugs", "speed", "elsewhere"):
        assert not any("also counted" in w for w in results[kr_id].warnings)


def test_unestimated_items_left_out_of_a_weighted_completion_are_not_counted() -> None:
    # T4: SHOP-4 (unestimated, excluded) is the only task; both KRs select it.
    results = _results(
        [
            _objective(
                {**_kr("points", "completion", {"type": "task"}), "weight_by": "story_points"},
                _kr("tasks", "count", {"type": "task"}),
            )
        ]
    )
    assert not any("also counted" in w for w in results["points"].warnings)


# --- how warnings are added -----------------------------------------------------------


def test_warnings_are_not_added_twice_and_a_shared_snapshot_is_not_rebuilt() -> None:
    files = [one_kr(measure="count", target=9)]
    data = FakeData()
    snapshot = Snapshot(data, utc(T4))
    evaluation = evaluate_snapshot(files, snapshot, BERLIN)
    add_quality_warnings(evaluation, files, snapshot, tz=BERLIN)
    add_quality_warnings(evaluation, files, snapshot, tz=BERLIN)
    assert len(evaluation.key_results[0].warnings) == 1
    # The items were read and rebuilt once, by the evaluation.
    assert (data.calls["items"], data.calls["history"]) == (1, 1)
    assert evaluation.to_dict() == checked(files, T4).to_dict()


def test_keys_text_caps_long_lists() -> None:
    keys = [f"SHOP-{n}" for n in range(1, 15)]
    assert keys_text(keys[:10]) == ", ".join(keys[:10])
    assert keys_text(keys) == (
        "SHOP-1, SHOP-2, SHOP-3, SHOP-4, SHOP-5, SHOP-6, SHOP-7, SHOP-8, SHOP-9, SHOP-10, "
        "… and 4 more"
    )
