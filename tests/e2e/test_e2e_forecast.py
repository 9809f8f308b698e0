"""Forecasts end to end against the sandbox's seeded site (DATASET.md): in ``plan
--json``, ``status --json``, ``explain`` and the pushed comment, the same for the same
store, day and seed.

The sandbox's present is 2027-02-16 16:00 UTC, in 2027-Q1 (Berlin): the whole days of
history are Jan 1 to Feb 15 (31 + 15 = 46) and 44 days are left (Feb 16 to Mar 31)."""

from __future__ import annotations

from typing import Any

from e2e_harness import Workspace, okrsync_comments, writes_of
from okrsync_sandbox import SandboxServer

CONTRACT_KEYS = {"p15", "p50", "p85", "probability_of_target", "method", "based_on_days", "trials"}


def forecasts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {kr["id"]: kr["forecast"] for kr in document["key_results"]}


def test_plan_json_carries_each_krs_forecast(workspace: Workspace, site: SandboxServer) -> None:
    planned = workspace.run("plan", "--json")
    assert planned.exit_code == 2, planned
    made = forecasts(planned.json)
    assert all(set(f) >= CONTRACT_KEYS for f in made.values())
    ship = made["ship-one-click"]
    assert (ship["method"], ship["based_on_days"], ship["trials"]) == (
        "monte_carlo_throughput",
        46,
        10_000,
    )
    assert ship["based_on"] == {"from": "2027-01-01", "to": "2027-02-15"}
    assert ship["days_left"] == 44
    assert ship["p15"] <= ship["p50"] <= ship["p85"] <= 100
    assert ship["status"] in {"likely", "at_risk", "unlikely"}
    # The other KRs follow the trend of their daily values, rebuilt from the store
    # (nothing was back-filled yet): a day without a value has no point.
    cycle_time = made["median-cycle-time"]
    assert (cycle_time["method"], cycle_time["trials"]) == ("linear_trend", None)
    assert 5 <= cycle_time["based_on_days"] <= 46
    assert cycle_time["based_on"]["to"] == "2027-02-15"

    again = workspace.run("plan", "--json", "--no-pull")
    assert forecasts(again.json)["ship-one-click"] == ship

    workspace.write_config(extra="forecast_seed: 5\n")
    try:
        reseeded = forecasts(workspace.run("plan", "--json", "--no-pull").json)
    finally:
        workspace.write_config()
    assert reseeded["ship-one-click"]["seed"] == 5
    assert reseeded["ship-one-click"] != ship


def test_status_and_explain_show_the_recorded_forecast(fresh: Workspace) -> None:
    first = fresh.run("sync")
    assert first.exit_code == 0, first
    recorded = forecasts(fresh.run("status", "--json").json)
    assert recorded["ship-one-click"]["method"] == "monte_carlo_throughput"
    # The sync back-filled the trend KRs with the very points their forecast was
    # rebuilt from: the forecasts stay as they were.
    assert fresh.sql("SELECT count(*) FROM kr_results WHERE backfilled")[0][0] > 0
    again = forecasts(fresh.run("plan", "--json", "--no-pull").json)
    for kr_id in ("ship-one-click", "median-cycle-time", "points-delivered"):
        assert again[kr_id] == recorded[kr_id], kr_id

    explained = fresh.run("explain", "ship-one-click")
    assert explained.exit_code == 0, explained
    text = " ".join(explained.stdout.split())
    assert "10,000 trials (seed 0), each drawing one of 46 whole days (2027-01-01 to" in text
    assert "for each of the 44 days left" in text


def test_the_comment_carries_the_forecast_line(fresh_site: SandboxServer, fresh: Workspace) -> None:
    assert fresh.run("sync").exit_code == 0
    made = forecasts(fresh.run("status", "--json").json)["ship-one-click"]
    (comment,) = okrsync_comments(fresh_site, "OKR-12")
    chance = f"{made['probability_of_target'] * 100:.0f}%"
    assert f"Forecast: likely to end at {round(made['p15'])}–{round(made['p85'])}%, " in str(
        comment.body
    )
    assert f"{chance} chance of reaching the target" in str(comment.body)
    fresh_site.reset_log()
    second = fresh.run("sync")
    assert second.exit_code == 0, second
    assert writes_of(fresh_site) == []
