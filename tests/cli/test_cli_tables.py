"""The results table as people read it: one line per objective and key result, within
the width that piped output (cron mail, CI logs) gets."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from okrsync.cli.tables import bar, results_table


def document(kr_id: str) -> dict[str, Any]:
    kr = {
        "id": kr_id,
        "value": 100,
        "target": 80,
        "unit": "",
        "progress": 0.5,
        "expected": 0.519,
        "status": "on_track",
        "override": {"value": 0.5, "reason": "survey late", "until": "2027-02-20"},
        "warnings": ["one", "two"],
    }
    objective = {
        "id": "engineering-health",
        "key_results": [kr_id],
        "score": 0.5,
        "expected": 0.519,
        "status": "on_track",
    }
    return {"objectives": [objective], "key_results": [kr]}


def rendered(table: Any, width: int = 120) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(table)
    return console.export_text().splitlines()


def test_an_overridden_kr_with_warnings_stays_on_one_line() -> None:
    lines = rendered(results_table(document("bugs-fixed-share")))
    rows = [line for line in lines if "bugs-fixed-share" in line]
    assert len(rows) == 1
    assert "bugs-fixed-share (override) ⚠2" in rows[0]
    assert "on track" in rows[0]
    # Nothing else is a row of its own: header, objective and KR between the rules.
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == 2
    assert max(len(line) for line in lines) <= 120


def test_a_very_long_kr_id_folds_instead_of_widening_the_table() -> None:
    long_id = "a-key-result-with-a-name-far-longer-than-anyone-should-write-x"
    lines = rendered(results_table(document(long_id)))
    assert max(len(line) for line in lines) <= 120
    assert "on track" in "".join(lines)


def test_the_bar_marks_progress_and_the_expected_position() -> None:
    text = bar(0.5, 0.75).plain
    assert len(text) == 16
    # 8 of 16 cells filled; the expected position (0.75 → cell 12) is the marker.
    assert text == "█" * 8 + "░" * 4 + "│" + "░" * 3
    assert bar(None, 0.5).plain == "·" * 16
