"""Closing a cycle, drift after the close, re-opening, and the next cycle's file,
against the sandbox's seeded site (DATASET.md; A = 2027-01-01, the present is
2027-02-16, so 2026-Q4 has ended and 2027-Q1 runs).

Under SHOP-100 the stories, tasks and bugs done by the end of 2026-Q4 (2027-01-01 00:00
in Berlin) are SHOP-103 alone (done A-1d 15:00 UTC): the final value is 1 of 3. Done
now are 103, 104, 105, 106, 108, 111 and 116: 7."""

from __future__ import annotations

from e2e_harness import Workspace

MAPPING = """\
version: 1
cycle: 2026-Q4
team: checkout
defaults: {source: jira}
objectives:
  - id: q4-checkout
    title: Checkout ships
    key_results:
      - id: q4-one-click
        title: One-click stories done
        select: {query: parent = SHOP-100, where: {type: [story, task, bug]}}
        measure: done
        target: 3
"""


def test_close_keeps_the_final_results_and_shows_drift(fresh: Workspace) -> None:
    path = fresh.use_mapping("checkout-2026-Q4.yaml", MAPPING)
    assert fresh.run("sync").exit_code == 0

    running = fresh.run("close", "2027-Q1")
    assert running.exit_code == 1
    assert "no loaded mapping file is of cycle '2027-Q1'; their cycles: 2026-Q4" in running.stderr

    closed = fresh.run("close", "2026-Q4", "--note", "q4-one-click=the SDK upgrade came first")
    assert closed.exit_code == 0, closed
    assert "q4-one-click: 1 item, score 33.3% — the SDK upgrade came first" in closed.stdout
    assert "objective q4-checkout: 33.3% (closed)" in closed.stdout

    twice = fresh.run("close", "2026-Q4")
    assert twice.exit_code == 1
    assert "cycle 2026-Q4 was closed already" in twice.stderr
    assert "'okrsync close 2026-Q4 --reopen' first" in twice.stderr

    # A later sync sees the tools as they are now: the final value stays 1, and the
    # difference shows as drift.
    assert fresh.run("sync").exit_code == 0
    status = fresh.run("status", "--json").json
    (closure,) = status["closed_cycles"]
    assert closure["cycle"] == "2026-Q4"
    assert closure["as_of"].startswith("2026-12-31T23:00:00")
    assert [kr["value"] for kr in closure["key_results"]] == [1.0]
    assert closure["notes"] == {"q4-one-click": "the SDK upgrade came first"}
    assert [(d["id"], d["final"], d["now"]) for d in closure["drift"]] == [
        ("q4-one-click", 1.0, 7.0)
    ]
    text = " ".join(fresh.run("status").stdout.split())
    assert "2026-Q4 closed " in text and "drift since: q4-one-click 1 item → 7 items" in text
    history = " ".join(fresh.run("history", "q4-one-click").stdout.split())
    assert "final value 1 item — the SDK upgrade came first; drift since" in history

    page = fresh.report_page()
    assert '<section class="closed-cycle" id="closed-2026-Q4">' in page
    assert (
        '<tr class=drifted><td class="key">q4-one-click</td><td class="num">1 item</td>'
        '<td class="num">33%</td><td class="num">7 items</td>'
        '<td class="note">the SDK upgrade came first</td></tr>'
    ) in page

    # Re-opening is recorded; the cycle can then be closed again.
    reopened = fresh.run("close", "2026-Q4", "--reopen")
    assert reopened.exit_code == 0, reopened
    assert "closed_cycles" not in fresh.run("status", "--json").json
    assert fresh.run("close", "2026-Q4").exit_code == 0
    events = fresh.sql("SELECT cycle, action FROM cycle_closures ORDER BY id")
    assert events == [("2026-Q4", "close"), ("2026-Q4", "reopen"), ("2026-Q4", "close")]

    # The next cycle's file: same selection, the final value as baseline, carried over.
    nexted = fresh.run("next-cycle", str(path), "--cycle", "2027-Q1")
    assert nexted.exit_code == 0, nexted
    written = path.with_name("checkout-2027-Q1.yaml")
    text = written.read_text()
    assert "cycle: 2027-Q1" in text
    mark = "  # carried over: ended 2026-Q4 at 1 item, progress 33%\n  - id: q4-one-click\n"
    assert mark in text
    assert "baseline: 1.0" in text and "query: parent = SHOP-100" in text
    assert f"move {path} out of the mappings before the next sync" in " ".join(
        nexted.stdout.split()
    )

    # Both files define the same KR, so the project loads again once the closed file
    # is moved out of the mappings; then the new one validates.
    assert "duplicate" in fresh.run("validate").stdout + fresh.run("validate").stderr
    path.rename(fresh.folder / "checkout-2026-Q4.yaml")
    validated = fresh.run("validate")
    assert validated.exit_code == 0, validated
