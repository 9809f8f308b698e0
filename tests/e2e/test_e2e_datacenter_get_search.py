"""A Data Center site (or a proxy in front of it) that refuses ``POST
/rest/api/2/search`` with 405 is searched with ``GET`` instead: the same scores and
writes as through the POST, and one warning for the whole run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import EXAMPLE_KR_IDS, Workspace, sandbox_site
from okrsync_sandbox import PAT

SEARCH = "/rest/api/2/search"


def sync_then_plan(
    tmp_path: Path, name: str, absent_apis: set[str]
) -> tuple[dict[str, Any], int, list[Any]]:
    """Scores after one sync on a Data Center site, its write count, and its log."""
    with sandbox_site(deployment="Server") as site:
        site.absent_apis = absent_apis
        folder = tmp_path / name
        folder.mkdir()
        workspace = Workspace(folder, site.url)
        workspace.write_config(email=None, token=PAT)
        synced = workspace.run("sync")
        assert synced.exit_code == 0, synced
        again = workspace.run("plan", "--json")
        assert again.exit_code == 0, again  # nothing left to push
        scores = {
            kr["id"]: (kr["value"], kr["progress"], kr["status"], _without_links(kr["evidence"]))
            for kr in again.json["key_results"]
        }
        return scores, len(site.writes), list(site.log)


def _without_links(evidence: dict[str, Any]) -> dict[str, Any]:
    """The evidence without each item's link, which names the site's (random) port."""
    items = [{k: v for k, v in item.items() if k != "url"} for item in evidence["items"]]
    return {**evidence, "items": items}


def test_a_refused_post_search_is_sent_as_a_get(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    posted, posted_writes, posted_log = sync_then_plan(tmp_path, "post", set())
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        got, got_writes, got_log = sync_then_plan(tmp_path, "get", {f"POST {SEARCH}"})

    assert sorted(got) == sorted(EXAMPLE_KR_IDS)
    assert got == posted
    assert got_writes == posted_writes == 10
    # The POST path searched by POST alone; the other learnt the refusal, then used GET.
    assert {(e.method, e.status) for e in posted_log if e.path == SEARCH} == {("POST", 200)}
    refused = [e for e in got_log if e.path == SEARCH and e.method == "POST"]
    assert refused and all(e.status == 405 for e in refused)
    gets = [e for e in got_log if e.path == SEARCH and e.method == "GET"]
    assert gets and all(e.status == 200 for e in gets)
    # The JQL went into the URL.
    assert all(e.query["jql"][0].strip() for e in gets)
    warnings = [r.getMessage() for r in caplog.records if "refuses POST" in r.getMessage()]
    # One per run (sync, then plan): each run opens its own client and learns it once.
    assert (
        warnings
        == [
            f"jira: the Jira site refuses POST {SEARCH} (405); okrsync searches with GET "
            "instead, the query in the URL"
        ]
        * 2
    )


def test_the_get_search_pages_like_the_post(tmp_path: Path) -> None:
    """A search larger than one page (Data Center serves at most 1,000 issues a page):
    every page by GET, each issue counted once."""
    with sandbox_site(deployment="Server", extra_issues=1500) as site:
        site.absent_apis = {f"POST {SEARCH}"}
        workspace = Workspace(tmp_path, site.url)
        workspace.use_mapping(
            "all.yaml",
            "version: 1\ncycle: 2027-Q1\ndefaults: {source: jira}\nobjectives:\n"
            "  - id: everything\n    title: Everything\n    key_results:\n"
            "      - id: all-issues\n        title: All issues\n"
            "        select: {query: project = BULK}\n        measure: count\n"
            "        target: 5000\n",
        )
        workspace.write_config(email=None, token=PAT)
        pulled = workspace.run("pull")
        assert pulled.exit_code == 0, pulled
        planned = workspace.run("plan", "--json", "--no-pull")
        gets = [e for e in site.log if e.path == SEARCH and e.method == "GET"]
    (kr,) = planned.json["key_results"]
    # The first pull walks the query with histories, 100 issues a page: 15 pages, the
    # ones after the first asked for together once the first gave the total.
    walk = [e for e in gets if e.query["jql"] == ["project = BULK ORDER BY created ASC, key ASC"]]
    assert sorted(int(e.query["startAt"][0]) for e in walk) == list(range(0, 1500, 100))
    assert all(e.query["maxResults"] == ["100"] for e in walk)
    assert all(e.query["expand"] == ["changelog"] for e in walk)
    assert all("customfield_10016" in e.query["fields"][0].split(",") for e in walk)
    assert kr["value"] == 1500  # BULK-1..1500, every one created before the present
