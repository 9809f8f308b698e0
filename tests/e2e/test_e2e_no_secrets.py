"""Commands that need no network need no secrets: after a sync made with the token set,
``status``, ``explain``, ``history``, ``runs``, ``report``, ``schema`` and ``validate``
work with it unset, send nothing to Jira and write nothing to the store's ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import TOKEN_VAR, Outcome, Workspace, assert_no_secret
from okrsync_sandbox import SandboxServer
from typer.testing import CliRunner

from okrsync.cli import app


def without_token(workspace: Workspace, *args: str) -> Outcome:
    """``okrsync --config okrsync.yaml ARGS`` with the token variable unset."""
    command = ["--config", str(workspace.config), *args]
    result = CliRunner().invoke(app, command, env={TOKEN_VAR: None})
    outcome = Outcome(args, result.exit_code, result.stdout, result.stderr, result.exception)
    assert_no_secret(outcome)
    return outcome


@pytest.fixture(scope="module")
def synced(workspace: Workspace, site: SandboxServer) -> Workspace:
    outcome = workspace.run("sync")
    assert outcome.exit_code == 0, outcome
    return workspace


def ledger(workspace: Workspace) -> list[tuple[object, ...]]:
    return workspace.sql("SELECT * FROM writes ORDER BY id")


@pytest.mark.parametrize(
    ("args", "shows"),
    [
        (("status",), "ship-one-click"),
        (("status", "--json"), '"as_of"'),
        (("explain", "ship-one-click"), "SHOP-"),
        (("history", "ship-one-click"), "ship-one-click"),
        (("runs",), "sync"),
        (("schema",), '"objectives"'),
        (("validate",), "ok: 3 mapping files, 4 objectives, 11 key results"),
    ],
)
def test_a_command_without_network_runs_without_the_token(
    synced: Workspace, site: SandboxServer, args: tuple[str, ...], shows: str
) -> None:
    before = ledger(synced)
    runs_before = synced.sql("SELECT count(*) FROM runs")
    site.reset_log()

    outcome = without_token(synced, *args)

    assert outcome.exit_code == 0, outcome
    assert shows in outcome.stdout
    assert len(site.log) == 0 and site.writes == []
    assert ledger(synced) == before and len(before) == 10
    assert synced.sql("SELECT count(*) FROM runs") == runs_before


def test_validate_notes_the_variable_on_stderr(synced: Workspace) -> None:
    outcome = without_token(synced, "validate")
    assert outcome.exit_code == 0, outcome
    # The token is line 9 of the harness's config (after the email), its value at column 12.
    assert outcome.stderr.splitlines() == [
        f"{synced.config}:9:12: note: environment variable {TOKEN_VAR} is not set "
        "(used by 'connectors.jira.token')"
    ]


def test_report_writes_its_file_without_the_token(
    synced: Workspace, site: SandboxServer, tmp_path: Path
) -> None:
    site.reset_log()
    page = tmp_path / "okrs.html"
    outcome = without_token(synced, "report", "--out", str(page))
    assert outcome.exit_code == 0, outcome
    assert "ship-one-click" in page.read_text()
    assert len(site.log) == 0
    assert len(ledger(synced)) == 10


def test_a_command_that_opens_jira_names_the_missing_variable(
    synced: Workspace, site: SandboxServer
) -> None:
    site.reset_log()
    before = ledger(synced)
    outcome = without_token(synced, "sync")
    assert outcome.exit_code == 1, outcome
    assert outcome.stderr.splitlines()[0] == (
        f"error: connector 'jira' cannot be opened: environment variable {TOKEN_VAR} is not "
        f"set (used by 'connectors.jira.token') at {synced.config}:9:12; set it and run again"
    )
    assert len(site.log) == 0
    assert ledger(synced) == before
