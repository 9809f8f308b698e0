"""``okrsync demo``: the whole loop, offline, against the bundled Jira and GitHub sandboxes.

Both sandboxes seed a quarter that starts on ``DEMO_CYCLE_START``: the Jira site (teams
checkout and payments) and the GitHub organization acme (team shop-app). Their clocks
run on from just after the Jira site's last recorded activity, so the demo evaluates
"now" in the middle of that quarter, and the results are the same on every machine.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from okrsync import runs
from okrsync.cli.progress import pull_progress
from okrsync.cli.tables import plural, results_table, writes_table
from okrsync.errors import ConfigError

if TYPE_CHECKING:
    from okrsync_github_sandbox import GitHubState
    from okrsync_sandbox import SandboxState

    from okrsync.project import Project
    from okrsync.store import Store

DEMO_CYCLE_START = date(2027, 1, 1)
TOKEN_VARIABLE = "OKRSYNC_DEMO_JIRA_TOKEN"
GITHUB_TOKEN_VARIABLE = "OKRSYNC_DEMO_GITHUB_TOKEN"
EXAMPLE_FILES = ("checkout.yaml", "company.yaml", "payments.yaml", "shop-app.yaml")
# What the demo's last lines suggest: the README's walkthrough, on a sandbox of one's own.
NEXT_STEPS = (
    "Next, the README's walkthrough on a sandbox of your own:",
    "  python -m okrsync_sandbox    # in a second terminal: Jira, seeded this quarter",
    "  okrsync init --sandbox       # writes okrsync.yaml and mappings/my-team.yaml",
    "  okrsync validate && okrsync plan && okrsync apply",
)


def example_mappings() -> list[Path]:
    """The repository's example mappings, which the demo syncs: named one by one, so a
    file of the user's own next to them (the README's first mapping) changes nothing."""
    folder = Path(__file__).resolve().parent.parent / "mappings"
    files = [folder / name for name in EXAMPLE_FILES]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise ConfigError(
            f"the demo syncs the example mappings in {folder}, but {', '.join(missing)} "
            "is missing: run it from a clone of the okrsync repository"
        )
    return files


def sandbox_present(state: SandboxState) -> datetime:
    """Just after the seeded site's last activity: the demo's "now"."""
    latest = max(issue.updated for issue in state.issues)
    return latest.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(hours=1)


def start_clock_at(state: SandboxState | GitHubState, present: datetime) -> None:
    """Make a sandbox's clock run on from ``present`` at wall-clock speed, so that
    writes made during the demo are later than everything seeded."""
    wall_start = datetime.now(UTC)

    def clock() -> datetime:
        moment = present + (datetime.now(UTC) - wall_start)
        # Jira keeps milliseconds: an issue's ``updated`` must equal what it shows,
        # or a pull's cursor (its newest ``updated``) would not cover the issue itself.
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    state.clock = clock


def write_demo_config(
    folder: Path, jira_url: str, email: str, github_url: str, mappings: list[Path]
) -> Path:
    config = folder / "okrsync.yaml"
    config.write_text(
        f"database: sqlite:///{folder / 'okrsync.db'}\n"
        f"mappings: [{', '.join(str(m) for m in mappings)}]\n"
        "timezone: Europe/Berlin\n"
        "connectors:\n"
        "  jira:\n"
        "    type: jira\n"
        f"    url: {jira_url}\n"
        f"    email: {email}\n"
        f"    token: ${{{TOKEN_VARIABLE}}}\n"
        "  github:\n"
        "    type: github\n"
        f"    url: {github_url}\n"
        f"    token: ${{{GITHUB_TOKEN_VARIABLE}}}\n"
        "    project: acme/5\n"
    )
    return config


def run_demo(out: Console, err: Console) -> None:
    from okrsync_github_sandbox import GitHubSandbox
    from okrsync_github_sandbox import build_dataset as build_organization
    from okrsync_sandbox import API_TOKEN, BOT_EMAIL, SandboxServer, build_dataset

    from okrsync.project import load_project
    from okrsync.store import Store

    mappings = example_mappings()
    site, organization = build_dataset(DEMO_CYCLE_START), build_organization(DEMO_CYCLE_START)
    present = sandbox_present(site)
    start_clock_at(site, present)
    start_clock_at(organization, present)
    with (
        tempfile.TemporaryDirectory(prefix="okrsync-demo-") as tmp,
        SandboxServer(site) as jira,
        GitHubSandbox(organization) as github,
    ):
        out.print(
            Text.assemble(("okrsync demo", "bold"), f" — as of {present:%Y-%m-%d %H:%M} UTC"),
            highlight=False,
        )
        out.print(f"Jira sandbox at {jira.url}, GitHub sandbox at {github.url}", highlight=False)
        os.environ[TOKEN_VARIABLE] = API_TOKEN
        os.environ[GITHUB_TOKEN_VARIABLE] = github.token
        config = write_demo_config(Path(tmp), jira.url, BOT_EMAIL, github.url, mappings)
        project = load_project(str(config))
        store = Store.open(project.database_url)
        with (
            store.run_lock(),
            runs.RunRecorder(store, "sync", present, started=present) as run,
            pull_progress(err) as progress,
        ):
            fresh, applied = asyncio.run(runs.sync(project, store, present, run, progress))
        out.print(
            results_table(fresh.to_dict(), title="Objectives and key results", width=out.width)
        )
        entries = [
            {"kr": a.write.target.kr_id, **a.write.to_dict(), "target": a.issue or "—"}
            for a in applied
        ]
        title = f"{plural(len(applied), 'write')} pushed back to Jira and GitHub"
        out.print(writes_table(entries, title=title, width=out.width))
        out.print(
            f"pulled {plural(run.pulled.get('items_fetched', 0), 'item')} in "
            f"{plural(run.pulled.get('requests', 0), 'request')}; "
            f"write requests received: Jira {len(jira.writes)}, GitHub {len(github.writes)}"
        )
        with store.run_lock(), runs.RunRecorder(store, "plan", present, started=present) as run:
            again = asyncio.run(_plan_again(project, store, present, run))
        out.print(
            f"a second plan finds {plural(again, 'write')} pending"
            + (": every KR issue shows the latest result" if again == 0 else "")
        )
        store.close()
    out.print()
    for line in NEXT_STEPS:
        out.print(line, highlight=False)


async def _plan_again(
    project: Project, store: Store, present: datetime, run: runs.RunRecorder
) -> int:
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        await runs.pull_into_run(project, store, connector_for, run, None)
        plan = await runs.plan(project, store, connector_for, present, run)
        return plan.pending
