"""The results table as people read it: one line per objective and key result, within
the width that piped output (cron mail, CI logs) gets."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from okrsync.cli.tables import _water_fill, bar, results_table
from tests.table_text import table_rows


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
    lines = rendered(results_table(document("bugs-fixed-share"), width=120))
    rows = [line for line in lines if "bugs-fixed-share" in line]
    assert len(rows) == 1
    assert "bugs-fixed-share (override) ⚠2" in rows[0]
    assert rows[0].rstrip().endswith("on track         —")  # no forecast made
    # Header, rule, objective and KR: nothing folds onto a line of its own.
    assert len(lines) == 5
    assert max(len(line) for line in lines) <= 120


@pytest.mark.parametrize("width", [80, 120])
def test_a_very_long_kr_id_is_cut_instead_of_widening_the_table(width: int) -> None:
    long_id = "a-key-result-with-a-name-far-longer-than-anyone-should-write-x"
    lines = rendered(results_table(document(long_id), width=width), width=width)
    assert max(len(line) for line in lines) <= width
    _header, *rows = table_rows("\n".join(lines), "objective / key result")
    assert rows[1][0].endswith("…") and long_id.startswith(rows[1][0].strip()[:-1])
    assert [row[4:6] for row in rows] == [["51.9%", "on track"], ["51.9%", "on track"]]


def test_aligned_objectives_follow_their_parent_indented() -> None:
    doc = document("kr-a")
    child = {**doc["objectives"][0], "id": "child", "aligns_to": "engineering-health"}
    child["key_results"] = []
    doc["objectives"] = [child, {**doc["objectives"][0], "aligned": ["child"]}]
    lines = rendered(results_table(doc, width=80), width=80)
    names = [row[0] for row in table_rows("\n".join(lines), "objective / key result")[1:]]
    assert names == ["engineering-health", "kr-a (override) ⚠2", "↳ child"]


def test_water_fill_gives_narrow_columns_what_they_need() -> None:
    # 30 columns of room: the 6-wide column gets 6, the other two split 24 by weight.
    assert _water_fill(30, [6, 40, 40], [1, 1, 2]) == [6, 8, 16]
    assert _water_fill(100, [6, 40, 40], [1, 1, 2]) == [6, 40, 40]


def test_the_bar_marks_progress_and_the_expected_position() -> None:
    text = bar(0.5, 0.75).plain
    assert len(text) == 16
    # 8 of 16 cells filled; the expected position (0.75 → cell 12) is the marker.
    assert text == "█" * 8 + "░" * 4 + "│" + "░" * 3
    assert bar(None, 0.5).plain == "·" * 16
