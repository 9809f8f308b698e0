"""``ConnectorSettings``: the settings every connector type shares, as a pydantic base.

Contract section 6: every type takes ``url``, ``token``, ``concurrency``, ``timeout``,
``max_attempts`` and ``overlap`` (plus ``max_answer_bytes``, the bound on one answer,
and ``rate_limit``, the instance's request budget).
A type subclasses it with its own settings, names its ``url_example``, and declares the
subclass as its ``settings_model``; ``okrsync validate`` checks every instance with it.
``load(data, instance=...)`` raises ``ConfigError`` naming every bad setting without
echoing the values (one may be the token). The token is a ``SecretStr``, registered with
``okrsync.secrets`` so that no message can leak it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from okrsync import secrets
from okrsync.budget import budget_for, parse_rate_limit
from okrsync.errors import ConfigError
from okrsync.http import (
    DEFAULT_MAX_ANSWER_BYTES,
    HttpStats,
    RateWindow,
    RetryPolicy,
    checked_url,
    make_client,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["ConnectorSettings", "parse_duration"]

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


class ConnectorSettings(BaseModel):
    """The shared settings. Subclasses add a ``type: Literal[...]`` and their own."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # Shown in the message for a url that is not one; where credentials go instead.
    url_example: ClassVar[str] = "https://tool.example.com"
    credential_settings: ClassVar[str] = "token"
    # Where a user finds the token, said when it is empty (e.g. Redmine's "My account").
    token_hint: ClassVar[str] = ""

    # The connector type's name; a subclass narrows it to its ``Literal``. First, so
    # that lists of the valid settings start with it.
    type: str
    url: str
    token: SecretStr
    # Requests in flight at once.
    concurrency: int = Field(default=8, ge=1, le=32)
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=20)
    # No answer is read past this many bytes (a hostile or broken server cannot fill memory).
    max_answer_bytes: int = Field(default=DEFAULT_MAX_ANSWER_BYTES, ge=1024)
    # Incremental pulls re-read this much before the cursor, to absorb clock skew and
    # search indexes that lag behind.
    overlap: timedelta = timedelta(minutes=5)
    # At most this many requests in a time (``10/s``, ``100/10s``), by every process of
    # okrsync together when their budgets are shared (``okrsync worker``).
    rate_limit: RateWindow | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        url = checked_url(value, example=cls.url_example, credentials=cls.credential_settings)
        if url.query or url.fragment:
            raise ValueError("expected the site's base URL, without ?query or #fragment")
        return str(url).rstrip("/")

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret.strip():
            raise ValueError(
                "must not be empty" + (f": {cls.token_hint}" if cls.token_hint else "")
            )
        secrets.register(secret)
        return value

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _check_rate_limit(cls, value: object) -> RateWindow | None:
        return None if value is None else parse_rate_limit(value)

    @field_validator("overlap", mode="before")
    @classmethod
    def _check_overlap(cls, value: object) -> timedelta:
        duration = parse_duration(value)
        if duration < timedelta(0):
            raise ValueError("must not be negative")
        return duration

    def client(
        self,
        *,
        source: str,
        stats: HttpStats,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        **options: Any,
    ) -> httpx.AsyncClient:
        """``make_client`` for this instance: its url, timeout, concurrency, attempts,
        answer bound and request budget; ``options`` are the type's own (auth, headers,
        pacer...)."""
        return make_client(
            self.url,
            timeout=self.timeout,
            max_connections=self.concurrency,
            policy=policy or RetryPolicy(max_attempts=self.max_attempts),
            stats=stats,
            transport=transport,
            max_answer_bytes=self.max_answer_bytes,
            source=source,
            budget=budget_for(source, self.url, self.rate_limit),
            **options,
        )

    @classmethod
    def load(cls, data: Mapping[str, Any], *, instance: str = "") -> Self:
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            raise ConfigError(_describe(error, instance or cls.__name__, cls)) from None


def _describe(error: ValidationError, instance: str, model: type[BaseModel]) -> str:
    # Built from locations and messages only: pydantic's own text would echo the input,
    # which may be the token.
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        if item["type"] == "extra_forbidden":
            valid = ", ".join(sorted(model.model_fields))
            problems.append(f"unknown setting {field!r} (valid settings: {valid})")
        elif item["type"] == "missing":
            problems.append(f"{field!r} is required")
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{field!r}: {message}")
    return f"connector {instance!r}: " + "; ".join(problems)
