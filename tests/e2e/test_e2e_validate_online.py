"""``okrsync validate --online`` against the sandbox over real HTTP, Cloud and Data
Center: every query runs, every field a measure reads exists, every push issue exists
and every push field is a number field on it; each problem at FILE:LINE:COL with Jira's
own words. Nothing is written to Jira, and nothing to the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_harness import TOKEN_VAR, Workspace, sandbox_site
from okrsync_sandbox import PAT, SandboxServer
from typer.testing import CliRunner

from okrsync.cli import app

MAPPING = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: checkout
    title: Checkout
    key_results:
      - id: typo-in-query
        title: A typo in the query
        select: {query: project = SHOP AND statuss = Done}
        measure: completion
        weight_by: Team Size
        push: [{to: jira, issue: OKR-999, field: KR Progress, comment: true}]
      - id: wrong-fields
        title: Fields that are not there
        select: {query: project = SHOP}
        measure: {sum: Story Points}
        target: 40
        push:
          - {to: jira, issue: OKR-12, field: KR Progres}
          - {to: jira, issue: OKR-3, field: Summary}
"""


def expected(file: Path, api: str) -> list[str]:
    # Positions counted by hand in MAPPING; the messages are Jira's (the sandbox's) own.
    return [
        f"{file}:10:25: error: jira: Jira rejected the query: Field 'statuss' does not exist "
        "or you do not have permission to view it.",
        f"{file}:12:20: error: jira: Jira has no field named 'Team Size'; check the spelling, "
        "or use its id (customfield_NNNNN) from Jira's field settings",
        # Only the issue is reported: its field is not worth asking about.
        f"{file}:13:34: error: jira: Jira has nothing at /rest/api/{api}/issue/OKR-999; check "
        "the key, id or url, and that the account can see it (Issue does not exist or you "
        "do not have permission to see it.)",
        f"{file}:20:46: error: jira: Jira has no field named 'KR Progres'; similar fields: "
        "'KR Progress' (customfield_10100)",
        f"{file}:21:45: error: jira: field 'Summary' (summary) is a string field, but okrsync "
        "writes numbers: choose a number field for KR 'wrong-fields'",
    ]


@pytest.mark.parametrize(("deployment", "api"), [("Cloud", "3"), ("Server", "2")])
def test_online_validation_reports_what_only_the_tool_knows(
    tmp_path: Path, deployment: Any, api: str
) -> None:
    with sandbox_site(deployment=deployment) as site:
        workspace = Workspace(tmp_path, site.url)
        file = workspace.use_mapping("checkout.yaml", MAPPING)
        if deployment != "Cloud":
            workspace.write_config(email=None, token=PAT)

        offline = workspace.run("validate")
        assert offline.exit_code == 0, offline  # the file itself is valid
        assert len(site.log) == 0

        online = workspace.run("validate", "--online")
        assert online.exit_code == 1, online
        assert online.stdout.splitlines() == expected(file, api)
        assert online.stderr.strip() == "5 problems found"
        assert len(site.log) > 0 and site.writes == []
        assert {entry.method for entry in site.log} <= {"GET", "POST"}
    assert not workspace.db.exists()  # the store was never opened


def test_online_validation_of_the_examples_passes_without_a_write(
    workspace: Workspace, site: SandboxServer
) -> None:
    site.reset_log()
    outcome = workspace.run("validate", "--online")
    assert outcome.exit_code == 0, outcome
    assert outcome.stdout.strip() == (
        "ok: 3 mapping files, 4 objectives, 11 key results, checked against the tools"
    )
    asked = {(entry.method, entry.path) for entry in site.log}
    assert ("POST", "/rest/api/3/search/jql") in asked  # the queries ran
    assert ("GET", "/rest/api/3/issue/OKR-12") in asked  # a push issue was looked up
    assert site.writes == []
    assert not workspace.db.exists()


def test_online_validation_needs_the_secret(workspace: Workspace, site: SandboxServer) -> None:
    site.reset_log()
    command = ["--config", str(workspace.config), "validate", "--online"]
    result = CliRunner().invoke(app, command, env={TOKEN_VAR: None})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: connector 'jira' cannot be opened: environment variable {TOKEN_VAR} is not "
        f"set (used by 'connectors.jira.token') at {workspace.config}:9:12; set it and run "
        "again"
    ]
    assert len(site.log) == 0
