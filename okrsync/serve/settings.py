"""The config's ``serve:`` section and ``broker:``: validated with the rest of the file.

Secrets (``token``, the webhook secrets) are needed only by ``okrsync serve``: a
variable they use that is unset is a note for every other command (as a connector's is),
and the error that names it when the service starts.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, field_validator

from okrsync.serve.cron import check_cron

_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_LISTEN = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")


def _to_seconds(value: Any) -> Any:
    if isinstance(value, str):
        match = _SECONDS.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration such as 500ms, 5s or 2m")
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return value


Seconds = Annotated[float, BeforeValidator(_to_seconds)]


class WebhookSettings(BaseModel):
    """One connector instance's webhooks: the secret its deliveries are signed with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    secret: SecretStr = Field(description="the HMAC-SHA256 secret the tool signs with")


class ServeSettings(BaseModel):
    """``okrsync serve``: where it listens, its token, its schedule and its webhooks."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    listen: str = Field("127.0.0.1:8400", description="host:port to listen on")
    token: SecretStr | None = Field(None, description="Bearer token for the dashboard and the API")
    schedule: str | None = Field(
        None, description="cron expression (config time zone): when every unit is synced"
    )
    debounce: Seconds = Field(
        5.0, ge=0, le=3600, description="webhook deliveries within this window make one run"
    )
    webhooks: dict[str, WebhookSettings] = Field(
        default_factory=dict, description="connector instance name -> its webhook secret"
    )

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        match = _LISTEN.match(value.strip())
        if not match or not 0 < int(match.group("port")) < 65536:
            raise ValueError(f"{value!r} is not host:port, such as 127.0.0.1:8400")
        return value.strip()

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])
