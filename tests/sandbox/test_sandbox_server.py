"""Lifecycle, authentication and the request log."""

from __future__ import annotations

import base64
import subprocess
import sys

import httpx
import pytest
from okrsync_sandbox import ANA_EMAIL, ANA_TOKEN, FIXED_ANCHOR, SandboxServer


def test_serves_on_loopback_and_stops_cleanly() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR) as server:
        assert server.url.startswith("http://127.0.0.1:")
        url = server.url
        assert httpx.get(f"{url}/rest/api/3/myself", auth=server.auth).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/rest/api/3/myself", auth=server.auth)


def test_two_servers_get_different_ports() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR) as one, SandboxServer(anchor=FIXED_ANCHOR) as two:
        assert one.url != two.url


def test_basic_auth_with_api_token(client: httpx.Client) -> None:
    me = client.get("/rest/api/3/myself").json()
    assert me["emailAddress"] == "okr-bot@example.com"
    assert me["accountId"] == "61a0b0c0d0e0f00000000001"


def test_other_configured_user(site: SandboxServer) -> None:
    me = httpx.get(f"{site.url}/rest/api/3/myself", auth=(ANA_EMAIL, ANA_TOKEN)).json()
    assert me["displayName"] == "Ana Lima"


def test_bearer_personal_access_token(site: SandboxServer) -> None:
    headers = {"Authorization": f"Bearer {site.pat}"}
    assert httpx.get(f"{site.url}/rest/api/3/myself", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic " + base64.b64encode(b"okr-bot@example.com:wrong").decode()},
        {
            "Authorization": "Basic "
            + base64.b64encode(b"ana@example.com:sandbox-api-token").decode()
        },
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Bearer sandbox-api-token"},
    ],
)
def test_wrong_or_missing_credentials_get_401(site: SandboxServer, headers: dict[str, str]) -> None:
    response = httpx.get(f"{site.url}/rest/api/3/search/jql?jql=project=SHOP", headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "errorMessages": ["Client must be authenticated to access this resource."],
        "errors": {},
    }


def test_unknown_path_is_a_jira_404(client: httpx.Client) -> None:
    response = client.get("/rest/api/3/nothing-here")
    assert response.status_code == 404
    assert response.json()["errorMessages"][0].startswith("null for uri: ")


def test_request_log_records_method_path_query_body_and_status(
    site: SandboxServer, client: httpx.Client
) -> None:
    client.get("/rest/api/3/search/jql", params={"jql": "project = SHOP", "fields": "key"})
    client.post("/rest/api/3/issue/bulkfetch", json={"issueIdsOrKeys": ["SHOP-100"]})
    client.put("/rest/api/3/issue/OKR-12", json={"fields": {"customfield_10100": 50}})
    client.get("/rest/api/3/issue/NOPE-1")
    entries = site.log.entries()
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/rest/api/3/search/jql", 200),
        ("POST", "/rest/api/3/issue/bulkfetch", 200),
        ("PUT", "/rest/api/3/issue/OKR-12", 204),
        ("GET", "/rest/api/3/issue/NOPE-1", 404),
    ]
    assert entries[0].params == {"jql": "project = SHOP", "fields": "key"}
    assert entries[1].body == {"issueIdsOrKeys": ["SHOP-100"]}
    assert entries[2].account_id == "61a0b0c0d0e0f00000000001"
    assert entries[0].at <= entries[3].at
    assert site.log.count("GET") == 2
    assert site.log.count("GET", "/rest/api/3/issue/") == 1
    assert site.log.count(path_prefix="/rest/api/3/search") == 1
    # A POST that fetches is not a write; the PUT is.
    assert [(w.method, w.path) for w in site.writes] == [("PUT", "/rest/api/3/issue/OKR-12")]
    site.reset_log()
    assert len(site.log) == 0
    assert site.writes == []


def test_standalone_module_serves_until_stopped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "okrsync_sandbox", "--port", "0", "--seed-anchor", "2027-04-01"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Jira sandbox at http://127.0.0.1:")
        url = line.split(" at ")[1].strip()
        issue = httpx.get(
            f"{url}/rest/api/3/issue/SHOP-100",
            params={"fields": "created"},
            auth=("okr-bot@example.com", "sandbox-api-token"),
        ).json()
        # Created 30 days before the anchor, at 10:00 UTC.
        assert issue["fields"]["created"] == "2027-03-02T10:00:00.000+0000"
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
