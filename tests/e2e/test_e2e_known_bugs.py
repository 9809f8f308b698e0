"""Bugs found end to end that belong to other parts of the project: kept as strict
expected failures while open, so that a fix is noticed; kept as plain tests once fixed,
so that they stay fixed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from okrsync_sandbox import SandboxServer, build_dataset


def test_updated_is_compared_at_the_precision_jira_shows() -> None:
    """Fixed: the sandbox kept the clock's microseconds while Jira keeps milliseconds,
    so `updated > <the issue's own updated in epoch ms>` still matched the issue and
    incremental pulls re-read it."""
    state = build_dataset(date(2027, 1, 1))
    state.clock = lambda: datetime(2027, 2, 16, 16, 0, 0, 123456, tzinfo=UTC)
    with SandboxServer(state) as jira, httpx.Client(base_url=jira.url, auth=jira.auth) as http:
        state.transition("SHOP-113", "Done")
        shown = http.get("/rest/api/3/issue/SHOP-113", params={"fields": "updated"}).json()
        assert shown["fields"]["updated"] == "2027-02-16T16:00:00.123+0000"
        millis = int(datetime(2027, 2, 16, 16, 0, 0, 123000, tzinfo=UTC).timestamp() * 1000)
        jql = f"key = SHOP-113 AND updated > {millis}"
        found = http.post("/rest/api/3/search/jql", json={"jql": jql, "fields": ["key"]})
        assert found.json()["issues"] == []
