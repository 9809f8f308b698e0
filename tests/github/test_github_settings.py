"""The settings of a github instance (contract 6.1), GitHub.com and Enterprise Server."""

from __future__ import annotations

import re

import pytest
from github_site import SELECTION, connector, pull
from okrsync_github import GitHubSettings
from okrsync_github.search import normalized_query
from okrsync_github_sandbox import GitHubSandbox

from okrsync.connector import PullRequest
from okrsync.errors import ConfigError, FieldNotFound


def test_github_com_is_the_default() -> None:
    settings = GitHubSettings.load({"token": "t"})
    assert settings.url == "https://api.github.com"
    assert settings.graphql_url == "https://api.github.com/graphql"


def test_enterprise_server_answers_graphql_at_api_graphql() -> None:
    settings = GitHubSettings.load({"url": "https://git.acme.test/api/v3/", "token": "t"})
    assert settings.url == "https://git.acme.test/api/v3"
    assert settings.graphql_url == "https://git.acme.test/api/graphql"


def test_an_enterprise_server_pull(github: GitHubSandbox) -> None:
    ghes = connector(github, project="acme/5", url=github.url + "/api/v3")
    pulled = pull(ghes, PullRequest(SELECTION))
    # #1-#5, and #6 and #7 (closed as not planned or duplicate: withdrawn, still members).
    assert len(pulled.members) == 7
    paths = {e.path for e in github.log.entries()}
    assert paths == {"/api/graphql", "/api/v3/search/issues"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"token": "t", "project": "acme"}, "'project': expected ORGANIZATION/NUMBER"),
        ({"token": "t", "projects": "acme/5"}, "unknown setting 'projects'"),
        ({}, "'token' is required"),
        ({"token": " "}, "'token': must not be empty"),
        ({"token": "t", "url": "ftp://x"}, "expected an http(s) URL"),
    ],
)
def test_bad_settings_say_what_to_fix(settings: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        GitHubSettings.load(settings)


def test_a_secret_token_never_shows_in_the_error() -> None:
    with pytest.raises(ConfigError) as raised:
        GitHubSettings.load({"token": "ghp_secret123", "url": "not a url ghp_secret123"})
    assert "ghp_secret123" not in str(raised.value)


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("repo:acme/shop-app label:checkout", "repo:acme/shop-app label:checkout is:issue"),
        ("repo:acme/shop-app is:pr", "repo:acme/shop-app is:pr"),
        ("is:issue  org:acme", "is:issue org:acme"),
    ],
)
def test_is_issue_is_added_unless_the_query_says_issue_or_pr(query: str, sent: str) -> None:
    assert normalized_query(query) == sent


def test_an_estimate_field_the_project_lacks_is_named(github: GitHubSandbox) -> None:
    with pytest.raises(FieldNotFound, match=r"no number field 'Points'.*Estimate, KR Progress"):
        pull(connector(github, project="acme/5", estimate_field="Points"), PullRequest(SELECTION))


def test_in_progress_defaults_to_every_option_but_the_first_and_done(
    github: GitHubSandbox,
) -> None:
    import asyncio

    source = connector(github, project="acme/5")

    async def read() -> frozenset[str]:
        async with source:
            project = await source.project()
            assert project is not None
            return project.in_progress

    assert asyncio.run(read()) == {"In Progress", "In Review"}


def test_an_in_progress_option_the_status_lacks_is_named(github: GitHubSandbox) -> None:
    source = connector(github, project="acme/5", in_progress=["In Reveiw"])
    with pytest.raises(FieldNotFound, match=r"no Status option 'In Reveiw'.*Todo, In Progress"):
        pull(source, PullRequest(SELECTION))
