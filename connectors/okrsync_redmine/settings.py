"""The settings of one Redmine connector instance (a ``connectors:`` entry of the config).

```yaml
redmine:
  type: redmine
  url: https://redmine.example.com
  token: ${REDMINE_API_KEY}             # the API access key, sent as X-Redmine-API-Key
  estimate_field: Story points          # a custom field (name or cf_N) or estimated_hours
  in_progress: [In Progress, Feedback]  # open statuses meaning in progress
  timezone: Europe/Berlin               # where a version's due date ends (default: the
                                        #   config's time zone)
```

``RedmineSettings.load(data, instance=...)`` raises ``ConfigError`` naming every bad
setting, in words built from locations only (pydantic's own would echo the token).
"""

from __future__ import annotations

from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from okrsync.connector_settings import ConnectorSettings

__all__ = ["ESTIMATED_HOURS", "RedmineSettings"]

# Redmine's own estimate attribute, as ``estimate_field`` names it.
ESTIMATED_HOURS = "estimated_hours"


class RedmineSettings(ConnectorSettings):
    """``type: redmine``: a Redmine site and the API key of the account okrsync uses.
    ``url``, ``token``, ``concurrency``, ``timeout``, ``max_attempts``,
    ``max_answer_bytes`` and ``overlap`` are the settings every type shares."""

    url_example: ClassVar[str] = "https://redmine.example.com"
    token_hint: ClassVar[str] = "give the API access key from My account"

    type: Literal["redmine"] = "redmine"
    estimate_field: str | None = Field(
        None, description="an issue custom field (name or cf_N) or estimated_hours"
    )
    in_progress: list[str] | None = Field(
        None, description="open statuses meaning in progress (default: all but the trackers' first)"
    )
    timezone: str | None = Field(
        None,
        description="IANA zone in which a version's due date ends (default: the config's)",
    )

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as UTC") from None
        return value

    def zone(self, config_zone: ZoneInfo) -> ZoneInfo:
        """Where a version's due date ends: ``timezone`` if set, else the config's."""
        return ZoneInfo(self.timezone) if self.timezone is not None else config_zone
