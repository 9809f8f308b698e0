"""The pycontribs ``jira`` library, in its Server/Data Center mode, against the sandbox's
Data Center mode: an independent client that knows how Data Center speaks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jira import JIRA
from okrsync_sandbox import PAT, SandboxServer, build_dataset
from sandbox_times import ANCHOR, NOW


@pytest.fixture(scope="module")
def dc() -> Iterator[SandboxServer]:
    state = build_dataset(ANCHOR.date(), deployment="Server")
    state.clock = lambda: NOW
    with SandboxServer(state) as server:
        yield server


@pytest.fixture(scope="module")
def client(dc: SandboxServer) -> Iterator[JIRA]:
    connection = JIRA(server=dc.url, token_auth=PAT, get_server_info=True, max_retries=0)
    yield connection
    connection.close()


def test_it_recognises_a_server_site(client: JIRA) -> None:
    assert client.server_info()["deploymentType"] == "Server"
    assert not client._is_cloud
    assert client._version[0] == 9


def test_search_walks_the_offset_pages(client: JIRA, dc: SandboxServer) -> None:
    dc.reset_log()
    issues = client.search_issues("project = SHOP ORDER BY key", maxResults=False, fields="key")
    assert [i.key for i in issues] == [f"SHOP-{n}" for n in range(100, 117)]
    assert issues.total == 17
    assert dc.log.count(path_prefix="/rest/api/2/search") >= 1
    assert dc.log.count(path_prefix="/rest/api/3/") == 0


def test_reads_epic_link_sprints_and_wiki_comments(client: JIRA) -> None:
    issue = client.issue("SHOP-104")
    assert issue.fields.customfield_10014 == "SHOP-100"
    assert not hasattr(issue.fields, "parent")
    assert all("Sprint@" in s for s in issue.fields.customfield_10020)
    comments = client.comments("SHOP-104")
    assert [c.author.name for c in comments] == ["chen", "ana"]
    assert comments[1].body == "Design approved, ready for review."


def test_writes_a_wiki_comment(client: JIRA, dc: SandboxServer) -> None:
    added = client.add_comment("OKR-11", "*Done* at last")
    assert added.body == "*Done* at last"
    assert dc.state.get("OKR-11").comments[-1].body == "*Done* at last"
