"""Settings of an ``http_json`` metric source.

```yaml
analytics:
  type: http_json
  url: https://metrics.example.com/api/checkout.json
  token: ${ANALYTICS_TOKEN}              # optional: sent as a Bearer token
  metrics:
    checkout_conversion: /data/conversion_rate            # a JSON pointer into url's answer
    nps: {url: /api/nps.json, pointer: /score}            # or its own url (relative to url)
```
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from okrsync import secrets
from okrsync.errors import ConfigError


class MetricSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    url: str | None = Field(None, description="the metric's own URL, absolute or relative")
    pointer: str = Field(description="RFC 6901 JSON pointer, e.g. /data/conversion_rate")

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError(f"{value!r} is not a JSON pointer: it must start with '/'")
        return value


class HttpJsonSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    type: Literal["http_json"] = "http_json"
    url: str = Field(pattern=r"^https?://", description="http(s) URL answering JSON")
    token: SecretStr | None = None
    timeout: float = Field(30.0, gt=0)
    metrics: dict[str, str | MetricSpec] = Field(min_length=1)

    @field_validator("metrics")
    @classmethod
    def _specs(cls, value: dict[str, str | MetricSpec]) -> dict[str, str | MetricSpec]:
        return {
            name: MetricSpec(pointer=spec) if isinstance(spec, str) else spec
            for name, spec in value.items()
        }

    def metric(self, name: str) -> MetricSpec:
        spec = self.metrics.get(name)
        if spec is None:
            known = ", ".join(sorted(self.metrics))
            raise ConfigError(f"metric {name!r} is not defined; this source defines: {known}")
        assert isinstance(spec, MetricSpec)
        return spec

    @classmethod
    def load(cls, settings: Any, *, instance: str) -> HttpJsonSettings:
        try:
            loaded = cls.model_validate(settings)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
                for e in error.errors(include_input=False)
            )
            raise ConfigError(f"connector {instance!r}: {problems}") from None
        if loaded.token is not None:
            secrets.register(loaded.token.get_secret_value())
        return loaded
