"""Three tools at once for the end-to-end test across tools: the Jira sandbox, the GitHub
sandbox and a real Redmine, each seeded with a few items of a payouts team whose history
lies in 2027-Q1, and a workspace whose okrsync.yaml names all of them.

Instants are UTC. The Jira and GitHub items are added here to the sandboxes' seeded
sites (in Jira's empty project BULK, and in a repository ``acme/ops-app`` of GitHub's
organization); the Redmine ones by across_tools_seed.rb (project ``ops``, issues 7-9).

Instants are in 2027; "start" is the move into an in-progress status, "done" (Jira
Done, GitHub closed as completed, Redmine Closed) the final one into done.

| tool | item | type | estimate | created | start | done |
|---|---|---|---|---|---|---|
| jira | BULK-1 | Story | 3 | 01-02 10:00 | 01-03 09:00 | 01-08 15:00 |
| jira | BULK-2 | Story | 5 | 01-02 11:00 | 01-10 09:00 | 01-25 12:00 |
| jira | BULK-3 | Bug | 2 | 01-12 09:00 | – | 01-14 10:00 |
| jira | BULK-4 | Story | 8 | 01-04 10:00 | 01-20 10:00 | – |
| github | acme/ops-app#1 | Story; xtool | 5 | 01-03 10:00 | 01-05 09:00 | 01-09 12:00 |
| github | acme/ops-app#2 | Bug; xtool, urgent | 3 | 01-04 10:00 | 01-15 09:00 | 01-18 10:00 |
| github | acme/ops-app#3 | Task; xtool | 2 | 01-15 10:00 | 01-22 10:00 | – |
| github | acme/ops-app#4 | Task; xtool | 8 | 01-03 12:00 | – | not planned 01-06 10:00 |
| redmine | 7 | Story | 3 | 01-02 09:00 | 01-03 09:00 | 01-12 16:00 |
| redmine | 8 | Bug | 1 | 01-05 09:00 | – | 01-07 12:00 |
| redmine | 9 | Story | 5 | 01-16 09:00 | 01-18 10:00 | – |

GitHub's issues are on project acme/5 (Status Todo from creation, then as listed) with
their Estimate; GitHub keeps no history of that field, so okrsync knows it only from
its first pull on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import time_machine
from okrsync_github_sandbox import FIXED_ANCHOR, TOKEN, GitHubSandbox
from okrsync_github_sandbox import build_dataset as build_github
from okrsync_github_sandbox.model import Event
from okrsync_sandbox import API_TOKEN, BOT_EMAIL, SandboxServer, build_dataset
from okrsync_sandbox.catalog import STORY_POINTS
from typer.testing import CliRunner

from okrsync.cli import app
from okrsync.demo import sandbox_present, start_clock_at
from tests.e2e.e2e_harness import Outcome
from tests.redmine.fault_proxy import FaultProxy
from tests.redmine.redmine_server import API_KEY, redmine_server, seeded_copy

REDMINE_SEED = Path(__file__).with_name("across_tools_seed.rb")
ENV = {"XT_JIRA_TOKEN": API_TOKEN, "XT_GITHUB_TOKEN": TOKEN, "XT_REDMINE_KEY": API_KEY}


def utc(text: str) -> datetime:
    """``"01-08 15:00"``: that instant of 2027, UTC."""
    return datetime.fromisoformat(f"2027-{text}").replace(tzinfo=UTC)


# (type, summary, points, created, [(instant, status), ...])
JIRA_ITEMS = [
    ("Story", "Payout retries", 3, "01-02 10:00",
     [("01-03 09:00", "In Progress"), ("01-08 15:00", "Done")]),
    ("Story", "Payout limits", 5, "01-02 11:00",
     [("01-10 09:00", "In Progress"), ("01-25 12:00", "Done")]),
    ("Bug", "Payout sent twice", 2, "01-12 09:00", [("01-14 10:00", "Done")]),
    ("Story", "Payout statements", 8, "01-04 10:00", [("01-20 10:00", "In Progress")]),
]  # fmt: skip

# (number, type, labels, estimate, created, [(instant, event kind, value), ...])
GITHUB_ITEMS: list[tuple[int, str, list[str], float, str, list[tuple[str, str, str | None]]]] = [
    (1, "Story", ["xtool"], 5, "01-03 10:00",
     [("01-05 09:00", "status", "In Progress"), ("01-09 12:00", "closed", "COMPLETED"),
      ("01-09 12:00", "status", "Done")]),
    (2, "Bug", ["xtool", "urgent"], 3, "01-04 10:00",
     [("01-15 09:00", "status", "In Progress"), ("01-18 10:00", "closed", "COMPLETED"),
      ("01-18 10:00", "status", "Done")]),
    (3, "Task", ["xtool"], 2, "01-15 10:00", [("01-22 10:00", "status", "In Progress")]),
    (4, "Task", ["xtool"], 8, "01-03 12:00", [("01-06 10:00", "closed", "NOT_PLANNED")]),
]  # fmt: skip


def seed_jira(jira: SandboxServer) -> None:
    state = jira.state
    for kind, summary, points, created, moves in JIRA_ITEMS:
        issue = state.add_issue(
            "BULK", kind, summary, created=utc(created), fields={STORY_POINTS: points}
        )
        for instant, status in moves:
            state.transition(issue.key, status, at=utc(instant))


def github_state() -> Any:
    """The GitHub sandbox's organization with the payouts repository added."""
    state = build_github(FIXED_ANCHOR)
    repo = "acme/ops-app"
    state.repos[repo] = len(state.repos) + 1
    assert state.project is not None
    for number, kind, labels, estimate, created, events in GITHUB_ITEMS:
        issue = state.add_issue(
            repo, number, f"Payouts {number}", utc(created), issue_type=kind, labels=list(labels)
        )
        state.add_to_project(issue, {"Estimate": float(estimate)})
        issue.apply(Event("status", utc(created), "ana", "Todo", state.next_id()))
        for instant, what, value in events:
            issue.apply(Event(what, utc(instant), "ana", value, state.next_id()))  # type: ignore[arg-type]
    return state


