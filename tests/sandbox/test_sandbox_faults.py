"""Injected faults fire the set number of times, then the sandbox recovers."""

from __future__ import annotations

import time

import httpx
import pytest
from okrsync_sandbox import SandboxServer

MYSELF = "/rest/api/3/myself"
SEARCH = "/rest/api/3/search/jql"


def test_rate_limit_with_retry_after(site: SandboxServer, client: httpx.Client) -> None:
    site.faults.rate_limit(SEARCH, times=2, retry_after=5)
    first = client.get(SEARCH, params={"jql": "project = SHOP"})
    second = client.get(SEARCH, params={"jql": "project = SHOP"})
    third = client.get(SEARCH, params={"jql": "project = SHOP"})
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["Retry-After"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "0"
    assert first.headers["RateLimit-Reason"] == "jira-burst-based"
    assert "X-RateLimit-Reset" in first.headers
    assert [e.fault for e in site.log.entries(path_prefix=SEARCH)] == [
        "rate_limit",
        "rate_limit",
        None,
    ]


def test_rate_limit_with_zero_and_without_retry_after(
    site: SandboxServer, client: httpx.Client
) -> None:
    site.faults.rate_limit(MYSELF, retry_after=0)
    site.faults.rate_limit(MYSELF, retry_after=None, reason="jira-quota-tenant-based")
    zero = client.get(MYSELF)
    none = client.get(MYSELF)
    assert (zero.status_code, zero.headers["Retry-After"]) == (429, "0")
    assert none.status_code == 429
    assert "Retry-After" not in none.headers
    assert none.headers["RateLimit-Reason"] == "jira-quota-tenant-based"
    assert client.get(MYSELF).status_code == 200


def test_server_error_burst_then_recovery(site: SandboxServer, client: httpx.Client) -> None:
    rule = site.faults.server_error("/rest/api/3/issue/", times=3, status=503)
    statuses = [client.get("/rest/api/3/issue/SHOP-104").status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]
    assert (rule.fired, rule.remaining) == (3, 0)
    assert site.faults.pending() == []


def test_gateway_errors_are_html_and_500_is_json(site: SandboxServer, client: httpx.Client) -> None:
    site.faults.server_error(MYSELF, status=502)
    site.faults.server_error(MYSELF, status=500)
    gateway = client.get(MYSELF)
    internal = client.get(MYSELF)
    assert gateway.status_code == 502
    assert gateway.headers["Content-Type"].startswith("text/html")
    assert internal.status_code == 500
    assert internal.json()["errorMessages"] == ["Internal server error."]


def test_dropped_connection_then_recovery(site: SandboxServer, client: httpx.Client) -> None:
    site.faults.drop("/rest/api/3/issue/bulkfetch", method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/rest/api/3/issue/bulkfetch", json={"issueIdsOrKeys": ["SHOP-104"]})
    again = client.post("/rest/api/3/issue/bulkfetch", json={"issueIdsOrKeys": ["SHOP-104"]})
    assert again.status_code == 200
    dropped, answered = site.log.entries(path_prefix="/rest/api/3/issue/bulkfetch")
    assert (dropped.status, dropped.fault) == (None, "drop")
    assert answered.status == 200


def test_rules_match_method_and_path_prefix(site: SandboxServer, client: httpx.Client) -> None:
    rule = site.faults.server_error("/rest/api/3/issue/", method="PUT", status=500)
    assert client.get("/rest/api/3/issue/SHOP-104").status_code == 200
    assert client.get(MYSELF).status_code == 200
    assert rule.fired == 0
    response = client.put("/rest/api/3/issue/OKR-12", json={"fields": {"customfield_10100": 1}})
    assert response.status_code == 500
    # The faulted write never reached the site.
    assert site.state.get("OKR-12").custom.get("customfield_10100") is None


def test_faults_fire_before_authentication(site: SandboxServer) -> None:
    site.faults.rate_limit(MYSELF)
    assert httpx.get(f"{site.url}{MYSELF}").status_code == 429
    assert httpx.get(f"{site.url}{MYSELF}").status_code == 401


def test_latency_rules_and_global_latency(site: SandboxServer, client: httpx.Client) -> None:
    site.faults.slow(MYSELF, seconds=0.2)
    started = time.monotonic()
    assert client.get(MYSELF).status_code == 200
    slowed = time.monotonic() - started
    assert slowed >= 0.2
    site.latency = 0.15
    started = time.monotonic()
    client.get("/rest/api/3/field")
    assert time.monotonic() - started >= 0.15
    assert site.state.latency == 0.15


def test_clear_removes_every_rule(site: SandboxServer, client: httpx.Client) -> None:
    site.faults.rate_limit(times=10)
    assert len(site.faults) == 1
    site.faults.clear()
    assert client.get(MYSELF).status_code == 200
