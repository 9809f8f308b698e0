"""The evaluation benchmark at a small scale: the seeded store evaluates to what SQL
over the same rows says, a unit's re-score equals the full evaluation, and the report's
section replaces only itself in RESULTS.md."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bench.eval_data import Scale
from bench.eval_report import BEGIN, END, render_section, replace_section, section_of
from bench.evaluation import measure

SCALE = Scale(items=1200, krs=12)  # two units of ten KRs and two; 100 items each


def test_the_benchmark_measures_plan_and_a_units_rescore(tmp_path: Path) -> None:
    database = tmp_path / "store.db"
    backend = measure("sqlite", f"sqlite:///{database}", SCALE, tmp_path, lambda _: None)

    assert (backend.items, backend.key_results, backend.unit_krs) == (1200, 12, 10)
    assert backend.same_results
    # Recorded daily points change no forecast: the plan over them is the same.
    assert backend.recorded_same
    assert backend.recorded_plan.cpu_seconds > 0 and backend.backfill.cpu_seconds > 0
    assert backend.plan.peak_mb > 0 and backend.plan.seconds > 0
    document = json.loads((tmp_path / "plan.json").read_text())
    results = {kr["id"]: kr for kr in document["key_results"]}
    assert [kr["evidence"]["counts"]["selected"] for kr in results.values()] == [100] * 12
    with sqlite3.connect(database) as db:
        # kr-0 is a completion by count over project P0, as of mid-February; every
        # item was created before then except those created later in the seed.
        done, existing = db.execute(
            "SELECT SUM(status_category = 'done' AND resolved <= '2027-02-16'), COUNT(*) "
            "FROM items WHERE project = 'P0' AND created <= '2027-02-16'"
        ).fetchone()
        open_bugs = db.execute(
            "SELECT COUNT(*) FROM items WHERE project = 'P5' AND type = 'bug' "
            "AND created <= '2027-02-16' AND NOT (status_category = 'done' "
            "AND resolved <= '2027-02-16')"
        ).fetchone()[0]
    assert results["kr-0"]["value"] == 100.0 * done / existing
    assert results["kr-5"]["value"] == open_bugs  # count of open bugs


def test_the_section_replaces_only_itself() -> None:
    first = f"# pull report\n\nfigures\n\n{BEGIN}\nold evaluation\n{END}\n"
    replaced = replace_section(first, f"{BEGIN}\nnew evaluation\n{END}\n")
    assert replaced == f"# pull report\n\nfigures\n\n{BEGIN}\nnew evaluation\n{END}\n"
    assert section_of(replaced) == f"{BEGIN}\nnew evaluation\n{END}\n"
    assert section_of("# pull report only\n") == ""
    appended = replace_section("# pull report only\n", f"{BEGIN}\nx\n{END}\n")
    assert appended == f"# pull report only\n\n{BEGIN}\nx\n{END}\n"
    assert render_section([], SCALE).startswith(BEGIN + "\n## Evaluation at service scale")
