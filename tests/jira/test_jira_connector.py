"""JiraConnector as okrsync sees it: found through the entry point, a Connector."""

from __future__ import annotations

from typing import Any

import pytest
from jira_site import TOKEN
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
