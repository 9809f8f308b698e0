"""Helpers for the config tests: isolated folders and a fake connector registry."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from okrsync import connector
from okrsync.config import ENV_NAMES

MAPPING = """
version: 1
cycle: 2027-Q1
defaults:
  source: jira
objectives:
  - id: faster-checkout
    title: Shoppers breeze through checkout
    key_results:
      - id: ship-one-click
        title: Ship one-click checkout
        select: {query: parent = SHOP-100}
        measure: completion
"""


def isolate(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    for name in (*ENV_NAMES.values(), "OKRSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(folder)


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


class SiteSettings(BaseModel):
    """What a connector type's ``settings_model`` looks like."""

    model_config = ConfigDict(extra="forbid")

    url: str
    email: str | None = None
    token: SecretStr = Field(min_length=12)
    concurrency: int = Field(8, ge=1, le=32)


class FakeSite:
    settings_model = SiteSettings
    capabilities = connector.Capabilities(items=True, push=frozenset({"field", "comment"}))


class FakeMetrics:
    """A type without a settings model: its settings are passed through unchecked."""

    capabilities = connector.Capabilities(metrics=True)


class _EntryPoint:
    def __init__(self, loaded: Any) -> None:
        self.loaded = loaded

    def load(self) -> Any:
        if isinstance(self.loaded, Exception):
            raise self.loaded
        return self.loaded


def fake_registry(monkeypatch: pytest.MonkeyPatch, types: dict[str, Any]) -> None:
    """Replace the installed connector types (the entry points) with ``types``."""
    registry = {name: _EntryPoint(value) for name, value in types.items()}
    monkeypatch.setattr(connector, "connector_types", lambda: registry)
