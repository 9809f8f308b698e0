"""Titles, queries and Jira's words are shown as written: square brackets and colons in
them are text, never Rich markup or emoji codes (a stray '[/]' used to crash explain)."""

from __future__ import annotations

from pathlib import Path

from e2e_harness import Workspace
from okrsync_sandbox import SandboxServer

TITLE = "Ship [bold red]beta[/] :x: checkout [/]"
MAPPING = f"""\
version: 1
cycle: 2027-Q1
defaults: {{source: jira}}
objectives:
  - id: faster-checkout
    title: "Shoppers [want] it :smile:"
    key_results:
      - id: ship-one-click
        title: "{TITLE}"
        select: {{query: "parent = SHOP-100"}}
        measure: completion
"""


def test_bracketed_and_coloned_text_is_shown_as_written(
    site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", MAPPING)

    plan = workspace.run("plan", "--json")  # pulls first
    assert plan.exit_code in (0, 2), plan
    assert plan.json["key_results"][0]["title"] == TITLE

    explained = workspace.run("explain", "ship-one-click")
    assert explained.exit_code == 0, explained
    assert explained.stdout.startswith(f"ship-one-click — {TITLE}")
    assert "❌" not in explained.stdout
