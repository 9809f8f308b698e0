"""``python -m bench_serve.host --units N --latency S``: the Jira and GitHub sandboxes,
seeded for N units, in a process of their own, driven over stdin/stdout.

One JSON object per line on stdin, one answer per line on stdout:

    {"cmd": "change", "unit": n}   close the unit's next open item (as Ana, now)
    {"cmd": "writes"}              every KR write the sandboxes received, in order
    {"cmd": "requests"}            requests each sandbox answered since the last reset
    {"cmd": "reset"}               forget both request logs
    {"cmd": "quit"}

The first line written is ``{"jira": URL, "github": URL, "targets": {...}}`` once both
serve: ``targets`` names each unit's KR issue (``OKR-7``, ``acme/okrs#12``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from okrsync_github_sandbox import GitHubSandbox, GitHubState
from okrsync_github_sandbox import build_dataset as build_github
from okrsync_github_sandbox.app import create_app as create_github_app
from okrsync_github_sandbox.model import Event, Issue
from okrsync_sandbox import SandboxServer, SandboxState
from okrsync_sandbox import build_dataset as build_jira
from okrsync_sandbox.catalog import KR_PROGRESS
from okrsync_sandbox.timeline import quarter_start

from bench_serve.layout import ITEMS, KR_REPO, Unit, units

ANA = "61a0b0c0d0e0f00000000002"  # the Jira sandbox's Ana, who does the work
_JIRA_ISSUE = re.compile(r"^/rest/api/[23]/issue/([A-Z][A-Z0-9]*-\d+)$")


class _Delayed:
    """An ASGI app answering every HTTP request ``seconds`` late (the GitHub sandbox has
    no latency knob of its own)."""

    def __init__(self, app: Any, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.seconds > 0:
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


class SlowGitHub(GitHubSandbox):
    def __init__(self, state: GitHubState, latency: float) -> None:
        super().__init__(state)
        self.latency = latency

    def _app(self) -> Any:
        return _Delayed(create_github_app(self.state), self.latency)


class Sites:
    """Both sandboxes, seeded: every unit's items open, its KR issue without progress."""

    def __init__(self, count: int, latency: float) -> None:
        self.jira_state = build_jira()
        self.github_state = build_github()
        # One token's hourly budget would not last the benchmark.
        self.github_state.budget.limit = self.github_state.budget.remaining = 10**9
        created = datetime.combine(
            quarter_start(datetime.now().astimezone()), datetime.min.time()
        ).astimezone() + timedelta(days=1)
        self.items: dict[int, list[str]] = {}
        self.done: dict[int, int] = {}
        self.targets: dict[int, str] = {}
        for unit in units(count):
            seed = self._seed_jira if unit.tool == "jira" else self._seed_github
            self.items[unit.index] = seed(unit, created)
            self.done[unit.index] = 0
        self._items_of = {
            item_id: key for key, item_id in self._project().items.items()
        }  # GitHub project item id -> issue key
        self.jira = SandboxServer(self.jira_state)
        self.jira.latency = latency
        self.github = SlowGitHub(self.github_state, latency)

    def _project(self) -> Any:
        project = self.github_state.project
        assert project is not None
        return project

    def _seed_jira(self, unit: Unit, created: datetime) -> list[str]:
        state: SandboxState = self.jira_state
        template = state.projects["BULK"]
        state.add_project(
            dataclasses.replace(
                template,
                id=str(20000 + unit.index),
                key=unit.scope,
                name=f"Team {unit.index:03d}",
                next_number=1,
            )
        )
        keys = [
            state.add_issue(unit.scope, "Task", f"Task {n}", created=created).key
            for n in range(1, ITEMS + 1)
        ]
        target = state.add_issue("OKR", "Key Result", f"KR of team {unit.index:03d}")
        self.targets[unit.index] = target.key
        return keys

    def _seed_github(self, unit: Unit, created: datetime) -> list[str]:
        state = self.github_state
        state.repos[unit.scope] = len(state.repos) + 1
        keys = [self._github_issue(unit.scope, n, created).key for n in range(1, ITEMS + 1)]
        number = state.next_number(KR_REPO)
        target = self._github_issue(KR_REPO, number, created)
        state.add_to_project(target)
        self.targets[unit.index] = target.key
        return keys

    def _github_issue(self, repo: str, number: int, created: datetime) -> Issue:
        return self.github_state.add_issue(repo, number, f"Work item {number}", created)

    def change(self, index: int) -> dict[str, Any]:
        """Close unit ``index``'s next open item; its key and the unit's changes so far."""
        done = self.done[index]
        if done >= ITEMS:
            raise ValueError(f"unit {index} has no open item left")
        key = self.items[index][done]
        if Unit(index).tool == "jira":
            ana = self.jira_state.users[ANA]
            self.jira_state.transition(key, "Done", author=ana)
        else:
            with self.github_state.lock:
                issue = self.github_state.issues[key]
                at = self.github_state.clock()
                issue.apply(Event("closed", at, "ana", "COMPLETED", self.github_state.next_id()))
        self.done[index] = done + 1
        return {"item": key, "changes": done + 1, "at": time.time()}

    def writes(self) -> list[dict[str, Any]]:
        """Each write as (tool, target, value, at); a write that is no KR progress has
        ``value`` None and its path as ``target``."""
        found = []
        for entry in self.jira.writes:
            match = _JIRA_ISSUE.match(entry.path)
            fields = entry.body.get("fields") if isinstance(entry.body, dict) else None
            if match and entry.method == "PUT" and isinstance(fields, dict):
                value = fields.get(KR_PROGRESS)
                found.append(("jira", match.group(1), value, entry.at))
            else:
                found.append(("jira", f"{entry.method} {entry.path}", None, entry.at))
        for entry in self.github.writes:
            variables = entry.body.get("variables") if isinstance(entry.body, dict) else None
            item = self._items_of.get(variables.get("item", "")) if variables else None
            if item is not None and variables is not None:
                found.append(("github", item, variables.get("number"), entry.at))
            else:
                found.append(("github", f"{entry.method} {entry.path}", None, entry.at))
        found.sort(key=lambda write: write[3])
        return [dict(zip(("tool", "target", "value", "at"), w, strict=True)) for w in found]

    def requests(self) -> dict[str, int]:
        return {"jira": len(self.jira.log), "github": len(self.github.log)}

    def reset(self) -> None:
        self.jira.reset_log()
        self.github.log.clear()


def _answer(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def serve(count: int, latency: float) -> None:
    sites = Sites(count, latency)
    with sites.jira, sites.github:
        _answer({"jira": sites.jira.url, "github": sites.github.url, "targets": sites.targets})
        for line in sys.stdin:
            command = json.loads(line)
            name = command.get("cmd")
            try:
                if name == "change":
                    _answer(sites.change(int(command["unit"])))
                elif name == "writes":
                    _answer({"writes": sites.writes()})
                elif name == "requests":
                    _answer(sites.requests())
                elif name == "reset":
                    sites.reset()
                    _answer({"ok": True})
                elif name == "quit":
                    _answer({"ok": True})
                    return
                else:
                    _answer({"error": f"unknown command {name!r}"})
            except (KeyError, ValueError) as problem:
                _answer({"error": str(problem)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench_serve.host", description=__doc__)
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    serve(args.units, args.latency)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
