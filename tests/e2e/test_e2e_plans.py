"""A plan of two cycles (2027-H1 = 2027-Q1 + 2027-Q2) over the sandbox's seeded site
(DATASET.md; A = 2027-01-01), in Europe/Berlin, evaluated at an instant in each quarter.

The instants, in UTC: H1 runs from 2026-12-31 23:00 to 2027-06-30 22:00 (4,343 hours),
Q1 to 2027-03-31 22:00 (2,159 hours; summer time starts 03-28), Q2 on from there
(2,184 hours). ``--as-of 2027-02-10T00:00`` is 2027-02-09 23:00 UTC, 960 hours into Q1 and H1;
``--as-of 2027-05-15T00:00`` is 2027-05-14 22:00 UTC, 1,056 hours into Q2, 3,215 into H1.

Done under SHOP-100 (stories, tasks, bugs): SHOP-103, 104, 105, 106, 108, 111 by A+33d,
SHOP-116 at A+46d 15:00: 6 on 02-10, 7 from 02-16 on (so 7 at the end of Q1, and in
May). Done under PAY-1: PAY-2 (A+7d) and PAY-7 (A+36d): 2 on 02-10 and after.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
import yaml
from e2e_harness import Workspace

from tests.table_text import table_rows

PLAN = """\
version: 1
cycle: 2027-H1
team: checkout
defaults: {source: jira}
objectives:
  - id: h1-checkout
    title: Checkout ships in the first half
    key_results:
      - id: h1-one-click
        title: One-click stories done
        select: {query: parent = SHOP-100, where: {type: [story, task, bug]}}
        measure: done
        target: 14
      - id: h1-payments
        title: Payment stories done
        select: {query: parent = PAY-1}
        measure: done
        target: 4
        targets: {2027-Q1: 3, 2027-Q2: 4}
