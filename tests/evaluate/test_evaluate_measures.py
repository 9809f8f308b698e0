"""Every measure of mapping-language.md §3 on the hand-made board, at several instants.

The board is described in evaluate_fixtures.py. Instants used below (UTC):

    T1 = 01-11 00:00  SHOP-1 done; SHOP-2 in progress
    T2 = 01-16 00:00  SHOP-1, SHOP-2 (first done), SHOP-3 done; SHOP-4 not created yet
    T3 = 01-21 00:00  SHOP-2 re-opened (01-20 09:00); SHOP-4 created; SHOP-1 estimate 5
    T4 = 02-15 00:00  SHOP-2 done again (02-03 09:00); SHOP-5 in progress since 01-25
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from evaluate_fixtures import BERLIN, QUERY, SOURCE, FakeData, mapping, one_kr, utc
from pydantic import ValidationError

from okrsync.evaluate import KrResult, evaluate

T1, T2, T3, T4 = "2027-01-11 00:00", "2027-01-16 00:00", "2027-01-21 00:00", "2027-02-15 00:00"


def run(at: str, data: FakeData | None = None, **kr: Any) -> KrResult:
    kr.setdefault("target", 100)
    evaluation = evaluate([one_kr(**kr)], data or FakeData(), utc(at), BERLIN)
    return evaluation.key_results[0]


def contributions(result: KrResult) -> dict[str, float | None]:
    return {e["key"]: e["contributes"] for e in result.evidence["items"]}


# --- count, done, completion ----------------------------------------------------------


def test_count_only_counts_items_created_at_or_before_t() -> None:
    # T1: SHOP-1,2,3,5,6 (SHOP-4 is created 01-20) -> 5; T3: all six.
    assert run(T1, measure="count").value == 5
    assert run(T3, measure="count").value == 6
    assert run(T3, measure="count").unit == "items"


@pytest.mark.parametrize(
    ("at", "expected", "done_keys"),
    [
        (T1, 1, {"SHOP-1"}),
        (T2, 3, {"SHOP-1", "SHOP-2", "SHOP-3"}),
        # T3 is before the re-opened SHOP-2's last status change: not done now.
        (T3, 2, {"SHOP-1", "SHOP-3"}),
        (T4, 3, {"SHOP-1", "SHOP-2", "SHOP-3"}),
    ],
)
def test_done_follows_the_status_category_at_t(at: str, expected: int, done_keys: set[str]) -> None:
    result = run(at, measure="done")
    assert result.value == expected
    assert {k for k, c in contributions(result).items() if c == 1.0} == done_keys
    assert result.evidence["counts"]["done"] == expected


def test_completion_counts_items() -> None:
    # T2: 3 done of 5 = 60 %; T3: 2 of 6 = 33.3 %; T4: 3 of 6 = 50 %.
    assert run(T2, measure="completion").value == pytest.approx(60.0)
    assert run(T3, measure="completion").value == pytest.approx(100 * 2 / 6)
    result = run(T4, measure="completion")
    assert result.value == pytest.approx(50.0)
    assert (result.unit, result.target, result.progress) == ("%", 100.0, pytest.approx(0.5))


def test_completion_weighted_by_story_points_at_t() -> None:
    # T2 estimates: SHOP-1 3 (5 only from 01-20), SHOP-2 8, SHOP-3 2, SHOP-5 5, SHOP-6 1
    # total 19; done SHOP-1 + SHOP-2 + SHOP-3 = 3 + 8 + 2 = 13 -> 13 / 19 = 68.42 %
    result = run(T2, measure="completion", weight_by="story_points")
    assert result.value == pytest.approx(100 * 13 / 19)
    assert result.warnings == []
    assert contributions(result)["SHOP-1"] == 3.0
    # T4: SHOP-1 now 5; SHOP-4 unestimated and excluded from both sums:
    # total 5 + 8 + 2 + 5 + 1 = 21; done 5 + 8 + 2 = 15 -> 71.43 %
    result = run(T4, measure="completion", weight_by="story_points")
    assert result.value == pytest.approx(100 * 15 / 21)
    assert result.warnings == ["1 unestimated item excluded: SHOP-4"]
    # The warning hands over the item it names, not just its key in the text.
    assert result.warned_items == [(("jira", "SHOP-4"),)]
    assert result.evidence["counts"]["excluded"] == 1
    assert contributions(result)["SHOP-4"] is None


def test_completion_counts_unestimated_items_at_the_average() -> None:
    # T3: estimated SHOP-1 5, SHOP-2 8, SHOP-3 2, SHOP-5 5, SHOP-6 1: average 21 / 5 = 4.2
    # SHOP-4 counts 4.2: total 25.2; done SHOP-1 + SHOP-3 = 7 -> 7 / 25.2 = 27.78 %
    result = run(T3, measure="completion", weight_by="story_points", unestimated="average")
    assert result.value == pytest.approx(100 * 7 / 25.2)
    unestimated = next(e for e in result.evidence["items"] if e["key"] == "SHOP-4")
    assert unestimated["contributes"] == 0.0  # counted in the total, not done
    assert unestimated["note"] == "unestimated: counted at the average 4.2 points, not done"
    assert result.evidence["counts"]["excluded"] == 0
    assert result.warnings == [
        "1 unestimated item counted at the average story_points of 4.2: SHOP-4"
    ]


def test_completion_weighted_by_another_field_uses_its_current_value() -> None:
    # business_value: SHOP-1 10, SHOP-2 "4", SHOP-3 missing, SHOP-4 1.5, SHOP-5 3, SHOP-6 0
    # T3: total 10 + 4 + 1.5 + 3 + 0 = 18.5; done SHOP-1 = 10 (SHOP-3 is excluded)
    result = run(T3, measure="completion", weight_by="business_value")
    assert result.value == pytest.approx(100 * 10 / 18.5)
    assert result.warnings == ["1 unestimated item excluded: SHOP-3"]


def test_completion_of_nothing_has_no_value() -> None:
    result = run(T3, measure="completion", where={"labels": "nowhere"})
    assert (result.value, result.progress, result.status) == (None, None, "no_data")
    assert result.warnings == ["no items selected at this instant: completion is undefined"]


# --- sum, average, min, max -----------------------------------------------------------


def test_story_point_aggregates_use_the_estimate_at_t() -> None:
    # T2: 3 + 8 + 2 + 5 + 1 = 19
    assert run(T2, measure={"sum": "story_points"}).value == 19
    # T3: 5 + 8 + 2 + 5 + 1 = 21 (SHOP-4 has no estimate: excluded, warned)
    total = run(T3, measure={"sum": "story_points"})
    assert (total.value, total.unit) == (21, "points")
    assert total.warnings == ["1 item without a number in story_points excluded: SHOP-4"]
    assert run(T3, measure={"average": "story_points"}).value == pytest.approx(21 / 5)
    assert run(T3, measure={"min": "story_points"}).value == 1
    assert run(T3, measure={"max": "estimate"}).value == 8


def test_field_aggregates_can_be_restricted_to_done_items() -> None:
    # T3 done: SHOP-1 (5) and SHOP-3 (2) -> 7
    done = run(T3, measure={"sum": "story_points"}, where={"status_category": "done"})
    assert done.value == 7


def test_other_fields_use_current_values() -> None:
    # T2 (SHOP-4 not yet created): 10 + 4 + 3 + 0 = 17; SHOP-3 lacks the field
    result = run(T2, measure={"sum": "business_value"})
    assert result.value == 17
    assert result.warnings == ["1 item without a number in business_value excluded: SHOP-3"]
    assert run(T3, measure={"max": "business_value"}).value == 10
    assert run(T3, measure={"min": "business_value"}).value == 0


def test_average_of_no_values_has_no_value() -> None:
    result = run(T3, measure={"average": "story_points"}, where={"type": "task"})
    assert result.value is None
    assert "no item has a number in story_points: average is undefined" in result.warnings


# --- throughput -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "spec", "expected"),
    [
        # (01-02, 01-16]: SHOP-1 01-10, SHOP-2 01-12, SHOP-3 01-15 -> 3 per 2 weeks
        (T2, {"per": "week", "window": "14d"}, 3 / 2),
        # (01-07, 01-21]: SHOP-1, SHOP-3; SHOP-2 is re-opened at T3 -> 2 per 2 weeks
        (T3, {"per": "week", "window": "2w"}, 2 / 2),
        # (02-01, 02-15]: only SHOP-2's final done (02-03) -> 1 per 2 weeks
        (T4, {"per": "week", "window": "14d"}, 1 / 2),
        # (01-09, 01-16] per day: 3 / 7
        (T2, {"per": "day", "window": "7d"}, 3 / 7),
        # (01-18, 02-15] per sprint (14 d): 1 / (28 / 14)
        (T4, {"per": "sprint", "window": "28d"}, 1 / 2),
        # 36 h: (01-14 12:00, 01-16 00:00] holds SHOP-3 -> 1 / 1.5 days
        (T2, {"per": "day", "window": "36h"}, 1 / 1.5),
    ],
)
def test_throughput(at: str, spec: dict[str, Any], expected: float) -> None:
    result = run(at, measure={"throughput": spec})
    assert result.value == pytest.approx(expected)
    assert result.unit == f"items/{spec['per']}"


def test_throughput_lists_the_items_done_in_the_window() -> None:
    before = run(T2, measure={"throughput": {"window": "14d"}})
    assert set(contributions(before)) == {"SHOP-1", "SHOP-2", "SHOP-3"}
    # At T4 only SHOP-2's final done (02-03) is in (02-01, 02-15]; its first done
    # (01-12) no longer counts anywhere.
    after = run(T4, measure={"throughput": {"window": "14d"}})
    assert after.evidence["items"] == [
        {
            "key": "SHOP-2",
            "source": SOURCE,
            "status": "Erledigt",
            "status_category": "done",
            "done": True,
            "contributes": 1.0,
            "note": "done 2027-02-03",
        }
    ]
    assert after.evidence["counts"]["in_window"] == 1


# --- cycle time and lead time -----------------------------------------------------------


def test_cycle_time_median_excludes_items_never_in_progress() -> None:
    # T2, window (12-19, 01-16]: SHOP-1 01-04 09:00 -> 01-10 09:00 = 6 d;
    # SHOP-2 01-05 09:00 -> 01-12 09:00 = 7 d; SHOP-3 never in progress: excluded.
    # median of [6, 7] = 6.5
    result = run(
        T2, measure={"cycle_time": {"percentile": 50, "window": "28d"}}, baseline="10d", target="3d"
    )
    assert result.value == pytest.approx(6.5)
    assert result.unit == "days"
    assert result.warnings == [
        "1 item done in the window never went through an in-progress status and is excluded: SHOP-3"
    ]
    counts = result.evidence["counts"]
    assert (counts["measured"], counts["in_window"], counts["excluded"]) == (5, 3, 1)
    # Only the items done in the window are listed.
    assert contributions(result) == {
        "SHOP-1": pytest.approx(6.0),
        "SHOP-2": pytest.approx(7.0),
        "SHOP-3": None,
    }
    notes = [e["note"] for e in result.evidence["items"]]
    assert notes[0] == "from 2027-01-04, done 2027-01-10: 6 d"
    # progress for a KR that goes down: (6.5 - 10) / (3 - 10) = 0.5
    assert result.progress == pytest.approx(0.5)


def test_cycle_time_percentile_interpolates() -> None:
    # [6, 7] at p90: rank 0.9 -> 6 + 0.9 * (7 - 6) = 6.9
    result = run(
        T2, measure={"cycle_time": {"percentile": 90, "window": "28d"}}, baseline="10d", target="3d"
    )
    assert result.value == pytest.approx(6.9)


def test_cycle_time_of_a_reopened_item_runs_to_its_final_done() -> None:
    # Before the re-open (T2) SHOP-2 took 7 days (above). At T4, window (01-18, 02-15]:
    # only SHOP-2, from its FIRST start 01-05 09:00 to its final done 02-03 09:00 = 29 d.
    result = run(T4, measure={"cycle_time": {"window": "28d"}}, baseline="30d", target="5d")
    assert result.value == pytest.approx(29.0)
    # At T3, SHOP-2 is open again and SHOP-1 (6 d) is the only started item in
    # (12-24, 01-21].
    assert run(
        T3, measure={"cycle_time": {"window": "28d"}}, baseline="30d", target="5d"
    ).value == pytest.approx(6.0)


def test_lead_time_runs_from_creation() -> None:
    # T2: SHOP-1 12-01 -> 01-10 = 40 d; SHOP-2 12-10 -> 01-12 = 33 d;
    # SHOP-3 12-15 -> 01-15 = 31 d (never in progress does not matter here). Median 33.
    result = run(
        T2, measure={"lead_time": {"percentile": 50, "window": "28d"}}, baseline="60d", target="20d"
    )
    assert result.value == pytest.approx(33.0)
    assert result.warnings == []
    # T4: SHOP-2 12-10 09:00 -> 02-03 09:00 = 31 + 24 = 55 d
    assert run(
        T4, measure={"lead_time": {"window": "28d"}}, baseline="60d", target="20d"
    ).value == pytest.approx(55.0)


def test_cycle_time_with_nothing_in_the_window_has_no_value() -> None:
    # (01-10 12:00, 01-11 12:00]: SHOP-1 was done at 01-10 09:00, just before it.
    at = "2027-01-11 12:00"
    result = run(at, measure={"cycle_time": {"window": "1d"}}, baseline="10d", target="3d")
    assert result.value is None
    assert result.warnings == ["no selected item was done in the 1-day window"]
    # Twelve hours earlier the window (01-10 00:00, 01-11 00:00] holds SHOP-1: 6 days.
    assert run(
        T1, measure={"cycle_time": {"window": "1d"}}, baseline="10d", target="3d"
    ).value == pytest.approx(6.0)


# --- velocity ---------------------------------------------------------------------------


def test_velocity_over_the_last_sprints() -> None:
    # Sprint 1 (closed 01-14 12:00): SHOP-1 done, estimate then 3; SHOP-2 done, 8;
    #   SHOP-3 and SHOP-5 unfinished -> 11 points
    # Sprint 2 (closed 01-28 12:00): SHOP-2 in progress (re-opened); SHOP-3 done, 2;
    #   SHOP-5 unfinished -> 2 points
    # Sprint 3 (closed 02-11 12:00): SHOP-2 done, 8; SHOP-5 unfinished -> 8 points
    # "Other board" (closed 02-01) held no selected item: not one of the last sprints.
    result = run(T4, measure={"velocity": {"last": 3}})
    assert result.value == pytest.approx((11 + 2 + 8) / 3)
    assert result.unit == "points"
    assert result.warnings == []
    assert result.evidence["counts"]["sprints"] == 3
    notes = [e["note"] for e in result.evidence["items"] if e["key"] == "SHOP-1"]
    assert notes == ["Sprint 1 (closed 2027-01-14): done, 3 pts"]
    # SHOP-3 was unfinished when Sprint 1 closed and counts for Sprint 2 instead.
    bug = [(e["contributes"], e["note"]) for e in result.evidence["items"] if e["key"] == "SHOP-3"]
    assert bug == [
        (0.0, "Sprint 1 (closed 2027-01-14): not done at the close"),
        (2.0, "Sprint 2 (closed 2027-01-28): done, 2 pts"),
    ]
    # The last two: (2 + 8) / 2 = 5
    assert run(T4, measure={"velocity": {"last": 2}}).value == pytest.approx(5.0)


def test_velocity_with_fewer_closed_sprints_than_asked() -> None:
    # At T3 only Sprint 1 has closed: 11 points over 1 sprint.
    result = run(T3, measure={"velocity": {"last": 3}})
    assert result.value == pytest.approx(11.0)
    assert result.warnings == [
        "only 1 sprint closed so far; velocity averages it instead of the last 3"
    ]


def test_velocity_before_any_sprint_closed() -> None:
    result = run(T1, measure={"velocity": {"last": 3}})
    assert result.value is None
    assert result.warnings == ["no sprint with selected items has closed yet: no velocity"]


# --- scope ------------------------------------------------------------------------------


def test_scope_added_since_the_cycle_start_in_the_configured_zone() -> None:
    # The cycle starts 2026-12-31 23:00 UTC (Berlin midnight). SHOP-6 (23:30 UTC) is
    # added scope, though it is still 2026 in UTC. At T2: SHOP-6; at T3: SHOP-6, SHOP-4.
    assert run(T2, measure={"scope_added": {}}).value == 1
    result = run(T3, measure={"scope_added": {"since": "cycle_start"}})
    assert result.value == 2
    assert set(contributions(result)) == {"SHOP-4", "SHOP-6"}


def test_scope_added_since_a_date_and_in_points() -> None:
    # since 2027-01-10: Berlin midnight = 01-09 23:00 UTC -> SHOP-4 only
    assert run(T3, measure={"scope_added": {"since": "2027-01-10"}}).value == 1
    # in points: SHOP-6 1 point; SHOP-4 unestimated is excluded and warned about
    points = run(T3, measure={"scope_added": {}}, weight_by="story_points")
    assert (points.value, points.unit) == (1.0, "points")
    assert points.warnings == ["1 unestimated item excluded: SHOP-4"]


def test_committed_scope_keeps_items_created_by_the_cycle_start() -> None:
    # Committed at the Berlin cycle start: SHOP-1, 2, 3, 5 (SHOP-6 came 30 min later).
    # T3 done: SHOP-1, SHOP-3 -> 2 of 4 = 50 %, not 2 of 6.
    result = run(T3, measure="completion", scope="committed")
    assert result.value == pytest.approx(50.0)
    assert result.evidence["counts"]["scope_added"] == 2
    assert result.evidence["counts"]["measured"] == 4
    assert result.warnings == [
        "scope: committed leaves out 2 items created after the cycle start (counted as scope_added)"
    ]


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "where", "keys"),
    [
        (T3, {"type": "story"}, {"SHOP-1", "SHOP-2", "SHOP-5", "SHOP-6"}),
        (T3, {"type": ["bug", "task"]}, {"SHOP-3", "SHOP-4"}),
        (T3, {"type": "FEHLER"}, {"SHOP-3"}),  # the tool's own type name, any case
        (T2, {"status_category": "done"}, {"SHOP-1", "SHOP-2", "SHOP-3"}),
        (T3, {"status_category": ["done"]}, {"SHOP-1", "SHOP-3"}),
        (T3, {"status_category": "in_progress"}, {"SHOP-2"}),
        (T3, {"labels": ["ux", "nothing"]}, {"SHOP-2", "SHOP-5"}),
        (T3, {"project": "shop"}, {"SHOP-1", "SHOP-2", "SHOP-3", "SHOP-4", "SHOP-5", "SHOP-6"}),
        (T3, {"project": "PAY"}, set()),
        (T2, {"parent": "SHOP-100"}, {"SHOP-1", "SHOP-2"}),  # SHOP-5's parent set 01-18
        (T3, {"parent": "SHOP-100"}, {"SHOP-1", "SHOP-2", "SHOP-5"}),
        (T2, {"sprint": "Sprint 2"}, {"SHOP-3", "SHOP-5"}),  # by name, at T
        (T3, {"sprint": "11"}, {"SHOP-2", "SHOP-3", "SHOP-5"}),  # by id
        (T3, {"type": "story", "labels": "ux"}, {"SHOP-2", "SHOP-5"}),  # all must hold
    ],
)
def test_where_filters_at_t(at: str, where: dict[str, Any], keys: set[str]) -> None:
    result = run(at, measure="count", where=where)
    assert set(contributions(result)) == keys
    assert result.value == len(keys)


def test_selections_are_a_union_deduplicated_by_source_and_key() -> None:
    other = FakeData()
    other.queries[(SOURCE, "labels = ux")] = [
        i for i in other.queries[(SOURCE, QUERY)] if "ux" in i.labels
    ]
    twin = next(i for i in other.queries[(SOURCE, QUERY)] if i.key == "SHOP-2")
    other.queries[("jira2", QUERY)] = [replace(twin, source="jira2")]
    selections = [
        {"query": QUERY, "where": {"type": "bug"}},  # SHOP-3
        {"query": "labels = ux"},  # SHOP-2, SHOP-5
        {"query": QUERY, "where": {"labels": "checkout"}},  # SHOP-1, SHOP-2 again
        {"source": "jira2", "query": QUERY},  # the same key from another source
    ]
    result = run(T3, other, measure="count", select=selections)
    entries = {(e["source"], e["key"]) for e in result.evidence["items"]}
    assert entries == {
        (SOURCE, "SHOP-1"),
        (SOURCE, "SHOP-2"),
        (SOURCE, "SHOP-3"),
        (SOURCE, "SHOP-5"),
        ("jira2", "SHOP-2"),
    }
    assert result.value == 5
    # 6 from jira's project query + 1 from jira2 were returned; 2 filtered out (4, 6).
    assert result.evidence["counts"]["selected"] == 7
    assert result.evidence["counts"]["filtered_out"] == 2


def test_kr_level_where_applies_to_every_selection() -> None:
    result = run(
        T3,
        measure="count",
        where={"type": "story"},
        select=[{"query": QUERY, "where": {"labels": "checkout"}}],
    )
    assert set(contributions(result)) == {"SHOP-1", "SHOP-2"}


# --- metric and formula -----------------------------------------------------------------


def test_metric_reads_the_callback() -> None:
    data = FakeData(metrics={("analytics", "conversion"): 2.55})
    result = run(
        T3,
        data,
        measure={"metric": {"source": "analytics", "name": "conversion"}},
        select=None,
        baseline=2.1,
        target=3.0,
    )
    assert result.value == 2.55
    assert result.progress == pytest.approx((2.55 - 2.1) / (3.0 - 2.1))  # 0.5


def test_a_missing_metric_is_a_warning_without_value() -> None:
    result = run(T3, measure={"metric": {"source": "analytics", "name": "nope"}}, select=None)
    assert (result.value, result.progress) == (None, None)
    assert result.warnings == [
        "metric 'nope' of source 'analytics' has no value: check the source's settings "
        "and run a pull"
    ]


def test_formula_over_sub_measures() -> None:
    # T3: a = done bugs (SHOP-3) = 1; b = count of every selected item = 6;
    # c = sum of story points at T3 = 21. a / b * 100 + c / 21 = 16.67 + 1 = 17.67
    inputs = {
        "a": {"measure": "done", "where": {"type": "bug"}},
        "b": {"measure": "count"},
        "c": {"measure": {"sum": "story_points"}, "select": {"query": QUERY}},
    }
    result = run(T3, measure={"formula": "a / b * 100 + c / 21"}, inputs=inputs)
    assert result.value == pytest.approx(100 / 6 + 1)
    assert result.evidence["counts"]["a.measured"] == 1
    assert result.evidence["counts"]["b.measured"] == 6
    assert "c: 1 item without a number in story_points excluded: SHOP-4" in result.warnings


def test_formula_before_the_reopened_item_changed_again() -> None:
    # T2: a = done bugs = 1 (SHOP-3, done 01-15); b = count = 5; c = story points = 19
    # a / b * 100 + c / 21 = 20 + 19 / 21
    inputs = {
        "a": {"measure": "done", "where": {"type": "bug"}},
        "b": {"measure": "count"},
        "c": {"measure": {"sum": "story_points"}},
    }
    result = run(T2, measure={"formula": "a / b * 100 + c / 21"}, inputs=inputs)
    assert result.value == pytest.approx(20 + 19 / 21)


def test_a_formula_input_without_any_selection_has_no_value() -> None:
    measure = {"formula": "a + 1", "inputs": {"a": {"measure": "count"}}}
    result = run(T3, measure=measure, select=None)
    assert result.value is None
    assert result.warnings == [
        "a: measure 'count' needs 'select': which items to measure",
        "input 'a' has no value, so the formula has none",
    ]


def test_formula_inputs_inside_the_measure_and_functions() -> None:
    # round(max(a, b) / 3, 1): a = done at T3 = 2, b = 1 (done stories) -> round(0.667, 1)
    measure = {
        "formula": "round(max(a, b) / 3, 1)",
        "inputs": {"a": {"measure": "done"}, "b": {"measure": "done", "where": {"type": "story"}}},
    }
    assert run(T3, measure=measure).value == pytest.approx(0.7)


def test_formula_division_by_zero_has_no_value() -> None:
    inputs = {"a": {"measure": "done"}, "b": {"measure": "count", "where": {"labels": "x"}}}
    result = run(T3, measure={"formula": "a / b"}, inputs=inputs)
    assert result.value is None
    assert result.warnings == ["the formula has no value: division by zero at position 3"]


def test_formula_with_an_unknown_name_lists_the_inputs() -> None:
    # Caught when the mapping is validated, before anything is evaluated.
    with pytest.raises(ValidationError) as raised:
        run(
            T3,
            measure={"formula": "a / c"},
            inputs={"a": {"measure": "done"}, "b": {"measure": "count"}},
        )
    assert "the formula uses 'c', which is not an input; inputs: a, b" in str(raised.value)


# --- caching ----------------------------------------------------------------------------


def test_each_query_and_history_is_read_once() -> None:
    data = FakeData()
    krs = [
        {
            "id": f"kr-{n}",
            "title": "t",
            "select": {"query": QUERY},
            "measure": measure,
            "target": 100,
        }
        for n, measure in enumerate(["count", "done", "completion", {"sum": "story_points"}])
    ]
    evaluate([mapping([{"id": "o", "title": "o", "key_results": krs}])], data, utc(T3), BERLIN)
    assert (data.calls["items"], data.calls["history"]) == (1, 1)
    assert sorted(data.history_keys) == [f"SHOP-{n}" for n in range(1, 7)]
