"""The settings of one GitHub connector instance (contract section 6.1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from okrsync import secrets
from okrsync.errors import ConfigError
from okrsync.http import DEFAULT_MAX_ANSWER_BYTES, checked_url
from okrsync.mapping.quantities import duration

__all__ = ["GITHUB_COM", "GitHubSettings"]

GITHUB_COM = "https://api.github.com"
_PROJECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)/([1-9][0-9]*)$")


class GitHubSettings(BaseModel):
    """``type: github``: GitHub.com, or Enterprise Server at ``https://HOST/api/v3``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    type: Literal["github"] = "github"
    url: str = GITHUB_COM
    token: SecretStr
    # An organization's project: ``acme/5``.
    project: str | None = None
    estimate_field: str | None = None
    iteration_field: str | None = None
    in_progress: tuple[str, ...] | None = None
    concurrency: int = Field(default=4, ge=1, le=16)
    # Issues per search page and per GraphQL batch of nodes (GitHub's maximum is 100).
    page_size: int = Field(default=100, ge=1, le=100)
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=20)
    max_answer_bytes: int = Field(default=DEFAULT_MAX_ANSWER_BYTES, ge=1024)
    # Incremental pulls re-read this much before the cursor: GitHub's search index lags.
    overlap: timedelta = timedelta(minutes=5)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        url = checked_url(value, example=GITHUB_COM, credentials="token")
        if url.query or url.fragment:
            raise ValueError("expected the API's base URL, without ?query or #fragment")
        return str(url).rstrip("/")

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret.strip():
            raise ValueError("must not be empty")
        secrets.register(secret)
        return value

    @field_validator("project")
    @classmethod
    def _check_project(cls, value: str | None) -> str | None:
        if value is not None and not _PROJECT.match(value.strip()):
            raise ValueError("expected ORGANIZATION/NUMBER, such as acme/5")
        return value.strip() if value else value

    @field_validator("overlap", mode="before")
    @classmethod
    def _check_overlap(cls, value: object) -> timedelta:
        if isinstance(value, timedelta):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return timedelta(seconds=value)
        if isinstance(value, str):
            return duration(value)
        raise ValueError("expected a duration such as 5m or 1h, or a number of seconds")

    @property
    def graphql_url(self) -> str:
        """GitHub.com: ``/graphql``; Enterprise Server: ``https://HOST/api/graphql``."""
        if self.url.endswith("/api/v3"):
            return self.url.removesuffix("/v3") + "/graphql"
        return self.url + "/graphql"

    @property
    def project_ref(self) -> tuple[str, int] | None:
        if self.project is None:
            return None
        owner, number = self.project.split("/")
        return owner, int(number)

    @classmethod
    def load(cls, data: Mapping[str, Any], *, instance: str = "github") -> GitHubSettings:
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            raise ConfigError(_describe(error, instance)) from None

    def __repr__(self) -> str:
        return f"GitHubSettings(url={self.url!r}, project={self.project!r}, token=SecretStr('**'))"


def _describe(error: ValidationError, instance: str) -> str:
    # Locations and messages only: pydantic's own text would echo the input (the token).
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        if item["type"] == "extra_forbidden":
            valid = ", ".join(sorted(GitHubSettings.model_fields))
            problems.append(f"unknown setting {field!r} (valid settings: {valid})")
        elif item["type"] == "missing":
            problems.append(f"{field!r} is required")
        else:
            problems.append(f"{field!r}: " + str(item["msg"]).removeprefix("Value error, "))
    return f"connector {instance!r}: " + "; ".join(problems)
