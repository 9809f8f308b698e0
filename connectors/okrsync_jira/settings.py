"""The settings of one Jira connector instance (a ``connectors:`` entry of the config).

``JiraSettings.load(data, instance=...)`` validates a mapping and raises
``okrsync.errors.ConfigError`` naming every bad field. The token is a ``SecretStr`` and
is registered with ``okrsync.secrets`` so that no message can leak it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from okrsync import secrets
from okrsync.errors import ConfigError
from okrsync.http import DEFAULT_MAX_ANSWER_BYTES, checked_url

__all__ = ["JiraSettings", "parse_duration"]

# Atlassian's own hosts are always Cloud: no need to ask them.
_CLOUD_HOSTS = (".atlassian.net", ".jira.com", "api.atlassian.com")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> timedelta:
    """``"5m"``, ``"90s"``, ``"2h"``, ``"1d"``, ``"1w"``, or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5m or a number of seconds")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str) and (match := _DURATION.match(value.lower())):
        return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    raise ValueError("expected a duration such as 5m, 90s, 2h or a number of seconds")


class JiraSettings(BaseModel):
    """``type: jira``. Cloud: ``email`` + API ``token`` (HTTP Basic). Data Center: a
    personal access ``token`` alone (Bearer), or ``username`` + password in ``token``
    (HTTP Basic).

    ``deployment: auto`` (the default) decides from the settings when they tell (an
    Atlassian host or an ``email`` mean Cloud, a ``username`` means Data Center) and
    otherwise asks the site's ``/rest/api/2/serverInfo`` once; ``cloud`` or
    ``datacenter`` skip the question."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    type: Literal["jira"] = "jira"
    url: str
    email: str | None = None
    username: str | None = None
    token: SecretStr
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    # Requests in flight at once; Jira Cloud's burst limits make more than ~10 unkind.
    concurrency: int = Field(default=8, ge=1, le=32)
    # Issues per bulk fetch (Jira's maximum is 100); on Data Center, issues per search
    # page, each with its whole history.
    page_size: int = Field(default=100, ge=1, le=100)
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=20)
    # No answer is read past this many bytes (a hostile or broken server cannot fill memory).
    max_answer_bytes: int = Field(default=DEFAULT_MAX_ANSWER_BYTES, ge=1024)
    # Incremental pulls re-read this much before the cursor, to absorb clock skew and
    # Jira's eventually consistent search index.
    overlap: timedelta = timedelta(minutes=5)
    story_points_field: str | None = None
    sprint_field: str | None = None
    epic_link_field: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        url = checked_url(value, example="https://acme.atlassian.net", credentials="email/token")
        if url.query or url.fragment:
            raise ValueError("expected the site's base URL, without ?query or #fragment")
        return str(url).rstrip("/")

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

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret.strip():
            raise ValueError("must not be empty")
        secrets.register(secret)
        return value

    @field_validator("overlap", mode="before")
    @classmethod
    def _check_overlap(cls, value: object) -> timedelta:
        duration = parse_duration(value)
        if duration < timedelta(0):
            raise ValueError("must not be negative")
        return duration

    @classmethod
    def load(cls, data: Mapping[str, Any], *, instance: str = "jira") -> JiraSettings:
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            raise ConfigError(_describe(error, instance)) from None

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


def _describe(error: ValidationError, instance: str) -> str:
    # Built from locations and messages only: pydantic's own text would echo the input,
    # which may be the token.
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        if item["type"] == "extra_forbidden":
            valid = ", ".join(sorted(JiraSettings.model_fields))
            problems.append(f"unknown setting {field!r} (valid settings: {valid})")
        elif item["type"] == "missing":
            problems.append(f"{field!r} is required")
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{field!r}: {message}")
    return f"connector {instance!r}: " + "; ".join(problems)
