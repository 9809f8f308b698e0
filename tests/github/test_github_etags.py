"""ETags outlive the process: a second `okrsync pull`, in a process of its own, re-reads
the unchanged search pages with If-None-Match, gets 304s (which cost no quota) and
stores the same items as the first."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from github_cli import GitHubWorkspace
from github_site import github_site
from okrsync_github_sandbox import TOKEN

from okrsync.store import Store

QUERY = "repo:acme/shop-app is:issue label:checkout"
MAPPING = f"""\
version: 1
cycle: 2027-Q1
objectives:
  - id: checkout
    title: Checkout
    key_results:
      - id: shipped
        title: Checkout work shipped
        measure: completion
        select: {{source: github, query: '{QUERY}'}}
        target: 100
"""


def pull_in_a_process(workspace: GitHubWorkspace) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "--config", str(workspace.config), "pull"],
        env={**os.environ, "GITHUB_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr


def stored(workspace: GitHubWorkspace) -> tuple[list[object], int]:
    with Store.open(f"sqlite:///{workspace.db}") as store:
        return store.items_for("github", QUERY), len(store.kept_answers("github", QUERY))


def test_a_second_process_re_reads_the_search_with_its_etags(tmp_path: Path) -> None:
    with github_site() as github:
        workspace = GitHubWorkspace(tmp_path, github)
        workspace.use_mapping(MAPPING)
        pull_in_a_process(workspace)
        first, kept = stored(workspace)
        # Seven members fit one search page (per_page 100): one answer kept.
        assert (len(first), kept) == (7, 1)
        # A day later the members are listed in full again, by a new process.
        with Store.open(f"sqlite:///{workspace.db}") as store:
            swept = store.members_swept_at("github", QUERY)
            assert swept is not None
            store.record_members_swept("github", QUERY, swept - timedelta(days=2))
        github.log.clear()
        remaining = github.state.budget.remaining
        pull_in_a_process(workspace)
        searches = [e for e in github.log.entries() if e.path == "/search/issues"]
        again, kept = stored(workspace)
    assert [(e.conditional, e.status) for e in searches] == [(True, 304)]
    # Only the GraphQL requests (the project, one batch of issues) cost quota.
    graphql = [e for e in github.log.entries() if e.path == "/graphql"]
    assert remaining - github.state.budget.remaining == len(graphql) == 2
    assert again == first
    assert kept == 1
