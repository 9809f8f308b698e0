"""Settings of an ``http_json`` metric source.

```yaml
analytics:
  type: http_json
  url: https://metrics.example.com/api/checkout.json
  token: ${ANALYTICS_TOKEN}              # optional: sent as a Bearer token
  metrics:
    checkout_conversion: /data/conversion_rate            # a JSON pointer into url's answer
    nps: {url: /api/nps.json, pointer: /score}            # or its own url (relative to url)
  allowed_hosts: [stats.example.com]     # optional: other hosts metric urls may name
```

The token goes only where the source's owner sent it: every metric URL is resolved
against ``url`` and must stay on its origin (scheme, host and port), unless its host is
listed in ``allowed_hosts``. URLs are http(s) only, without credentials in them (those
would be printed and stored with the URL: use ``token``).
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from okrsync import secrets
from okrsync.errors import ConfigError
from okrsync.http import DEFAULT_MAX_ANSWER_BYTES, checked_url

EXAMPLE_URL = "https://metrics.example.com/api/checkout.json"


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
    url: str = Field(description="http(s) URL answering JSON")
    token: SecretStr | None = None
    timeout: float = Field(30.0, gt=0)
    max_answer_bytes: int = Field(DEFAULT_MAX_ANSWER_BYTES, ge=1024)
    allowed_hosts: list[str] = Field(
        default_factory=list, description="hosts besides url's that metric urls may name"
    )
    metrics: dict[str, str | MetricSpec] = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return str(checked_url(value, example=EXAMPLE_URL, credentials="token"))

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if not host.strip() or any(ch in host for ch in "/:@ "):
                raise ValueError(f"{host!r} is not a host name such as stats.example.com")
        return [host.strip().lower() for host in value]

    @field_validator("metrics")
    @classmethod
    def _specs(
        cls, value: dict[str, str | MetricSpec], info: ValidationInfo
    ) -> dict[str, str | MetricSpec]:
        specs: dict[str, str | MetricSpec] = {
            name: MetricSpec(pointer=spec) if isinstance(spec, str) else spec
            for name, spec in value.items()
        }
        base, hosts = info.data.get("url"), info.data.get("allowed_hosts", [])
        if base is not None:  # else url's own error is reported
            for name, spec in specs.items():
                assert isinstance(spec, MetricSpec)
                if spec.url is not None:
                    refused = refusal(httpx.URL(base), spec.url, hosts)
                    if refused:
                        raise ValueError(f"metric {name!r}: {refused}")
        return specs

    def metric_url(self, spec: MetricSpec) -> httpx.URL:
        base = httpx.URL(self.url)
        return base.join(spec.url) if spec.url else base

    def metric(self, name: str) -> MetricSpec:
        spec = self.metrics.get(name)
        if spec is None:
            known = ", ".join(sorted(self.metrics))
            raise ConfigError(f"metric {name!r} is not defined; this source defines: {known}")
        assert isinstance(spec, MetricSpec)
        return spec

    def refusal(self, url: httpx.URL | str) -> str | None:
        """Why okrsync may not send this source's requests (and token) to ``url``."""
        return refusal(httpx.URL(self.url), str(url), self.allowed_hosts)

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


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def refusal(base: httpx.URL, target: str, allowed_hosts: list[str]) -> str | None:
    """Why ``target`` (absolute, or relative to ``base``) may not be fetched, or None."""
    try:
        url = base.join(target)
    except (httpx.InvalidURL, TypeError):
        return f"{target!r} is not a valid URL"
    if url.scheme not in ("http", "https") or not url.host:
        return f"{target!r} is not an http(s) URL"
    if url.userinfo:
        return f"{target!r} holds credentials: put them in token, not in the URL"
    if _origin(url) != _origin(base) and url.host.lower() not in allowed_hosts:
        return (
            f"{url.scheme}://{url.netloc.decode()} is another origin than "
            f"the source's url, and the token is only sent there: use a URL on "
            f"{base.scheme}://{base.netloc.decode()}, or list {url.host} in allowed_hosts"
        )
    return None
