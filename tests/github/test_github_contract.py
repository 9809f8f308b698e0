"""The connector speaks GitHub's published API: every GraphQL document it sends is valid
against GitHub's schema, and the sandbox's REST answers have the shapes GitHub documents.

The schema is GitHub's public ``schema.docs.graphql`` (March 2026), vendored as
sandbox/okrsync_github_sandbox/schema.graphql. The REST shapes are the required
properties of GitHub's REST API description for api.github.com, version 2022-11-28
(github/rest-api-description, components/schemas ``issue-search-result-item``,
``issue``, ``issue-comment``, ``simple-user``), for the operations okrsync calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from github_cli import GitHubWorkspace
from github_site import SELECTION, connector, github_site, pull
from graphql import parse, validate
from okrsync_github.queries import DOCUMENTS
from okrsync_github_sandbox import GitHubSandbox
from okrsync_github_sandbox.graphql_api import schema

from okrsync.connector import PullRequest

SIMPLE_USER = {
    "login", "id", "node_id", "avatar_url", "gravatar_id", "url", "html_url",
    "followers_url", "following_url", "gists_url", "starred_url", "subscriptions_url",
    "organizations_url", "repos_url", "events_url", "received_events_url", "type",
    "site_admin",
}  # fmt: skip
ISSUE = {
    "id", "node_id", "url", "repository_url", "labels_url", "comments_url", "events_url",
    "html_url", "number", "state", "title", "user", "labels", "assignee", "milestone",
    "locked", "comments", "created_at", "updated_at", "closed_at", "author_association",
}  # fmt: skip
SEARCH_ITEM = ISSUE | {"score"}
COMMENT = {
    "id", "node_id", "html_url", "issue_url", "user", "url", "created_at", "updated_at",
    "author_association",
}  # fmt: skip
STATE_REASONS = {None, "completed", "reopened", "not_planned", "duplicate"}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_is_valid_against_githubs_schema(name: str) -> None:
    assert validate(schema(), parse(DOCUMENTS[name])) == []


def test_the_schema_rejects_what_github_would(github: GitHubSandbox) -> None:
    # The check is real: a field GitHub lacks, or a merge event on an issue, is refused.
    bad = "{ viewer { login nonsense } }"
    assert validate(schema(), parse(bad))
    merged_on_issue = DOCUMENTS["NODES"].replace(
        "... on ReopenedEvent { id createdAt }\n",
        "... on ReopenedEvent { id createdAt }\n        ... on MergedEvent { id createdAt }\n",
        1,
    )
    assert validate(schema(), parse(merged_on_issue))


def test_every_document_sent_in_a_pull_and_an_apply_is_valid(tmp_path: Path) -> None:
    with github_site(travel=True) as github:
        assert GitHubWorkspace(tmp_path, github).run("apply").exit_code == 0
        sent = {e.graphql_query for e in github.log.entries() if e.graphql_query}
    assert len(sent) >= 4  # the project, the batch of nodes, an issue's item, the mutation
    for document in sent:
        assert document is not None
        assert validate(schema(), parse(document)) == [], document


def _get(github: GitHubSandbox, path: str, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {github.token}"}
    return httpx.get(github.url + path, params=params, headers=headers)


def _has(shape: set[str], body: dict[str, Any]) -> set[str]:
    return shape - set(body)


def test_search_answers_have_githubs_shape(github: GitHubSandbox) -> None:
    answer = _get(github, "/search/issues", q="org:acme", per_page=5)
    assert answer.status_code == 200
    body = answer.json()
    assert isinstance(body["total_count"], int) and isinstance(body["incomplete_results"], bool)
    assert 'rel="next"' in answer.headers["link"]
    for item in body["items"]:
        assert _has(SEARCH_ITEM, item) == set()
        assert _has(SIMPLE_USER, item["user"]) == set()
        assert item["state"] in ("open", "closed") and item["state_reason"] in STATE_REASONS
        assert all({"name", "id", "node_id", "color"} <= set(label) for label in item["labels"])


def test_issue_comment_and_user_answers_have_githubs_shape(github: GitHubSandbox) -> None:
    issue = _get(github, "/repos/acme/shop-app/issues/9").json()
    assert _has(ISSUE, issue) == set()
    assert issue["pull_request"]["merged_at"] == "2027-01-15T15:00:00Z"
    listed = _get(github, "/repos/acme/okrs/issues", state="all", creator="ana").json()
    assert [i["number"] for i in listed] == [1] and _has(ISSUE, listed[0]) == set()
    comments = _get(github, "/repos/acme/okrs/issues/1/comments").json()
    assert comments and all(_has(COMMENT, c) == set() for c in comments)
    assert _has(SIMPLE_USER, _get(github, "/user").json()) == set()
    timeline = _get(github, "/repos/acme/shop-app/issues/3/timeline").json()
    assert [e["event"] for e in timeline] == ["closed", "reopened", "closed"]


def test_rate_limit_headers_and_a_free_304(github: GitHubSandbox) -> None:
    first = _get(github, "/repos/acme/shop-app/issues/2")
    remaining = int(first.headers["x-ratelimit-remaining"])
    assert {"x-ratelimit-limit", "x-ratelimit-reset", "x-ratelimit-used"} <= set(first.headers)
    again = httpx.get(
        github.url + "/repos/acme/shop-app/issues/2",
        headers={"Authorization": f"Bearer {github.token}", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["x-ratelimit-remaining"]) == remaining


def test_the_search_answers_at_most_1000_results(github: GitHubSandbox) -> None:
    github.state.search_cap = 2
    answer = _get(github, "/search/issues", q="org:acme", per_page=2, page=2)
    assert answer.status_code == 422
    assert "first 1000 search results" in answer.json()["message"]


def test_graphql_connections_need_first_or_last(github: GitHubSandbox) -> None:
    answer = httpx.post(
        github.url + "/graphql",
        json={
            "query": '{ repository(owner: "acme", name: "okrs") { issue(number: 1) '
            "{ labels { nodes { name } } } } }"
        },
        headers={"Authorization": f"Bearer {github.token}"},
    )
    assert answer.status_code == 200
    assert "first" in answer.json()["errors"][0]["message"]


def test_requests_logged_for_a_pull_are_reads(github: GitHubSandbox) -> None:
    pull(connector(github, project="acme/5"), PullRequest(SELECTION))
    assert github.writes == []
