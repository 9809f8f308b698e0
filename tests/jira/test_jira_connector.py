"""JiraConnector as okrsync sees it: found through the entry point, a Connector."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import TOKEN
from okrsync_jira import JiraConnector

from okrsync.connector import Connector, build_connector, connector_types
from okrsync.errors import ConfigError


def test_the_entry_point_builds_a_jira_connector(cloud_settings: dict[str, Any]) -> None:
    assert "jira" in connector_types()
    connector = build_connector("acme", cloud_settings)
    assert isinstance(connector, JiraConnector)
    assert isinstance(connector, Connector)
    assert connector.instance == "acme"
    assert TOKEN not in repr(connector)


def test_bad_settings_fail_when_the_connector_is_built(cloud_settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="connector 'acme': 'url'"):
        build_connector("acme", {**cloud_settings, "url": "acme"})


@pytest.mark.anyio
async def test_data_center_pull_is_refused_with_advice() -> None:
    from okrsync.connector import PullRequest
    from okrsync.errors import SourceConfigError

    settings = {"type": "jira", "url": "https://jira.acme.test", "token": TOKEN}
    async with JiraConnector("dc", settings) as connector:
        with pytest.raises(SourceConfigError, match="Data Center is not supported yet"):
            async for _ in connector.pull(PullRequest(query="project = X")):
                pass