@dataclass
class Tools:
    jira: SandboxServer
    github: GitHubSandbox
    redmine: FaultProxy  # in front of the real Redmine; counts its writing requests
    redmine_url: str  # the Redmine itself, to read what it holds


@contextmanager
def three_tools(template: Path, folder: Path) -> Iterator[Tools]:
    """The three tools on loopback; the process lives at the Jira sandbox's present
    (2027-02-16 16:00, the clock running), after every seeded instant."""
    seeded = seeded_copy(template, _made(folder / "seed"), REDMINE_SEED)
    state = build_dataset(FIXED_ANCHOR)
    present = sandbox_present(state)
    with ExitStack() as stack:
        url = stack.enter_context(redmine_server(seeded, _made(folder / "redmine")))
        proxy = stack.enter_context(FaultProxy(url))
        stack.enter_context(time_machine.travel(present, tick=True))
        start_clock_at(state, present)
        jira = stack.enter_context(SandboxServer(state))
        seed_jira(jira)
        github = stack.enter_context(GitHubSandbox(github_state()))
        yield Tools(jira, github, proxy, url)


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ToolsWorkspace:
    """A folder with one mapping file and an okrsync.yaml naming the three tools (and a
    second Jira instance on the same site, ``jira-archive``)."""

    def __init__(self, folder: Path, tools: Tools, mapping: str) -> None:
        self.folder = folder
        self.config = folder / "okrsync.yaml"
        self.mapping = folder / "mappings" / "payouts.yaml"
        self.mapping.parent.mkdir(parents=True, exist_ok=True)
        self.mapping.write_text(mapping)
        jira = f"    type: jira\n    url: {tools.jira.url}\n    email: {BOT_EMAIL}\n"
        self.config.write_text(
            f"database: sqlite:///{folder / 'okrsync.db'}\n"
            f"mappings: [{self.mapping.parent}]\n"
            "timezone: Europe/Berlin\n"
            "connectors:\n"
            f"  jira:\n{jira}    token: ${{XT_JIRA_TOKEN}}\n"
            f"  jira-archive:\n{jira}    token: ${{XT_JIRA_TOKEN}}\n"
            "  github:\n"
            "    type: github\n"
            f"    url: {tools.github.url}\n"
            "    token: ${XT_GITHUB_TOKEN}\n"
            "    project: acme/5\n"
            "  redmine:\n"
            "    type: redmine\n"
            f"    url: {tools.redmine.url}\n"
            "    token: ${XT_REDMINE_KEY}\n"
        )

    def run(self, *args: str) -> Outcome:
        """``okrsync --config okrsync.yaml ARGS`` in this process; no secret shows."""
        full = ("--config", str(self.config), *args)
        result = CliRunner().invoke(app, list(full), env={**ENV, "COLUMNS": "80"})
        outcome = Outcome(full, result.exit_code, result.stdout, result.stderr, result.exception)
        for secret in ENV.values():
            assert secret not in outcome.stdout + outcome.stderr, outcome
        return outcome

    def ok(self, *args: str) -> Outcome:
        """``run``, which must succeed (a plan with pushes pending exits 2)."""
        outcome = self.run(*args)
        assert outcome.exit_code in ((0, 2) if args[0] == "plan" else (0,)), outcome
        return outcome
