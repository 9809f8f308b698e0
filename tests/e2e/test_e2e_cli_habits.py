"""The command line as people type it: global options before or after the command,
usage errors that scripts cannot mistake for "writes pending", JSON where it applies,
and one instant shown by status, explain, report and history alike."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_harness import Outcome, Workspace, invoke
from okrsync_sandbox import SandboxServer
from typer.main import get_command

from okrsync.cli import app
from okrsync.cli.app import EXIT_USAGE

OKRSYNC = str(Path(sys.executable).with_name("okrsync"))
# Every registered command, so that a new one cannot miss the global options.
COMMANDS = sorted(get_command(app).commands)


@pytest.fixture(scope="module")
def synced(workspace: Workspace, site: SandboxServer) -> Outcome:
    outcome = workspace.run("sync")
    assert outcome.exit_code == 0, outcome
    return outcome


def test_global_options_work_after_the_command(synced: Outcome, workspace: Workspace) -> None:
    before = invoke("--config", str(workspace.config), "status", "--json")
    after = invoke("status", "--json", "--config", str(workspace.config))
    short = invoke("status", "-c", str(workspace.config), "--json", "--debug", "--wait")
    assert before.exit_code == after.exit_code == short.exit_code == 0, (before, after, short)
    assert before.json == after.json == short.json
    # --json before the command too, where the command has JSON.
    leading = invoke("--json", "status", "--config", str(workspace.config))
    assert leading.json == before.json


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_lists_the_global_options_without_bool_metavars(command: str) -> None:
    shown = invoke(command, "--help", env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown
    for option in ("--config", "--debug", "--wait"):
        assert option in shown.stdout, (command, option)
    assert "<bool>" not in shown.stdout


@pytest.mark.parametrize(
    "args",
    [["plan", "--bogus"], ["explain"], ["runs", "--limit", "0"], ["nonsense"], ["--json", "apply"]],
)
def test_a_usage_error_exits_64_never_2(args: list[str]) -> None:
    outcome = invoke(*args)
    assert outcome.exit_code == EXIT_USAGE == 64, outcome
    assert "Traceback" not in outcome.stdout + outcome.stderr


def test_version_and_completion() -> None:
    version = invoke("--version")
    assert version.exit_code == 0 and re.fullmatch(r"okrsync \d+\.\d+\.\d+\S*\n", version.stdout)
    # Shell completion: the script to install, and the answers it gives.
    script = subprocess.run(
        [OKRSYNC, "--show-completion"],
        capture_output=True,
        text=True,
        env={**os.environ, "SHELL": "/bin/bash"},
        timeout=30,
    )
    assert script.returncode == 0 and "_okrsync_completion" in script.stdout, script
    words = {"_OKRSYNC_COMPLETE": "complete_bash", "COMP_WORDS": "okrsync sta", "COMP_CWORD": "1"}
    answer = subprocess.run(
        [OKRSYNC], capture_output=True, text=True, env={**os.environ, **words}, timeout=30
    )
    assert answer.stdout.split() == ["status"], answer


def test_json_on_every_command_that_shows_results(synced: Outcome, workspace: Workspace) -> None:
    status = workspace.run("status", "--json").json
    explained = workspace.run("explain", "ship-one-click", "--json").json
    history = workspace.run("history", "ship-one-click", "--json").json
    runs = workspace.run("runs", "--json").json
    # The same instant everywhere: the latest recorded run's.
    assert explained["as_of"] == status["as_of"] == history["as_of"]
    kr = next(k for k in status["key_results"] if k["id"] == "ship-one-click")
    assert explained["key_result"]["value"] == pytest.approx(kr["value"])
    assert explained["location"] == "mappings/checkout.yaml:14:9"
    assert "query: parent = SHOP-100" in explained["select"]
    assert history["points"][-1]["value"] == pytest.approx(kr["value"])
    assert runs["runs"][0]["command"] == "sync"


def test_status_explain_report_and_history_show_one_instant(
    synced: Outcome, workspace: Workspace, site: SandboxServer
) -> None:
    recorded = workspace.run("status").stdout.splitlines()[0]
    assert re.fullmatch(r"OKRs as of 2027-02-16 17:\d\d CET \(Europe/Berlin\)\s*", recorded)
    instant = recorded.split(" as of ")[1].strip()
    assert f"as of {instant}" in workspace.run("explain", "ship-one-click").stdout
    assert f"up to {instant}" in workspace.run("history", "ship-one-click").stdout
    report = workspace.folder / "report.html"
    assert f"as of {instant}" in workspace.run("report", "--out", str(report)).stdout
    # --as-of says otherwise, for all of them alike.
    earlier = workspace.run("explain", "ship-one-click", "--as-of", "2027-02-01").stdout
    assert "as of 2027-02-01 23:59 CET (Europe/Berlin)" in earlier
    points = workspace.run("history", "ship-one-click", "--as-of", "2027-02-01", "--json").json
    assert points["points"] and all(p["as_of"] <= points["as_of"] for p in points["points"])
    old = workspace.run("status", "--as-of", "2027-01-01")
    assert old.exit_code == 1 and "no results recorded as of 2027-01-01" in old.stderr


def test_pull_with_nothing_changed_says_so(synced: Outcome, workspace: Workspace) -> None:
    assert workspace.run("pull").exit_code == 0  # what the sync's own writes changed
    again = workspace.run("pull")
    assert again.exit_code == 0, again
    assert again.stdout.startswith("nothing changed since the last pull (1")


def test_validate_json_lists_every_problem_located(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    good = Workspace(tmp_path / "good", "http://127.0.0.1:9")
    valid = good.run("validate", "--json")
    assert valid.exit_code == 0, valid
    assert valid.json["valid"] is True and valid.json["problems"] == []
    assert (valid.json["files"], valid.json["objectives"], valid.json["key_results"]) == (3, 4, 11)

    bad = Workspace(tmp_path / "bad", "http://127.0.0.1:9")
    bad.use_mapping(
        "team.yaml",
        "version: 1\ncycle: 2027-Q5\nobjectives:\n  - id: Bad Id\n    title: x\n"
        "    key_results: []\n",
    )
    refused = bad.run("validate", "--json")
    assert refused.exit_code == 1, refused
    problems = refused.json["problems"]
    assert refused.json["valid"] is False and len(problems) >= 2
    assert {(p["line"], p["level"]) for p in problems} >= {(2, "error"), (4, "error")}
    assert all(p["file"].endswith("team.yaml") for p in problems)


def test_apply_evaluates_as_of_the_instant_it_is_given(
    fresh_site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, fresh_site.url)
    applied = workspace.run("apply", "--as-of", "2027-02-01")
    assert applied.exit_code == 0, applied
    # The values of the end of Feb 1 in Berlin: OKR-12's field shows 59.4 (DATASET.md).
    assert fresh_site.state.get("OKR-12").custom["customfield_10100"] == 59.4
    (as_of,) = workspace.sql("SELECT as_of FROM runs WHERE command = 'apply'")[0]
    assert str(as_of).startswith("2027-02-01 22:59:59")
    saved = workspace.run("apply", "--plan", str(tmp_path / "plan.json"), "--as-of", "2027-02-01")
    assert saved.exit_code == 1 and "--as-of does not go with --plan" in saved.stderr
