"""The settings of one GitHub connector instance (contract section 6.1)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from okrsync.connector_settings import ConnectorSettings

__all__ = ["GITHUB_COM", "GitHubSettings", "web_root"]

GITHUB_COM = "https://api.github.com"
_PROJECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)/([1-9][0-9]*)$")


def web_root(api_url: str) -> str:
    """Where people browse what the API at ``api_url`` serves: ``https://github.com``
    for ``https://api.github.com``, ``https://HOST`` for Enterprise Server's
    ``https://HOST/api/v3``; any other URL serves both."""
    url = api_url.rstrip("/")
    if url.endswith("/api/v3"):
        return url.removesuffix("/api/v3")
    scheme, sep, rest = url.partition("://")
    if sep and rest.startswith("api.") and "/" not in rest:
        return f"{scheme}://{rest.removeprefix('api.')}"
    return url


class GitHubSettings(ConnectorSettings):
    """``type: github``: GitHub.com, or Enterprise Server at ``https://HOST/api/v3``."""

    url_example: ClassVar[str] = GITHUB_COM

    type: Literal["github"] = "github"
    url: str = GITHUB_COM
    # An organization's project: ``acme/5``.
    project: str | None = None
    estimate_field: str | None = None
    iteration_field: str | None = None
    in_progress: tuple[str, ...] | None = None
    # GitHub counts concurrent requests against its secondary limits: stay modest.
    concurrency: int = Field(default=4, ge=1, le=16)
    # Issues per search page and per GraphQL batch of nodes (GitHub's maximum is 100).
    page_size: int = Field(default=100, ge=1, le=100)

    @field_validator("project")
    @classmethod
    def _check_project(cls, value: str | None) -> str | None:
        if value is not None and not _PROJECT.match(value.strip()):
            raise ValueError("expected ORGANIZATION/NUMBER, such as acme/5")
        return value.strip() if value else value

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

    def __repr__(self) -> str:
        return f"GitHubSettings(url={self.url!r}, project={self.project!r}, token=SecretStr('**'))"
