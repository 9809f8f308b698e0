"""The settings of one Jira connector instance (a ``connectors:`` entry of the config).

``JiraSettings.load(data, instance=...)`` validates a mapping and raises
``okrsync.errors.ConfigError`` naming every bad field. The token is a ``SecretStr`` and
is registered with ``okrsync.secrets`` so that no message can leak it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import httpx
from pydantic import Field, field_validator, model_validator

from okrsync.connector_settings import ConnectorSettings, parse_duration

__all__ = ["JiraSettings", "parse_duration"]

# Atlassian's own hosts are always Cloud: no need to ask them.
_CLOUD_HOSTS = (".atlassian.net", ".jira.com", "api.atlassian.com")


class JiraSettings(ConnectorSettings):
    """``type: jira``. Cloud: ``email`` + API ``token`` (HTTP Basic). Data Center: a
    personal access ``token`` alone (Bearer), or ``username`` + password in ``token``
    (HTTP Basic).

    ``deployment: auto`` (the default) decides from the settings when they tell (an
    Atlassian host or an ``email`` mean Cloud, a ``username`` means Data Center) and
    otherwise asks the site's ``/rest/api/2/serverInfo`` once; ``cloud`` or
    ``datacenter`` skip the question. The shared settings (``url``, ``token``,
    ``concurrency``, ``timeout``, ``max_attempts``, ``overlap``...) are
    ``ConnectorSettings``'."""

    url_example: ClassVar[str] = "https://acme.atlassian.net"
    credential_settings: ClassVar[str] = "email/token"

    type: Literal["jira"] = "jira"
    email: str | None = None
    username: str | None = None
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    # Jira Cloud's burst limits make more than ~10 requests in flight unkind.
    concurrency: int = Field(default=8, ge=1, le=32)
    # Issues per bulk fetch (Jira's maximum is 100); on Data Center, issues per search
    # page, each with its whole history.
    page_size: int = Field(default=100, ge=1, le=100)
    story_points_field: str | None = None
    sprint_field: str | None = None
    epic_link_field: str | None = None

    @field_validator("email", "username")
    @classmethod
    def _check_login(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        return value.strip() if value else value

    @model_validator(mode="after")
    def _one_login(self) -> JiraSettings:
        if self.email and self.username:
            raise ValueError(
                "give email (Jira Cloud) or username (Jira Data Center basic auth), not both"
            )
        return self

    @classmethod
    def load(cls, data: Mapping[str, Any], *, instance: str = "jira") -> JiraSettings:
        return super().load(data, instance=instance)

    @property
    def is_cloud(self) -> bool:
        """What the settings say, or suggest: a token alone suggests a Data Center PAT
        (``needs_detection`` tells whether the site should be asked)."""
        if self.deployment != "auto":
            return self.deployment == "cloud"
        if self.username is not None:
            return False
        return self.email is not None or self._atlassian_host

    @property
    def needs_detection(self) -> bool:
        """Whether only the site itself can tell Cloud from Data Center."""
        return (
            self.deployment == "auto"
            and self.email is None
            and self.username is None
            and not self._atlassian_host
        )

    @property
    def _atlassian_host(self) -> bool:
        host = httpx.URL(self.url).host
        return host.endswith(_CLOUD_HOSTS)

    def __repr__(self) -> str:
        login = f"username={self.username!r}" if self.username else f"email={self.email!r}"
        return f"JiraSettings(url={self.url!r}, {login}, token=SecretStr('**'))"
