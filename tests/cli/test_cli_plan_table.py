"""The terminal's plan-by-cycle table fits 80 columns and reads back cell by cell."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from okrsync.cli.plan_table import cycles_tables
from tests.table_text import table_rows


def _entry(cycle: str, score: float | None, status: str) -> dict[str, Any]:
    return {"cycle": cycle, "score": score, "status": status}


def test_a_plan_of_two_quarters_fits_80_columns() -> None:
    cycles = [_entry("2027-Q1", 0.862, "on_track"), _entry("2027-Q2", None, "not_started")]
    document = {
        "objectives": [
            {"id": "checkout-breezes-through", "cycle": "2027-H1", "score": 0.4643,
             "status": "on_track", "key_results": ["one-click-stories-done", "single"],
             "cycles": cycles},
            {"id": "one-quarter", "cycle": "2027-Q3", "score": 0.1, "status": "on_track",
             "key_results": []},
        ],
        "key_results": [
            {"id": "one-click-stories-done", "score": 0.4286, "status": "on_track",
             "cycles": cycles},
            {"id": "single", "score": 0.2, "status": "at_risk"},
        ],
    }  # fmt: skip
    console = Console(width=80, record=True, color_system=None)
    (table,) = cycles_tables(document, 80)  # the single quarter has none
    console.print(table)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.splitlines()[0].strip() == "plan 2027-H1 by cycle"
    # 0.862 shows as 86%, a cycle not started by its status alone.
    assert table_rows(text, "objective / key result") == [
        ["objective / key result", "2027-Q1", "2027-Q2", "plan"],
        ["checkout-breezes-through", "86% on track", "not started", "46% on track"],
        ["one-click-stories-done", "86% on track", "not started", "43% on track"],
    ]


def test_single_cycle_results_have_no_plan_table() -> None:
    document = {
        "objectives": [{"id": "o", "cycle": "2027-Q1", "key_results": ["k"]}],
        "key_results": [{"id": "k"}],
    }
    assert cycles_tables(document, 80) == []
