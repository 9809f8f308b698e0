"""Cycles written relative to today: ``this-quarter`` and ``this-half``."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime

import pytest
import time_machine
from mapping_helpers import BASE_MAPPING, problems_in

from okrsync.mapping.cycle import parse_named_cycle
from okrsync.mapping.loader import load_mapping_text


@pytest.mark.parametrize(
    ("text", "today", "label", "first_day", "last_day"),
    [
        ("this-quarter", date(2026, 12, 3), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("this-quarter", date(2028, 2, 29), "2028-Q1", date(2028, 1, 1), date(2028, 3, 31)),
        ("this-quarter", date(2027, 6, 30), "2027-Q2", date(2027, 4, 1), date(2027, 6, 30)),
        ("this-half", date(2026, 12, 3), "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("this-half", date(2027, 6, 30), "2027-H1", date(2027, 1, 1), date(2027, 6, 30)),
    ],
)
def test_a_relative_cycle_is_the_one_containing_today(
    text: str, today: date, label: str, first_day: date, last_day: date
) -> None:
    cycle = parse_named_cycle(text, today)
    assert (cycle.label, cycle.first_day, cycle.last_day) == (label, first_day, last_day)


def test_a_mapping_file_with_this_quarter_uses_the_local_date() -> None:
    text = (
        textwrap.dedent(BASE_MAPPING).lstrip("\n").replace("cycle: 2027-Q1", "cycle: this-quarter")
    )
    with time_machine.travel(datetime(2026, 5, 15, 12, 0, tzinfo=UTC), tick=False):
        document, problems = load_mapping_text(text, "m.yaml")
        assert problems == []
        assert document.model is not None
        cycle = document.model.cycle_span
    assert (cycle.label, cycle.first_day, cycle.last_day) == (
        "2026-Q2",
        date(2026, 4, 1),
        date(2026, 6, 30),
    )


@pytest.mark.parametrize("text", ["this-month", "next-quarter", "This-Quarter"])
def test_other_relative_words_are_not_cycles(text: str) -> None:
    assert problems_in(BASE_MAPPING.replace("cycle: 2027-Q1", f"cycle: {text}")) == [
        f"m.yaml:2:8: error: '{text}' is not a cycle: write 2027-Q1..Q4, 2027-H1/H2, "
        "this-quarter, this-half, or {start: 2027-01-01, end: 2027-03-31}"
    ]