"""

# h1-one-click's Q1 target is prorated over the plan's days: Q1 has 90 of H1's 181.
Q1_TARGET = 14 * 90 / 181


def _cycles(entry: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (c["cycle"], c["target"], c["value"], c["progress"], c["expected"], c["status"])
        for c in entry["cycles"]
    ]


def test_a_half_is_scored_per_quarter_and_across_the_plan(fresh: Workspace) -> None:
    fresh.use_mapping("checkout-2027-H1.yaml", PLAN)
    assert fresh.run("pull").exit_code == 0

    early = fresh.run("plan", "--no-pull", "--as-of", "2027-02-10T00:00", "--json").json
    one_click = next(kr for kr in early["key_results"] if kr["id"] == "h1-one-click")
    payments = next(kr for kr in early["key_results"] if kr["id"] == "h1-payments")
    (objective,) = early["objectives"]
    # Across the plan, as of T against the plan's targets: 6 of 14, 2 of 4; 960/4343
    # of H1 has passed.
    assert (one_click["value"], one_click["progress"]) == (6.0, pytest.approx(6 / 14))
    assert one_click["expected"] == pytest.approx(960 / 4343)
    assert one_click["cycle"] == "2027-H1"
    assert objective["score"] == pytest.approx((6 / 14 + 2 / 4) / 2)
    # Q1 is running: 6 against 14 * 90/181, 2 against the explicit 3; 960/2159 of Q1
    # has passed, and both are ahead of it. Q2 has not started.
    assert _cycles(one_click) == [
        ("2027-Q1", pytest.approx(Q1_TARGET), 6.0, pytest.approx(6 / Q1_TARGET),
         pytest.approx(960 / 2159), "on_track"),
        ("2027-Q2", 14.0, None, None, 0.0, "not_started"),
    ]  # fmt: skip
    assert _cycles(payments) == [
        ("2027-Q1", 3.0, 2.0, pytest.approx(2 / 3), pytest.approx(960 / 2159), "on_track"),
        ("2027-Q2", 4.0, None, None, 0.0, "not_started"),
    ]
    assert [(c["start"], c["end"]) for c in payments["cycles"]] == [
        ("2027-01-01", "2027-03-31"),
        ("2027-04-01", "2027-06-30"),
    ]
    assert [(c["cycle"], c["score"], c["status"]) for c in objective["cycles"]] == [
        ("2027-Q1", pytest.approx((6 / Q1_TARGET + 2 / 3) / 2), "on_track"),
        ("2027-Q2", None, "not_started"),
    ]

    # explain names the cycle T is in and redoes each cycle's arithmetic.
    explained = fresh.run("explain", "h1-one-click", "--as-of", "2027-02-10T00:00").stdout
    lines = [" ".join(line.split()) for line in explained.splitlines()]
    assert "plan 2027-H1 of 2027-Q1, 2027-Q2; as of T in cycle 2027-Q1" in lines
    at = lines.index("plan 2027-H1 of 2027-Q1, 2027-Q2; as of T in cycle 2027-Q1")
    assert lines[at + 1 : at + 5] == [
        "2027-Q1 (2027-01-01 to 2027-03-31): target 6.9613 (prorated, 90 of 181 days)",
        "value 6, progress 86.2%, expected 44.5%, on track",
        "2027-Q2 (2027-04-01 to 2027-06-30): target 14 (prorated, 181 of 181 days)",
        "no value yet, progress —, expected 0.0%, not started",
    ]

    late = fresh.run("plan", "--no-pull", "--as-of", "2027-05-15T00:00", "--json").json
    one_click = next(kr for kr in late["key_results"] if kr["id"] == "h1-one-click")
    payments = next(kr for kr in late["key_results"] if kr["id"] == "h1-payments")
    (objective,) = late["objectives"]
    # Across the plan: 7 of 14 and 2 of 4 with 3215/4343 = 74% of H1 gone: 24 points
    # behind, at risk (within 25).
    assert (one_click["progress"], one_click["status"]) == (pytest.approx(0.5), "at_risk")
    assert (payments["progress"], payments["status"]) == (pytest.approx(0.5), "at_risk")
    assert objective["score"] == pytest.approx(0.5)
    # Q1 has ended and keeps its end's value: 7 reaches the prorated 6.96 (capped at 1),
    # 2 of 3. Q2 runs, against the plan's targets: 7 of 14, 2 of 4, 1056/2184 gone.
    assert _cycles(one_click) == [
        ("2027-Q1", pytest.approx(Q1_TARGET), 7.0, 1.0, 1.0, "closed"),
        ("2027-Q2", 14.0, 7.0, pytest.approx(0.5), pytest.approx(1056 / 2184), "on_track"),
    ]
    assert _cycles(payments) == [
        ("2027-Q1", 3.0, 2.0, pytest.approx(2 / 3), 1.0, "closed"),
        ("2027-Q2", 4.0, 2.0, pytest.approx(0.5), pytest.approx(1056 / 2184), "on_track"),
    ]
    assert [(c["cycle"], c["score"], c["status"]) for c in objective["cycles"]] == [
        ("2027-Q1", pytest.approx((1.0 + 2 / 3) / 2), "closed"),
        ("2027-Q2", pytest.approx(0.5), "on_track"),
    ]


def test_status_and_the_report_show_the_plans_arc(fresh: Workspace) -> None:
    fresh.use_mapping("checkout-2027-H1.yaml", PLAN)
    assert fresh.run("sync", "--as-of", "2027-05-15T00:00").exit_code == 0

    # status reads the recorded run: the same cycles as plan --json gave (see above).
    status = fresh.run("status", "--json").json
    (objective,) = status["objectives"]
    assert [(c["cycle"], c["score"]) for c in objective["cycles"]] == [
        ("2027-Q1", pytest.approx((1.0 + 2 / 3) / 2)),
        ("2027-Q2", pytest.approx(0.5)),
    ]

    # The terminal: a table of the plan by cycle, under the usual one.
    rows = table_rows(fresh.run("status").stdout, "objective / key result")
    assert rows[0] == ["objective / key result", "value", "target", "progress", "expected",
                       "status", "forecast"]  # fmt: skip
    plan_rows = table_rows(fresh.run("status").stdout.split("plan 2027-H1 by cycle")[1],
                           "objective / key result")  # fmt: skip
    assert plan_rows == [
        ["objective / key result", "2027-Q1", "2027-Q2", "plan"],
        ["h1-checkout", "83% closed", "50% on track", "50% at risk"],
        ["h1-one-click", "100% closed", "50% on track", "50% at risk"],
        ["h1-payments", "67% closed", "50% on track", "50% at risk"],
    ]

    page = fresh.report_page()
    # The objective's cycles side by side, then the plan: Q1 83% closed, Q2 50% on
    # track, H1 50% at risk.
    arc = page.split('<div class="plan-arc"', 1)[1].split('<div class="kr-grid">', 1)[0]
    cells = re.findall(r'arc-label">([^<]+)</span><span class="arc-score">([^<]+)<', arc)
    assert cells == [("2027-Q1", "83%"), ("2027-Q2", "50%"), ("plan 2027-H1", "50%")]
    assert '<div class="arc-cycle status-closed">' in arc
    assert '<div class="arc-plan status-at_risk">' in arc
    # Each KR card lists its cycles: payments 2 of 3 in Q1 (67%), 2 of 4 in Q2.
    closed_q1 = '<li class="status-closed" data-cycle="2027-Q1"><b>2027-Q1</b> 2 of 3 items'
    assert closed_q1 in page
    assert 'data-cycle="2027-Q2"><b>2027-Q2</b> 2 of 4 items · 50%' in page
    # The chart marks the end of Q1 and draws each cycle's target.
    assert page.count('class="cycle-boundary"') == 2
    assert page.count('class="cycle-target"') == 4


def test_each_cycle_of_a_plan_closes_on_its_own_and_the_next_plan_follows_the_last(
    fresh: Workspace,
) -> None:
    path = fresh.use_mapping("checkout-2027-H1.yaml", PLAN)
    with time_machine.travel(datetime(2027, 5, 15, 10, 0, tzinfo=UTC), tick=True):
        assert fresh.run("sync").exit_code == 0
        running = fresh.run("close", "2027-Q2")
        assert running.exit_code == 1
        assert "cycle 2027-Q2 runs until 2027-06-30: close it after its end" in running.stderr

        # Q1's results, as of its end (2027-03-31 22:00 UTC): 7 of the prorated 6.96
        # (100%), 2 of 3 (67%); the objective (100% + 67%) / 2 = 83%.
        closed = fresh.run("close", "2027-Q1", "--note", "h1-payments=webhooks slipped")
        assert closed.exit_code == 0, closed
        assert "h1-one-click: 7 items, score 100.0%" in closed.stdout
        assert "h1-payments: 2 items, score 66.7% — webhooks slipped" in closed.stdout
        assert "objective h1-checkout: 83.3% (closed)" in closed.stdout
        (closure,) = fresh.run("status", "--json").json["closed_cycles"]
        assert closure["as_of"].startswith("2027-03-31T22:00:00")
        assert [(k["id"], k["cycle"], k["plan"], k["target"]) for k in closure["key_results"]] == [
            ("h1-one-click", "2027-Q1", "2027-H1", pytest.approx(Q1_TARGET)),
            ("h1-payments", "2027-Q1", "2027-H1", 3.0),
        ]
        # The plan runs on: Q2's progress is not drift from Q1's final values.
        assert fresh.run("sync").exit_code == 0
        assert fresh.run("status", "--json").json["closed_cycles"][0]["drift"] == []
        early = fresh.run("next-cycle", str(path), "--cycle", "2027-H2")
        assert early.exit_code == 1
        assert (
            "2027-Q1 is closed, but the plan 2027-H1 goes on in 2027-Q2 in the same file"
            in " ".join(early.stderr.split())
        )

    with time_machine.travel(datetime(2027, 7, 2, 10, 0, tzinfo=UTC), tick=True):
        assert fresh.run("sync").exit_code == 0
        # Q2 ends with the plan: 7 of 14, 2 of 4.
        closed = fresh.run("close", "2027-Q2")
        assert closed.exit_code == 0, closed
        assert "h1-one-click: 7 items, score 50.0%" in closed.stdout
        assert "objective h1-checkout: 50.0% (closed)" in closed.stdout
        written = fresh.run("next-cycle", str(path), "--cycle", "2027-H2")
        assert written.exit_code == 0, written
    following = yaml.safe_load(path.with_name("checkout-2027-H2.yaml").read_text())
    assert following["cycle"] == "2027-H2"
    krs = following["objectives"][0]["key_results"]
    # Baselines are Q2's final values; the old plan's per-cycle targets are gone.
    assert [(k["id"], k["baseline"], k["target"], "targets" in k) for k in krs] == [
        ("h1-one-click", 7.0, 14, False),
        ("h1-payments", 2.0, 4, False),
    ]
