"""The pycontribs ``jira`` library, an independent client, works against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jira import JIRA
from okrsync_sandbox import SandboxServer


@pytest.fixture(scope="module")
def client(jira: SandboxServer) -> Iterator[JIRA]:
    connection = JIRA(
        server=jira.url,
        basic_auth=jira.auth,
        options={"rest_api_version": "3"},
        get_server_info=True,
        max_retries=0,
    )
    yield connection
    connection.close()


def test_it_recognises_a_cloud_site(client: JIRA) -> None:
    info = client.server_info()
    assert info["deploymentType"] == "Cloud"
    assert client._is_cloud


def test_enhanced_search_fetches_every_page(client: JIRA, jira: SandboxServer) -> None:
    jira.reset_log()
    issues = client.enhanced_search_issues(
        "project = SHOP ORDER BY key", maxResults=0, fields="summary,status"
    )
    assert [i.key for i in issues] == [f"SHOP-{n}" for n in range(100, 117)]
    assert issues[4].fields.summary == "One-click button on product page"
    assert issues[4].fields.status.name == "Done"
    assert jira.log.count("GET", "/rest/api/3/search/jql") >= 1
    assert jira.log.count(path_prefix="/rest/api/3/search?") == 0


def test_enhanced_search_pages_by_token(client: JIRA) -> None:
    first = client.enhanced_search_issues("project = SHOP ORDER BY key", maxResults=5, fields="key")
    assert [i.key for i in first] == ["SHOP-100", "SHOP-101", "SHOP-102", "SHOP-103", "SHOP-104"]
    token = first.nextPageToken
    assert token
    second = client.enhanced_search_issues(
        "project = SHOP ORDER BY key", nextPageToken=token, maxResults=5, fields="key"
    )
    assert [i.key for i in second][:1] == ["SHOP-105"]


def test_search_issues_uses_the_new_search_on_cloud(client: JIRA) -> None:
    issues = client.search_issues("project = PAY ORDER BY key", maxResults=False, fields="summary")
    assert [i.key for i in issues] == [f"PAY-{n}" for n in range(1, 8)]


def test_reads_an_issue_with_fields_and_comments(client: JIRA) -> None:
    issue = client.issue("SHOP-104")
    assert issue.fields.summary == "One-click button on product page"
    assert issue.fields.customfield_10016 == 8.0
    assert issue.fields.parent.key == "SHOP-100"
    assert [s.name for s in issue.fields.customfield_10020] == ["SHOP Sprint 1", "SHOP Sprint 2"]
    comments = client.comments("SHOP-104")
    assert [c.author.displayName for c in comments] == ["Chen Wei", "Ana Lima"]
    assert comments[1].raw["body"]["content"][0]["content"][0]["text"] == (
        "Design approved, ready for review."
    )


def test_field_list_has_the_agile_fields(client: JIRA) -> None:
    by_custom = {f.get("schema", {}).get("custom"): f["id"] for f in client.fields()}
    assert by_custom["com.pyxis.greenhopper.jira:jsw-story-points"] == "customfield_10016"
    assert by_custom["com.pyxis.greenhopper.jira:gh-sprint"] == "customfield_10020"
    assert by_custom["com.pyxis.greenhopper.jira:gh-epic-link"] == "customfield_10014"
