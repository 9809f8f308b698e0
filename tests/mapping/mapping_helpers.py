"""Helpers for the mapping tests: project trees on disk and the contract's examples."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from okrsync.config import ENV_NAMES
from okrsync.errors import Problem
from okrsync.mapping.loader import load_mapping_text

REPO = Path(__file__).resolve().parents[2]
CONTRACT_CANDIDATES = (
    REPO.parent / "shared" / "design" / "mapping-language.md",
    REPO / "docs" / "mapping-language.md",
)


def isolate(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Run in ``folder`` with no okrsync variables from the caller's environment."""
    for name in (*ENV_NAMES.values(), "OKRSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(folder)


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def problems_in(text: str, file: str = "m.yaml") -> list[str]:
    """The problems of one mapping file on its own, as ``FILE:LINE:COL: error: ...``."""
    _doc, problems = load_mapping_text(textwrap.dedent(text).lstrip("\n"), file)
    return [str(p) for p in sorted(problems, key=lambda p: (p.line, p.column, p.message))]


def contract_text() -> str:
    for path in CONTRACT_CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise AssertionError(f"the contract is missing: looked at {CONTRACT_CANDIDATES}")


def contract_yaml_blocks() -> list[str]:
    """Every ```yaml block of the contract, exactly as written."""
    return re.findall(r"```yaml\n(.*?)```", contract_text(), re.S)


def strs(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


# A valid mapping file that other tests change one thing in.
BASE_MAPPING = """
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

CONFIG = """
connectors:
  jira:
    type: jira
    url: https://acme.atlassian.net
    email: okr-bot@acme.com
    token: plain-test-token
"""
