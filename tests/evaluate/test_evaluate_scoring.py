"""Scoring (§5): progress, expected, status boundaries, overrides, objective roll-ups."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from evaluate_fixtures import BERLIN, FakeData, mapping, utc

from okrsync.errors import ConfigError
from okrsync.evaluate import Evaluation, Margins, evaluate
from okrsync.evaluate.scoring import progress, score, status
from okrsync.mapping.cycle import explicit_cycle, parse_named_cycle

UTC_ZONE = ZoneInfo("UTC")
# Ten days: 2027-01-01 00:00 to 2027-01-11 00:00, so each day is 0.1 of the cycle.
TEN_DAYS = {"start": "2027-01-01", "end": "2027-01-10"}


def test_progress_is_clamped_unless_stretch() -> None:
    assert progress(50, 0, 100) == pytest.approx(0.5)
    assert progress(150, 0, 100) == 1.0
    assert progress(150, 0, 100, stretch=True) == pytest.approx(1.5)
    assert progress(-10, 0, 100, stretch=True) == 0.0  # the lower clamp always holds
    assert progress(None, 0, 100) is None


def test_progress_of_a_kr_that_goes_down() -> None:
    # from 6 days to 3: at 4.5, (4.5 - 6) / (3 - 6) = 0.5
    assert progress(4.5, 6, 3) == pytest.approx(0.5)
    assert progress(2, 6, 3) == 1.0  # better than the target
    assert progress(7, 6, 3) == 0.0  # worse than the baseline
    assert progress(2, 6, 3, stretch=True) == pytest.approx(4 / 3)


def test_score_is_progress_on_the_zero_to_one_scale() -> None:
    assert score(0.42) == 0.42
    assert score(1.5) == 1.0  # a stretch beyond its target scores 1.0
    assert score(None) is None


def test_expected_before_during_and_after_the_cycle() -> None:
    cycle = explicit_cycle(date(2027, 1, 1), date(2027, 1, 10))
    assert cycle.elapsed_fraction(utc("2026-12-31 00:00"), UTC_ZONE) == 0.0
    assert cycle.elapsed_fraction(utc("2027-01-03 12:00"), UTC_ZONE) == pytest.approx(0.25)
    assert cycle.elapsed_fraction(utc("2027-02-01 00:00"), UTC_ZONE) == 1.0
    # Berlin's 2027-Q1 runs 2026-12-31 23:00 UTC to 2027-03-31 22:00 UTC: 2159 hours
    # (90 days less the hour lost to summer time). 2027-02-14 23:00 UTC is 45 days in.
    quarter = parse_named_cycle("2027-Q1")
    assert quarter.elapsed_fraction(utc("2027-02-14 23:00"), BERLIN) == pytest.approx(1080 / 2159)


@pytest.mark.parametrize(
    ("value", "expected_status"),
    [
        (0.60, "on_track"),
        (0.40, "on_track"),  # exactly expected - 0.10
        (0.399, "at_risk"),
        (0.25, "at_risk"),  # exactly expected - 0.25
        (0.249, "off_track"),
        (0.0, "off_track"),
    ],
)
def test_status_boundaries_halfway_through(value: float, expected_status: str) -> None:
    cycle = explicit_cycle(date(2027, 1, 1), date(2027, 1, 10))
    halfway = utc("2027-01-06 00:00")  # expected 0.5
    assert status(value, halfway, cycle, UTC_ZONE) == expected_status


def test_status_before_and_after_the_cycle_and_without_value() -> None:
    cycle = explicit_cycle(date(2027, 1, 1), date(2027, 1, 10))
    assert status(1.0, utc("2026-12-31 23:59"), cycle, UTC_ZONE) == "not_started"
    assert status(0.0, utc("2027-01-01 00:00"), cycle, UTC_ZONE) == "on_track"  # 0 >= 0 - 0.1
    assert status(1.0, utc("2027-01-11 00:00"), cycle, UTC_ZONE) == "closed"  # its end
    assert status(None, utc("2027-01-05 00:00"), cycle, UTC_ZONE) == "no_data"


def test_the_berlin_cycle_starts_before_utc_midnight() -> None:
    quarter = parse_named_cycle("2027-Q1")
    # 23:30 UTC on 12-31 is 00:30 on 01-01 in Berlin: the cycle has started there.
    assert status(0.0, utc("2026-12-31 23:30"), quarter, BERLIN) == "on_track"
    assert status(0.0, utc("2026-12-31 22:59"), quarter, BERLIN) == "not_started"
    assert status(0.0, utc("2026-12-31 23:30"), quarter, UTC_ZONE) == "not_started"


def test_margins_are_configurable() -> None:
    cycle = explicit_cycle(date(2027, 1, 1), date(2027, 1, 10))
    halfway = utc("2027-01-06 00:00")
    wide = Margins(on_track=0.2, at_risk=0.4)
    assert status(0.30, halfway, cycle, UTC_ZONE, wide) == "on_track"  # 0.5 - 0.2
    assert status(0.15, halfway, cycle, UTC_ZONE, wide) == "at_risk"
    assert status(0.05, halfway, cycle, UTC_ZONE, wide) == "off_track"


# --- through evaluate -------------------------------------------------------------------


def metric_kr(kr_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": kr_id,
        "title": kr_id,
        "measure": {"metric": {"source": "m", "name": name}},
        "target": 100,
        **extra,
    }


def run(
    files: list[Any], at: str, metrics: dict[str, float], tz: ZoneInfo = UTC_ZONE
) -> Evaluation:
    data = FakeData(metrics={("m", name): value for name, value in metrics.items()})
    return evaluate(files, data, utc(at), tz)


def test_a_kr_result_at_halfway() -> None:
    files = [mapping([{"id": "o", "title": "O", "key_results": [metric_kr("k", "x")]}], TEN_DAYS)]
    kr = run(files, "2027-01-06 00:00", {"x": 30}).key_result("k")
    # progress 30 / 100 = 0.3; expected 0.5; 0.3 >= 0.5 - 0.25 -> at risk
    assert (kr.value, kr.progress, kr.expected, kr.status, kr.score) == (
        30,
        pytest.approx(0.3),
        pytest.approx(0.5),
        "at_risk",
        pytest.approx(0.3),
    )
    assert kr.cycle == "2027-01-01..2027-01-10"
    assert kr.to_dict()["status"] == "at_risk"


def test_the_json_document_has_the_contract_fields() -> None:
    files = [mapping([{"id": "o", "title": "O", "key_results": [metric_kr("k", "x")]}], TEN_DAYS)]
    document = run(files, "2027-01-06 00:00", {"x": 30}).to_dict()
    assert document["as_of"] == "2027-01-06T00:00:00+00:00"
    kr = document["key_results"][0]
    for name in (
        "id",
        "objective",
        "value",
        "baseline",
        "target",
        "progress",
        "expected",
        "status",
        "evidence",
        "warnings",
    ):
        assert name in kr
    assert (kr["objective"], kr["baseline"], kr["target"]) == ("o", 0.0, 100.0)
    assert set(kr["evidence"]) == {"counts", "items"}
    assert json.loads(json.dumps(document)) == document  # plain JSON all the way down


def test_a_naive_as_of_is_read_in_the_configured_zone() -> None:
    files = [mapping([{"id": "o", "title": "O", "key_results": [metric_kr("k", "x")]}], TEN_DAYS)]
    data = FakeData(metrics={("m", "x"): 30})
    evaluation = evaluate(files, data, datetime(2027, 1, 6, 1, 0), BERLIN)
    assert evaluation.as_of == utc("2027-01-06 00:00")  # 01:00 in Berlin (CET)


def test_stretch_progress_above_one_scores_one() -> None:
    kr = metric_kr("k", "x", stretch=True)
    files = [mapping([{"id": "o", "title": "O", "key_results": [kr]}], TEN_DAYS)]
    result = run(files, "2027-01-06 00:00", {"x": 130}).key_result("k")
    # (130 - 0) / (100 - 0) = 1.3, kept above 1 with stretch; the score stays 1.0
    assert (result.progress, result.score, result.status) == (pytest.approx(1.3), 1.0, "on_track")


def test_an_active_override_replaces_progress_and_keeps_the_computed_one() -> None:
    override = {"value": 0.4, "reason": "vendor outage", "until": "2027-01-05"}
    files = [
        mapping(
            [{"id": "o", "title": "O", "key_results": [metric_kr("k", "x", override=override)]}],
            TEN_DAYS,
        )
    ]
    # Berlin: 2027-01-05 22:00 UTC is 23:00 on 01-05, the last day of the override.
    # The cycle starts 2026-12-31 23:00 UTC and lasts 240 h; 119 h have passed:
    # expected 119 / 240 = 0.4958; 0.4 >= 0.4958 - 0.10 -> on track (0.1 would not be)
    active = run(files, "2027-01-05 22:00", {"x": 10}, BERLIN).key_result("k")
    assert active.expected == pytest.approx(119 / 240)
    assert (active.progress, active.computed_progress) == (0.4, pytest.approx(0.1))
    assert active.override == {"value": 0.4, "reason": "vendor outage", "until": "2027-01-05"}
    assert active.status == "on_track"
    assert active.to_dict()["override"]["reason"] == "vendor outage"
    # 2027-01-05 23:30 UTC is already 01-06 in Berlin: expired, the computed value counts.
    expired = run(files, "2027-01-05 23:30", {"x": 10}, BERLIN).key_result("k")
    assert (expired.progress, expired.override) == (pytest.approx(0.1), None)
    assert expired.status == "off_track"  # 0.1 < 120.5 / 240 - 0.25


def test_override_above_one_needs_stretch() -> None:
    override = {"value": 1.3, "reason": "beat it", "until": "2027-12-31"}
    plain = metric_kr("k", "x", override=override)
    stretched = metric_kr("s", "x", override=override, stretch=True)
    files = [mapping([{"id": "o", "title": "O", "key_results": [plain, stretched]}], TEN_DAYS)]
    evaluation = run(files, "2027-01-06 00:00", {"x": 10})
    assert evaluation.key_result("k").progress == 1.0
    assert evaluation.key_result("s").progress == 1.3


def two_level_files() -> list[Any]:
    # Company file: "grow" has no KRs of its own.
    company = mapping([{"id": "grow", "title": "Grow"}], TEN_DAYS)
    # Team file: checkout (weight 2) and payments (weight 1) align to grow;
    # checkout-ux aligns to checkout.
    team = mapping(
        [
            {
                "id": "checkout",
                "title": "Checkout",
                "aligns_to": "grow",
                "weight": 2,
                "key_results": [metric_kr("k1", "k1", weight=2), metric_kr("k2", "k2")],
            },
            {
                "id": "payments",
                "title": "Payments",
                "aligns_to": "grow",
                "key_results": [metric_kr("k3", "k3")],
            },
            {
                "id": "checkout-ux",
                "title": "UX",
                "aligns_to": "checkout",
                "key_results": [metric_kr("k4", "k4")],
            },
        ],
        TEN_DAYS,
    )
    return [company, team]


def test_objectives_roll_up_weighted_across_two_levels_and_files() -> None:
    evaluation = run(
        two_level_files(), "2027-01-06 00:00", {"k1": 50, "k2": 80, "k3": 30, "k4": 90}
    )
    # checkout-ux = 0.9
    # checkout = (0.5 * 2 + 0.8 * 1 + 0.9 * 1) / (2 + 1 + 1) = 2.7 / 4 = 0.675
    # payments = 0.3
    # grow = (0.675 * 2 + 0.3 * 1) / (2 + 1) = 1.65 / 3 = 0.55
    ux, checkout = evaluation.objective("checkout-ux"), evaluation.objective("checkout")
    payments, grow = evaluation.objective("payments"), evaluation.objective("grow")
    assert ux.progress == pytest.approx(0.9)
    assert checkout.progress == pytest.approx(0.675)
    assert payments.progress == pytest.approx(0.3)
    assert grow.score == pytest.approx(0.55)
    # expected 0.5: 0.55 on track; payments 0.3 at risk
    assert (grow.status, payments.status, checkout.status) == ("on_track", "at_risk", "on_track")
    assert (grow.key_results, grow.aligned) == ([], ["checkout", "payments"])
    assert checkout.key_results == ["k1", "k2"]
    document = evaluation.to_dict()
    assert document["objectives"][0] == {
        "id": "grow",
        "title": "Grow",
        "score": pytest.approx(0.55),
        "progress": pytest.approx(0.55),
        "expected": pytest.approx(0.5),
        "status": "on_track",
        "key_results": [],
        "aligned": ["checkout", "payments"],
        "aligns_to": None,
        "weight": 1.0,
        "cycle": "2027-01-01..2027-01-10",
    }


def test_an_objective_with_nothing_to_score() -> None:
    files = [mapping([{"id": "empty", "title": "Nothing yet"}], TEN_DAYS)]
    objective = run(files, "2027-01-06 00:00", {}).objective("empty")
    assert (objective.score, objective.progress, objective.status) == (None, None, "no_data")


def test_krs_without_a_value_are_left_out_of_the_mean() -> None:
    files = [
        mapping(
            [
                {
                    "id": "o",
                    "title": "O",
                    "key_results": [metric_kr("k1", "k1"), metric_kr("k2", "missing")],
                }
            ],
            TEN_DAYS,
        )
    ]
    objective = run(files, "2027-01-06 00:00", {"k1": 60}).objective("o")
    assert objective.progress == pytest.approx(0.6)


def test_circular_alignment_is_refused() -> None:
    files = [
        mapping(
            [
                {"id": "a", "title": "A", "aligns_to": "c"},
                {"id": "b", "title": "B", "aligns_to": "a"},
                {"id": "c", "title": "C", "aligns_to": "b"},
            ],
            TEN_DAYS,
        )
    ]
    with pytest.raises(ConfigError, match=r"circle \(a -> c -> b -> a\)"):
        run(files, "2027-01-06 00:00", {})


def test_unknown_alignment_and_duplicate_ids_are_refused() -> None:
    orphan = [mapping([{"id": "a", "title": "A", "aligns_to": "nowhere"}], TEN_DAYS)]
    with pytest.raises(ConfigError, match="aligns to 'nowhere'"):
        run(orphan, "2027-01-06 00:00", {})
    twice = [mapping([{"id": "a", "title": "A"}], TEN_DAYS)] * 2
    with pytest.raises(ConfigError, match="objective id 'a' is used twice"):
        run(twice, "2027-01-06 00:00", {})


def test_objective_status_uses_its_own_files_cycle() -> None:
    later = {"start": "2027-02-01", "end": "2027-02-10"}
    files = [
        mapping([{"id": "now", "title": "Now", "key_results": [metric_kr("k1", "k1")]}], TEN_DAYS),
        mapping([{"id": "later", "title": "Later", "key_results": [metric_kr("k2", "k1")]}], later),
    ]
    evaluation = run(files, "2027-01-06 00:00", {"k1": 50})
    assert evaluation.objective("now").status == "on_track"
    assert evaluation.objective("later").status == "not_started"
    assert evaluation.key_result("k2").expected == 0.0
    after = run(files, "2027-03-01 00:00", {"k1": 50})
    assert after.objective("now").status == "closed"
