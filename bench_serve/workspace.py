"""The benchmark's okrsync workspace: ``okrsync.yaml`` (both sandboxes, ``serve:`` with
a webhook secret for each, ``broker:`` when given) and one mapping file per unit."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from okrsync_github_sandbox import TOKEN as GITHUB_TOKEN
from okrsync_sandbox import API_TOKEN as JIRA_TOKEN
from okrsync_sandbox import BOT_EMAIL

from bench_serve.layout import ITEMS, Unit

SERVE_TOKEN = "bench-serve-token-7d1c"
SECRETS = {"jira": "bench-jira-webhook-secret-41f2", "github": "bench-github-webhook-secret-c08e"}
ENV = {
    "BENCH_JIRA_TOKEN": JIRA_TOKEN,
    "BENCH_GITHUB_TOKEN": GITHUB_TOKEN,
    "OKRSYNC_SERVE_TOKEN": SERVE_TOKEN,
    "BENCH_JIRA_WEBHOOK_SECRET": SECRETS["jira"],
    "BENCH_GITHUB_WEBHOOK_SECRET": SECRETS["github"],
}


@dataclass(frozen=True)
class Workspace:
    folder: Path
    config: Path
    url: str  # where okrsync serve listens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cycle() -> str:
    today = datetime.now(UTC).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def mapping(unit: Unit, target: str, cycle: str) -> str:
    """One team's file: one KR counting its own project's (repository's) done items."""
    team = f"team-{unit.index:03d}"
    return (
        f"version: 1\ncycle: {cycle}\nteam: {team}\ndefaults: {{source: {unit.tool}}}\n"
        f"objectives:\n  - id: {team}-flow\n    title: Team {unit.index:03d} ships\n"
        f"    key_results:\n      - id: {unit.kr}\n        title: Team {unit.index:03d} closes"
        f" its work\n        select: {{query: '{unit.query}'}}\n        measure: done\n"
        f"        target: {ITEMS}\n        push:\n          - to: {unit.tool}\n"
        f"            issue: {target}\n            field: KR Progress\n"
    )


def write_workspace(
    folder: Path,
    *,
    jira_url: str,
    github_url: str,
    targets: dict[int, str],
    units: list[Unit],
    debounce: str,
    store: str | None,
    broker: str | None,
) -> Workspace:
    mappings = folder / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    cycle = _cycle()
    for unit in units:
        (folder / unit.file).write_text(mapping(unit, targets[unit.index], cycle))
    listen = f"127.0.0.1:{_free_port()}"
    config = folder / "okrsync.yaml"
    config.write_text(
        f"database: {store or 'sqlite:///okrsync.db'}\nmappings: [mappings/]\ntimezone: UTC\n"
        "connectors:\n"
        f"  jira:\n    type: jira\n    url: {jira_url}\n    email: {BOT_EMAIL}\n"
        "    token: ${BENCH_JIRA_TOKEN}\n"
        f"  github:\n    type: github\n    url: {github_url}\n"
        "    token: ${BENCH_GITHUB_TOKEN}\n    project: acme/5\n"
        f"serve:\n  listen: {listen}\n  token: ${{OKRSYNC_SERVE_TOKEN}}\n"
        f"  debounce: {debounce}\n  webhooks:\n"
        "    jira:\n      secret: ${BENCH_JIRA_WEBHOOK_SECRET}\n"
        "    github:\n      secret: ${BENCH_GITHUB_WEBHOOK_SECRET}\n"
        + (f"broker: {broker}\n" if broker else "")
    )
    return Workspace(folder, config, f"http://{listen}")
