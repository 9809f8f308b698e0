"""Jira Cloud's per-issue write limits (20 writes per 2 s, 100 per 30 s), enforced by the
sandbox over real HTTP: okrsync's client spaces its writes to one issue so that it is
never refused, and waits out the refusals of a stricter site.

The sandbox counts on the clock the HTTP layer waits on (``waits.monotonic``), so the
waits pass at once and the test takes no wall-clock time to cover 30 seconds."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from faults_harness import Waits
from okrsync_jira import JiraClient
from okrsync_sandbox import IssueWriteLimit, SandboxServer


def settings(jira: SandboxServer) -> dict[str, Any]:
    email, token = jira.auth
    return {"type": "jira", "url": jira.url, "email": email, "token": token}


def property_path(issue: str, n: int) -> str:
    return f"/rest/api/3/issue/{issue}/properties/p{n}"


async def write_properties(jira: SandboxServer, writes: list[tuple[str, int]]) -> None:
    """All the writes at once, as concurrent as the client allows."""
    async with JiraClient.from_mapping(settings(jira)) as client:
        await asyncio.gather(*(client.put(property_path(i, n), {"n": n}) for i, n in writes))


def test_the_site_refuses_a_21st_write_to_one_issue_within_2_seconds(
    jira: SandboxServer, waits: Waits
) -> None:
    limit = IssueWriteLimit(clock=waits.monotonic)
    jira.state.issue_write_limit = limit
    with httpx.Client(base_url=jira.url, auth=jira.auth) as http:
        statuses = [http.put(property_path("OKR-12", n), json=n).status_code for n in range(21)]
        other = http.put(property_path("OKR-9", 0), json=0)
        read = http.get(property_path("OKR-12", 0))
        # The same issue by its id counts against the same limit.
        by_id = http.put(f"/rest/api/3/issue/{jira.state.get('OKR-12').id}/properties/x", json=1)
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 429
    assert (other.status_code, read.status_code, by_id.status_code) == (201, 200, 429)
    assert by_id.headers["RateLimit-Reason"] == "jira-per-issue-on-write"
    assert 1 <= int(by_id.headers["Retry-After"]) <= 2
    assert limit.refused == 2


def test_okrsync_never_goes_over_the_per_issue_limits(jira: SandboxServer, waits: Waits) -> None:
    limit = IssueWriteLimit(clock=waits.monotonic)  # Cloud's: 20 / 2 s and 100 / 30 s
    jira.state.issue_write_limit = limit
    # 105 writes to OKR-12, and 10 to other issues among them.
    writes = [("OKR-12", n) for n in range(105)] + [(f"OKR-{n}", n) for n in range(1, 11)]

    start = waits.monotonic()
    asyncio.run(write_properties(jira, writes))

    assert limit.refused == 0
    assert [entry.status for entry in jira.writes] == [201] * 115
    assert jira.state.get("OKR-12").properties["p104"] == {"n": 104}
    # The 101st write to OKR-12 had to wait for the first to leave the 30 s window.
    assert waits.monotonic() - start > 30.0


def test_a_stricter_site_is_waited_out_through_its_retry_after(
    jira: SandboxServer, waits: Waits
) -> None:
    # Five writes per 2 s: okrsync's own pacing allows 20, so the site refuses some.
    limit = IssueWriteLimit(((5, 2.0),), clock=waits.monotonic)
    jira.state.issue_write_limit = limit

    asyncio.run(write_properties(jira, [("OKR-12", n) for n in range(12)]))

    assert limit.refused > 0
    statuses = [entry.status for entry in jira.writes]
    assert statuses.count(429) == limit.refused
    # Every write was made exactly once, after waiting as long as the site asked.
    made = [entry.path for entry in jira.writes if entry.status == 201]
    assert sorted(made) == sorted(property_path("OKR-12", n) for n in range(12))
    assert 2.0 in waits.sleeps
