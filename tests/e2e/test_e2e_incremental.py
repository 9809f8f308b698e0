"""``okrsync pull`` is incremental: after the first run, only what changed is re-read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from e2e_harness import CHANGELOG_BULKFETCH, ISSUE_BULKFETCH, SEARCH, Workspace
from okrsync_sandbox import SandboxServer

ONE_QUERY = (Path(__file__).parents[1] / "data" / "one_click_kr.yaml").read_text()
SHOP_113 = "10014"  # its issue id (DATASET.md)
SHOP_116 = "10017"


def one_query_workspace(folder: Path, jira: SandboxServer, overlap: str) -> Workspace:
    workspace = Workspace(folder, jira.url)
    workspace.use_mapping("checkout.yaml", ONE_QUERY)
    workspace.write_config(extra=f"    overlap: {overlap}\n")
    return workspace


def requests_by_path(jira: SandboxServer) -> Counter[tuple[str, str]]:
    return Counter((entry.method, entry.path) for entry in jira.log)


def bodies(jira: SandboxServer, path: str) -> list[list[str]]:
    return [entry.body["issueIdsOrKeys"] for entry in jira.log.entries("POST", path)]


def value_of(workspace: Workspace) -> float:
    outcome = workspace.run("plan", "--no-pull", "--json")
    assert outcome.exit_code in (0, 2), outcome
    (kr,) = outcome.json["key_results"]
    return float(kr["value"])


def test_a_second_pull_reads_only_the_issue_that_changed(
    fresh_site: SandboxServer, tmp_path: Path
) -> None:
    # Without an overlap window, exactly the changed issue is re-read.
    workspace = one_query_workspace(tmp_path, fresh_site, "0s")
    first = workspace.run("pull")
    assert first.exit_code == 0, first
    assert first.stdout.strip() == "pulled 9 changed items (1 query, 7 requests)"
    # parent = SHOP-100: 103, 104, 105, 106, 108, 111, 112, 113, 116; 7 done.
    assert value_of(workspace) == pytest.approx(7 / 9 * 100)

    fresh_site.state.transition("SHOP-113", "Done")
    fresh_site.reset_log()
    second = workspace.run("pull")

    assert second.exit_code == 0, second
    assert bodies(fresh_site, ISSUE_BULKFETCH) == [[SHOP_113]]
    assert bodies(fresh_site, CHANGELOG_BULKFETCH) == [[SHOP_113]]
    assert requests_by_path(fresh_site) == {
        ("GET", "/rest/api/3/field"): 1,  # the field catalog, once per run
        ("GET", "/rest/api/3/status"): 1,
        ("POST", SEARCH): 1,  # the issues updated since the cursor
        # The members are counted, not listed again: the count equals the stored
        # members plus the new ones, so none left the query.
        ("POST", "/rest/api/3/search/approximate-count"): 1,
        ("POST", ISSUE_BULKFETCH): 1,
        ("POST", CHANGELOG_BULKFETCH): 1,
        ("GET", "/rest/agile/1.0/board"): 1,  # the sprints of SHOP's board
        ("GET", "/rest/agile/1.0/board/1/sprint"): 1,
    }
    assert second.stdout.strip() == "pulled 1 changed item (1 query, 8 requests)"
    assert fresh_site.writes == []
    assert value_of(workspace) == pytest.approx(8 / 9 * 100)

    # Nothing changed since: nothing is fetched at all.
    fresh_site.reset_log()
    third = workspace.run("pull")
    assert third.exit_code == 0, third
    assert fresh_site.log.count("POST", ISSUE_BULKFETCH) == 0
    assert fresh_site.log.count("POST", CHANGELOG_BULKFETCH) == 0
    assert value_of(workspace) == pytest.approx(8 / 9 * 100)


def test_the_overlap_window_also_rereads_what_changed_just_before_the_cursor(
    fresh_site: SandboxServer, tmp_path: Path
) -> None:
    """The default 5-minute overlap (for Jira's search index lag) re-reads the issues
    updated in the 5 minutes before the cursor too: here SHOP-116, whose update at
    A+46d 15:00 is the newest seeded one, so it set the cursor."""
    workspace = one_query_workspace(tmp_path, fresh_site, "5m")
    assert workspace.run("pull").exit_code == 0
    fresh_site.state.transition("SHOP-113", "Done")
    fresh_site.reset_log()

    second = workspace.run("pull")

    assert second.exit_code == 0, second
    (fetched,) = bodies(fresh_site, ISSUE_BULKFETCH)
    assert sorted(fetched) == [SHOP_113, SHOP_116]
    assert sorted(bodies(fresh_site, CHANGELOG_BULKFETCH)[0]) == [SHOP_113, SHOP_116]
    assert len(fresh_site.log) == 8
    assert value_of(workspace) == pytest.approx(8 / 9 * 100)


def test_every_query_of_the_examples_rereads_only_the_changed_issue(
    fresh_site: SandboxServer, tmp_path: Path
) -> None:
    """Ten queries: a search and a count each; the changed issue is fetched by each query that
    matches it (parent = SHOP-100, with and without issuetype = Story; project =
    SHOP, with and without issuetype = Story) and by no other."""
    workspace = Workspace(tmp_path, fresh_site.url)
    workspace.write_config(extra="    overlap: 0s\n")
    assert workspace.run("pull").exit_code == 0
    fresh_site.state.transition("SHOP-113", "Done")
    fresh_site.reset_log()

    second = workspace.run("pull")

    assert second.exit_code == 0, second
    assert bodies(fresh_site, ISSUE_BULKFETCH) == [[SHOP_113]] * 4
    assert bodies(fresh_site, CHANGELOG_BULKFETCH) == [[SHOP_113]] * 4
    assert fresh_site.log.count("POST", SEARCH) == 10
    assert fresh_site.log.count("POST", "/rest/api/3/search/approximate-count") == 10
    # The catalog (2) and the boards and sprints of SHOP and PAY (2 each).
    assert len(fresh_site.log) == 20 + 4 + 4 + 2 + 4
