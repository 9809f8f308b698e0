"""The sandbox's issue search understands the syntax GitHub's does, on the seeded data."""

from __future__ import annotations

import httpx
import pytest
from okrsync_github_sandbox import GitHubSandbox


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('org:acme reason:"not planned"', ["acme/shop-app#6"]),
        ("repo:acme/shop-app is:pr is:merged", ["acme/shop-app#9"]),
        ("org:acme -label:checkout", ["acme/okrs#1", "acme/shop-app#8"]),
        ('org:acme "Saved cards"', ["acme/shop-app#3"]),
        ("org:acme created:<2027-01-01", ["acme/okrs#1", "acme/shop-app#1", "acme/shop-app#2"]),
        ("org:acme label:platform,bug", ["acme/platform#1", "acme/shop-app#8"]),
        ("org:acme type:Bug is:closed", ["acme/shop-app#4"]),
        ("project:acme/5 assignee:ben is:open", []),
        ("project:acme/5 assignee:ana", ["acme/shop-app#2"]),
        ("org:acme closed:2027-01-09..2027-01-11 is:issue", ["acme/shop-app#2", "acme/shop-app#4"]),
    ],
)
def test_the_search_syntax(github: GitHubSandbox, query: str, found: list[str]) -> None:
    answer = httpx.get(
        github.url + "/search/issues",
        params={"q": query, "per_page": 100},
        headers={"Authorization": f"Bearer {github.token}"},
    )
    assert answer.status_code == 200, answer.text
    keys = sorted(
        f"{i['repository_url'].rsplit('/repos/', 1)[1]}#{i['number']}"
        for i in answer.json()["items"]
    )
    assert keys == found


@pytest.mark.parametrize(
    "query",
    ["a AND b AND c AND d AND e AND f AND g", "x" * 257, "org:acme created:someday"],
)
def test_what_github_refuses_is_a_422(github: GitHubSandbox, query: str) -> None:
    answer = httpx.get(
        github.url + "/search/issues",
        params={"q": query},
        headers={"Authorization": f"Bearer {github.token}"},
    )
    assert answer.status_code == 422
