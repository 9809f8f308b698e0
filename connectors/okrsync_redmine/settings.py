"""The settings of one Redmine connector instance (a ``connectors:`` entry of the config).

```yaml
redmine:
  type: redmine
  url: https://redmine.example.com
  token: ${REDMINE_API_KEY}             # the API access key, sent as X-Redmine-API-Key
  estimate_field: Story points          # a custom field (name or cf_N) or estimated_hours
  in_progress: [In Progress, Feedback]  # open statuses meaning in progress
  timezone: Europe/Berlin               # where a version's due date ends (default UTC)
```

``RedmineSettings.load(data, instance=...)`` raises ``ConfigError`` naming every bad
setting, in words built from locations only (pydantic's own would echo the token).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from okrsync import secrets
from okrsync.errors import ConfigError
from okrsync.http import DEFAULT_MAX_ANSWER_BYTES, checked_url
from okrsync.mapping.quantities import DURATION_HELP, duration

__all__ = ["ESTIMATED_HOURS", "RedmineSettings"]

# Redmine's own estimate attribute, as ``estimate_field`` names it.
ESTIMATED_HOURS = "estimated_hours"


class RedmineSettings(BaseModel):
    """``type: redmine``: a Redmine site and the API key of the account okrsync uses."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    type: Literal["redmine"] = "redmine"
    url: str
    token: SecretStr
    estimate_field: str | None = Field(
        None, description="an issue custom field (name or cf_N) or estimated_hours"
    )
    in_progress: list[str] | None = Field(
        None, description="open statuses meaning in progress (default: all but the trackers' first)"
    )
    timezone: str = Field("UTC", description="IANA zone in which a version's due date ends")
    concurrency: int = Field(default=8, ge=1, le=32)
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=20)
    max_answer_bytes: int = Field(default=DEFAULT_MAX_ANSWER_BYTES, ge=1024)
    # Incremental pulls re-read this much before the cursor: Redmine's ``updated_on``
    # filter is second-granular, and clocks drift.
    overlap: timedelta = timedelta(minutes=5)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        url = checked_url(value, example="https://redmine.example.com", credentials="token")
        if url.query or url.fragment:
            raise ValueError("expected the site's base URL, without ?query or #fragment")
        return str(url).rstrip("/")

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret.strip():
            raise ValueError("must not be empty: give the API access key from My account")
        secrets.register(secret)
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as UTC") from None
        return value

    @field_validator("overlap", mode="before")
    @classmethod
    def _check_overlap(cls, value: object) -> timedelta:
        if isinstance(value, timedelta):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return timedelta(seconds=value)
        if isinstance(value, str):
            return duration(value.strip())
        raise ValueError(f"expected {DURATION_HELP}, or a number of seconds")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def load(cls, data: Mapping[str, Any], *, instance: str = "redmine") -> RedmineSettings:
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
                for e in error.errors(include_input=False)
            )
            raise ConfigError(f"connector {instance!r}: {problems}") from None

    def __repr__(self) -> str:
        return f"RedmineSettings(url={self.url!r}, token=SecretStr('**'))"
