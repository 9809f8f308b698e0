"""Plans of several cycles: a half is two quarters, a list must be contiguous, and a
KR's per-cycle ``targets`` name cycles of the plan. Problems point at FILE:LINE:COL."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest
from mapping_helpers import BASE_MAPPING, problems_in

from okrsync.mapping.cycle import parse_named_cycle, plan_of
from okrsync.mapping.loader import load_mapping_text

H1 = BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: 2027-H1")


def test_a_half_is_a_plan_of_its_two_quarters() -> None:
    half = parse_named_cycle("2027-H2")
    assert (half.first_day, half.last_day) == (date(2027, 7, 1), date(2027, 12, 31))
    assert [(c.label, c.first_day, c.last_day) for c in half.parts] == [
        ("2027-Q3", date(2027, 7, 1), date(2027, 9, 30)),
        ("2027-Q4", date(2027, 10, 1), date(2027, 12, 31)),
    ]
    # Q3 has 92 of H2's 184 days: a prorated target is half-way at its end.
    assert half.share_through(half.parts[0]) == 92 / 184
    assert parse_named_cycle("2027-Q2").parts == ()


def test_a_list_across_years_is_a_plan_and_one_entry_is_that_cycle() -> None:
    plan = plan_of(["2026-Q4", "2027-Q1"])
    assert (plan.label, plan.first_day, plan.last_day) == (
        "2026-Q4..2027-Q1",
        date(2026, 10, 1),
        date(2027, 3, 31),
    )
    assert [c.label for c in plan.parts] == ["2026-Q4", "2027-Q1"]
    assert plan_of(["2027-Q3"]) == parse_named_cycle("2027-Q3")


def test_a_plan_file_loads_with_its_cycles() -> None:
    text = BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: [2027-Q1, 2027-Q2]")
    document, problems = load_mapping_text(textwrap.dedent(text).lstrip("\n"), "m.yaml")
    assert problems == []
    assert document.model is not None
    assert [c.label for c in document.model.cycle_span.parts] == ["2027-Q1", "2027-Q2"]


@pytest.mark.parametrize(
    ("cycle", "problem"),
    [
        (
            "[2027-Q1, 2027-Q3]",
            "m.yaml:2:8: error: 2027-Q3 does not follow 2027-Q1: the plan would have a gap "
            "(2027-04-01 to 2027-06-30); list contiguous cycles",
        ),
        (
            "[2027-Q2, 2027-Q1]",
            "m.yaml:2:8: error: 2027-Q1 overlaps 2027-Q2: a plan's cycles follow each other, "
            "each starting the day after the one before ends",
        ),
        (
            "\n  - 2027-Q1\n  - 2027-Q1",
            "m.yaml:3:3: error: 2027-Q1 is listed twice: list each cycle of the plan once",
        ),
        (
            "[2027-H1, 2027-H2]",
            "m.yaml:2:8: error: 2027-H1 is itself a plan of 2027-Q1 and 2027-Q2: list "
            "quarters, e.g. [2027-Q1, 2027-Q2]",
        ),
        ("[]", "m.yaml:2:8: error: a list of cycles needs at least one, e.g. [2027-Q1, 2027-Q2]"),
    ],
)
def test_gapped_overlapping_or_nested_lists_are_refused(cycle: str, problem: str) -> None:
    assert problems_in(BASE_MAPPING.replace("cycle: 2027-Q1", f"cycle: {cycle}")) == [problem]


def test_targets_must_name_cycles_of_the_plan() -> None:
    text = H1 + "        targets: {2027-Q1: 40, 2027-Q3: 100}\n"
    assert problems_in(text) == [
        "m.yaml:13:32: error: 'targets' names '2027-Q3', which is not a cycle of the plan "
        "2027-H1; its cycles: 2027-Q1, 2027-Q2"
    ]


def test_targets_in_a_single_cycle_file_are_refused() -> None:
    assert problems_in(BASE_MAPPING + "        targets: {2027-Q1: 40}\n") == [
        "m.yaml:13:19: error: 'targets' gives '2027-Q1' a target, but this file's cycle "
        "2027-Q1 is a single cycle: use 'target', or make the file a plan (cycle: 2027-H1, "
        "or a list of cycles)"
    ]


def test_a_cycle_target_equal_to_the_baseline_is_refused() -> None:
    text = H1 + "        baseline: 10\n        targets: {2027-Q1: 10}\n"
    assert problems_in(text) == [
        "m.yaml:9:9: error: the target of 2027-Q1 equals 'baseline': progress cannot be measured"
    ]
