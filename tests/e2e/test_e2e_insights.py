"""``okrsync insights`` over three closed two-week cycles of the sandbox's seeded site
(DATASET.md, A = 2027-01-01; every instant below is UTC, the cycles are Berlin days).

One KR per cycle: stories, tasks and bugs under SHOP-100 done, from baseline 0.

    cycle                   target  done by the end        final  progress  bias
    C1 2026-12-14..12-27       2    none (103 is Dec 31)     0       0      -1
    C2 2026-12-28..01-10       3    103, 106, 104            3       1       0
    C3 2027-01-11..01-24       4    + 111 (Jan 11), 105      5     1.25   +0.25

Mean score (clamped) (0 + 1 + 1) / 3; mean bias (-1 + 0 + 0.25) / 3 = -0.25.

Scope added during each cycle (created after its start, selected at its end): C1 103,
104, 105, 106, 108 (5); C2 111 (1); C3 112, 113 (2): a mean of 8 / 3.

Calibration, one whole week per cycle (the forecast as of day 7's end):
- C1: nothing done in Dec 14..20, so every trial ends at 0 = final: held.
- C2: 103 done on Dec 31, one of 7 days; 1 done, 7 days left. The final 1 + X, with X
  the successes of 7 draws at 1/7: P(X = 0) = 0.34, P(X <= 1) = 0.74, P(X <= 2) = 0.94,
  so the band is 1..3 and the final 3 lies in it: held.
- C3: 111 and 105 done in Jan 11..17, two of 7 days; 5 done. P(X = 0) = (5/7)^7 =
  0.095 < 0.15, so P15 is above 5 and the final 5 lies below the band: missed.
Two of three held.
"""

from __future__ import annotations

import pytest
from e2e_harness import Workspace

CYCLES = {
    "c1": ("2026-12-14", "2026-12-27", 2),
    "c2": ("2026-12-28", "2027-01-10", 3),
    "c3": ("2027-01-11", "2027-01-24", 4),
}


def mapping(name: str) -> str:
    start, end, target = CYCLES[name]
    return f"""\
version: 1
cycle: {{start: {start}, end: {end}}}
team: checkout
defaults: {{source: jira}}
objectives:
  - id: {name}-checkout
    title: Checkout ships
    key_results:
      - id: {name}-one-click
        title: One-click work done
        select: {{query: parent = SHOP-100, where: {{type: [story, task, bug]}}}}
        measure: done
        target: {target}
"""


def test_insights_over_three_closed_cycles(fresh: Workspace) -> None:
    for name in CYCLES:
        fresh.use_mapping(f"{name}.yaml", mapping(name))
    assert fresh.run("insights").exit_code == 1  # nothing closed yet
    assert fresh.run("sync").exit_code == 0
    for start, end, _ in CYCLES.values():
        closed = fresh.run("close", f"{start}..{end}")
        assert closed.exit_code == 0, closed

    shown = fresh.run("insights", "--json")
    assert shown.exit_code == 0, shown
    document = shown.json
    assert document["cycles"] == [f"{s}..{e}" for s, e, _ in CYCLES.values()]
    (group,) = document["groups"]
    assert (group["team"], group["kind"], group["key_results"]) == ("checkout", "output", 3)
    assert group["score"] == {"mean": round(2 / 3, 4), "min": 0.0, "median": 1.0, "max": 1.0}
    assert group["bias"] == pytest.approx(-0.25)
    assert group["scope_added"] == pytest.approx(round(8 / 3, 4))
    assert (group["forecasts"], group["band_hit_rate"]) == (3, round(2 / 3, 4))
    assert document["calibration"] == [
        {"week": 1, "forecasts": 3, "held": 2, "rate": round(2 / 3, 4)}
    ]

    last = fresh.run("insights", "--json", "--cycles", "1").json
    assert last["cycles"] == ["2027-01-11..2027-01-24"]
    assert last["groups"][0]["bias"] == pytest.approx(0.25)

    table = " ".join(fresh.run("insights").stdout.split())
    assert "insights over 3 closed cycles" in table
    assert "checkout output 3 67% (0–100) -25% 67% of 3 2.67" in table
    assert "week 1 3 2 67%" in table

    page = fresh.report_page()
    assert '<section class="insights" id="insights"><h2>How well we estimate</h2>' in page
    assert (
        '<tr><td>checkout</td><td>output</td><td class="num">3</td>'
        '<td class="num">67%</td><td class="num">-25%</td><td class="num">67%</td>'
        '<td class="num">2.6667</td></tr>'
    ) in page
    assert page.count('<rect class="bias over"') == 1  # C1 over-committed
    assert page.count('<rect class="bias under"') == 2  # C2 at 0, C3 above
    assert "<title>week 1: 67%</title>" in page
