"""Validation that finds every problem in one pass, through the CLI: a formula's
malformed input and its unknown name together, what each connector type can do, and
every spelling of the estimate field meaning the same field in the pull and in the
evaluation (against the sandbox over real HTTP)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import Workspace
from okrsync_sandbox import SandboxServer

METRICS = (
    "  metrics:\n    type: http_json\n    url: https://metrics.example\n"
    "    metrics: {conversion: /conversion}\n"
)
BROKEN = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: checkout
    title: Checkout
    key_results:
      - id: share-done
        title: Share done
        measure:
          formula: "done / totl * 100"
          inputs:
            done: {measure: done, select: {query: project = SHOP}}
            total: {measure: cuont, select: {query: project = SHOP}}
        target: 100
      - id: from-metrics
        title: Items from a metric source
        select: {source: metrics, query: project = SHOP}
        measure: count
        target: 3
      - id: metric-from-jira
        title: A metric from Jira
        measure: {metric: {source: jira, name: conversion}}
        target: 3
        push: [{to: metrics, issue: OKR-1, comment: true}]
"""


@pytest.fixture
def broken(site: SandboxServer, tmp_path: Path) -> Workspace:
    """A workspace of its own with BROKEN as its only mapping file, and a metric source."""
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", BROKEN)
    workspace.write_config(extra=METRICS)
    return workspace


def test_every_problem_is_reported_in_one_pass(broken: Workspace, site: SandboxServer) -> None:
    site.reset_log()
    outcome = broken.run("validate")
    assert outcome.exit_code == 1, outcome
    file = broken.folder / "mappings" / "checkout.yaml"
    # Positions counted by hand in BROKEN.
    assert outcome.stdout.splitlines() == [
        f"{file}:11:20: error: formula 'done / totl * 100': the formula uses 'totl', which "
        "is not an input; inputs: done, total",
        f"{file}:14:30: error: unknown measure 'cuont' (did you mean 'count'?); valid "
        "measures: count, done, completion, sum, average, min, max, throughput, cycle_time, "
        "lead_time, velocity, scope_added, metric, formula",
        f"{file}:18:26: error: connector 'metrics' cannot serve a selection (work items): "
        "its type provides metrics; connectors that can: jira",
        f"{file}:23:36: error: connector 'jira' cannot serve a metric: its type provides "
        "work items and pushes of field, comment, property, create; connectors that can: "
        "metrics",
        f"{file}:25:21: error: connector 'metrics' cannot serve a push of comment: its type "
        "provides metrics; connectors that can: jira",
    ]
    assert outcome.stderr.strip() == "5 problems found"
    assert len(site.log) == 0


def test_plan_refuses_what_a_connector_cannot_do_before_any_request(
    broken: Workspace, site: SandboxServer
) -> None:
    """Once the formula is fixed, plan names the capability problems (it crashed on them)."""
    fixed = BROKEN.replace("totl", "total").replace("cuont", "count")
    broken.use_mapping("checkout.yaml", fixed)
    broken.write_config(extra=METRICS)
    site.reset_log()
    outcome = broken.run("plan")
    assert outcome.exit_code == 1, outcome
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    lines = outcome.stderr.splitlines()
    assert [line.split(": error: ")[1].split(":")[0] for line in lines] == [
        "connector 'metrics' cannot serve a selection (work items)",
        "connector 'jira' cannot serve a metric",
        "connector 'metrics' cannot serve a push of comment",
    ]
    assert len(site.log) == 0 and site.writes == []
    assert not broken.db.exists()  # refused before the store was opened: nothing recorded


# SHOP-103, SHOP-104 and SHOP-105 estimate 5, 8 and 3 now (DATASET.md); SHOP-104 was
# estimated 5 until A+3d 11:00, so on 2027-01-02 the three sum to 5 + 5 + 3.
SPELLINGS = ["Story Points", "story points", "story_points", "Story point estimate", "estimate"]


def sums_mapping() -> str:
    # One objective each: KRs of one objective counting the same items draw a warning.
    objectives = "".join(
        f"  - id: estimates-{index}\n    title: Estimates\n    key_results:\n"
        f"      - id: sum-{index}\n"
        f"        title: Sum as '{name}'\n"
        "        select: {query: 'key in (SHOP-103, SHOP-104, SHOP-105)'}\n"
        f"        measure: {{sum: {name}}}\n"
        "        target: 20\n"
        for index, name in enumerate(SPELLINGS)
    )
    return "version: 1\ncycle: 2027-Q1\ndefaults: {source: jira}\nobjectives:\n" + objectives


def test_every_spelling_of_the_estimate_sums_the_same_points(
    site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("sums.yaml", sums_mapping())
    now = workspace.run("plan", "--json")
    assert now.exit_code == 0, now
    values = {kr["id"]: (kr["value"], kr["warnings"]) for kr in now.json["key_results"]}
    assert values == {f"sum-{i}": (16.0, []) for i in range(len(SPELLINGS))}

    earlier = workspace.run("plan", "--json", "--no-pull", "--as-of", "2027-01-02")
    assert earlier.exit_code == 0, earlier
    assert {kr["value"] for kr in earlier.json["key_results"]} == {13.0}
