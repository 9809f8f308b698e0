"""JiraSettings: defaults, durations, and errors that name the field without the token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from jira_site import TOKEN
from okrsync_jira.settings import JiraSettings, parse_duration

from okrsync.errors import ConfigError
from okrsync.secrets import redact


def test_defaults(cloud_settings: dict[str, Any]) -> None:
    settings = JiraSettings.load(cloud_settings)
    assert settings.url == "https://acme.atlassian.net"
    assert settings.deployment == "auto"
    assert settings.concurrency == 8
    assert settings.page_size == 100
    assert settings.overlap == timedelta(minutes=5)
    assert settings.is_cloud
    assert settings.token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)


def test_the_token_is_registered_as_a_secret(cloud_settings: dict[str, Any]) -> None:
    JiraSettings.load({**cloud_settings, "token": "another-secret-value-77"})
    assert redact("token=another-secret-value-77!") == "token=********!"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5m", timedelta(minutes=5)),
        ("90s", timedelta(seconds=90)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("300", timedelta(seconds=300)),
        (300, timedelta(seconds=300)),
        (2.5, timedelta(seconds=2.5)),
    ],
)
def test_overlap_accepts_durations(
    cloud_settings: dict[str, Any], written: object, expected: timedelta
) -> None:
    assert JiraSettings.load({**cloud_settings, "overlap": written}).overlap == expected


def test_parse_duration_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration("5 minutes")
    with pytest.raises(ValueError):
        parse_duration(True)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"url": "acme.atlassian.net"}, "connector 'jira': 'url': expected an http(s) URL"),
        ({"url": "ftp://acme.test"}, "connector 'jira': 'url': expected an http(s) URL"),
        ({"url": "https://bot:pw@acme.test"}, "'url': put credentials in email/token"),
        ({"concurrency": 0}, "'concurrency': Input should be greater than or equal to 1"),
        ({"page_size": 500}, "'page_size': Input should be less than or equal to 100"),
        ({"overlap": "soon"}, "'overlap': expected a duration such as 5m"),
        ({"deployment": "server"}, "'deployment': Input should be 'auto', 'cloud' or"),
        ({"colour": "blue"}, "unknown setting 'colour' (valid settings: concurrency,"),
        ({"token": ""}, "'token': must not be empty"),
    ],
)
def test_bad_settings_name_the_field(
    cloud_settings: dict[str, Any], change: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        JiraSettings.load({**cloud_settings, **change}, instance="jira")
    assert expected in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_a_missing_token_is_reported(cloud_settings: dict[str, Any]) -> None:
    del cloud_settings["token"]
    with pytest.raises(ConfigError, match="'token' is required"):
        JiraSettings.load(cloud_settings, instance="acme")


def test_every_problem_is_reported_at_once(cloud_settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as raised:
        JiraSettings.load({**cloud_settings, "url": "nope", "timeout": -1}, instance="acme")
    message = str(raised.value)
    assert message.startswith("connector 'acme': ")
    assert "'url'" in message and "'timeout'" in message


def test_a_token_of_the_wrong_type_is_not_echoed(cloud_settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as raised:
        JiraSettings.load({**cloud_settings, "token": 123456789, "email": ["x"]})
    assert "123456789" not in str(raised.value)


@pytest.mark.parametrize(
    ("change", "cloud"),
    [
        ({}, True),  # email given
        ({"email": None, "url": "https://jira.acme.test"}, False),  # a PAT alone
        ({"email": None}, True),  # *.atlassian.net
        ({"deployment": "datacenter"}, False),
        ({"email": None, "url": "https://jira.acme.test", "deployment": "cloud"}, True),
    ],
)
def test_deployment_detection(
    cloud_settings: dict[str, Any], change: dict[str, Any], cloud: bool
) -> None:
    assert JiraSettings.load({**cloud_settings, **change}).is_cloud is cloud
