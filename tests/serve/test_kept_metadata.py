"""What a serve runner keeps of the tools' set-up across runs (``okrsync.kept_metadata``):
the requests of a second run in the same process, counted on the sandboxes' logs, and
the freshness rule (a kept answer is read again after ``MAX_AGE``, or at once by the
run that meets something it does not know).

Two units, as the serve benchmark lays them out: unit 0 counts Jira project T000's done
tasks into its KR issue, unit 1 those of GitHub repository acme/team-001 into its KR
issue of acme/okrs (an item of project acme/5)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from okrsync_github.project import ProjectInfo
from okrsync_jira import JiraConnector
from okrsync_jira.settings import JiraSettings
from okrsync_sandbox import API_TOKEN, BOT_EMAIL
from okrsync_sandbox.catalog import DONE, TEAM_CONFIDENCE
from okrsync_sandbox.model import Status

from bench_serve.host import Sites
from bench_serve.layout import Unit, units
from bench_serve.workspace import ENV, Workspace, write_workspace
from okrsync.errors import StaleMetadata
from okrsync.items import Sprint
from okrsync.kept_metadata import MAX_AGE, KeptMetadata, keep_metadata, settings_key
from okrsync.serve.metrics import ServeMetrics
from okrsync.serve.queue import RunRequest
from okrsync.serve.worker import RunOutcome, UnitRunner
from okrsync.store import Store

JIRA, GITHUB = Unit(0), Unit(1)
FIELDS = ("GET", "/rest/api/3/field")
STATUSES = ("GET", "/rest/api/3/status")
BOARDS = ("GET", "/rest/agile/1.0/board")
SEARCH = ("POST", "/rest/api/3/search/jql")


@dataclass
class Served:
    sites: Sites
    workspace: Workspace
    runner: UnitRunner
    now: list[float]  # the kept answers' clock

    def run(self, unit: Unit) -> RunOutcome:
        outcome = self.runner(RunRequest(unit.file, "test"))
        assert (outcome.outcome, outcome.error) == ("ok", None)
        return outcome

    def jira(self) -> list[tuple[str, str]]:
        return [(e.method, e.path) for e in self.sites.jira.log.entries()]

    def github(self) -> list[tuple[str, str]]:
        """REST requests by path, GraphQL ones by the operation's name."""
        asked = []
        for entry in self.sites.github.log.entries():
            query = entry.body.get("query") if isinstance(entry.body, dict) else None
            words = str(query).split() if query else []
            asked.append((entry.method, words[1].split("(")[0] if words else entry.path))
        return asked


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    sites = Sites(2, 0.0)
    with sites.jira, sites.github:
        workspace = write_workspace(
            tmp_path,
            jira_url=sites.jira.url,
            github_url=sites.github.url,
            targets=sites.targets,
            units=units(2),
            debounce="2s",
            store=None,
            broker=None,
        )
        monkeypatch.chdir(tmp_path)
        store = Store.open(f"sqlite:///{tmp_path / 'okrsync.db'}")
        runner = UnitRunner(str(workspace.config), store, ServeMetrics(store.latest_results))
        now = [1000.0]
        runner.kept = KeptMetadata(clock=lambda: now[0])
        try:
            yield Served(sites, workspace, runner, now)
        finally:
            store.close()


def test_a_second_run_asks_the_tools_only_for_what_may_have_changed(served: Served) -> None:
    served.run(JIRA)
    served.run(GITHUB)
    # The first runs read the set-up: Jira's fields, statuses and T000's boards (it has
    # none, so no sprints), the GitHub project.
    assert {FIELDS, STATUSES, BOARDS} <= set(served.jira())
    assert ("POST", "Project") in served.github()
    for unit in (JIRA, GITHUB):
        served.sites.change(unit.index)
    served.sites.reset()
    assert served.run(JIRA).writes == 1
    assert served.run(GITHUB).writes == 1
    target = served.sites.targets[JIRA.index]
    # The changed issues, their count, changelogs and fields; the KR issue read, written.
    assert served.jira() == [
        SEARCH,
        ("POST", "/rest/api/3/search/approximate-count"),
        ("POST", "/rest/api/3/changelog/bulkfetch"),
        ("POST", "/rest/api/3/issue/bulkfetch"),
        ("GET", f"/rest/api/3/issue/{target}"),
        ("PUT", f"/rest/api/3/issue/{target}"),
    ]
    # The changed issues, their details; the KR issue's project item read once, then set.
    assert served.github() == [
        ("GET", "/search/issues"),
        ("POST", "Items"),
        ("POST", "IssueItem"),
        ("POST", "SetNumber"),
    ]


def test_a_kept_answer_is_read_again_once_it_is_max_age_old(served: Served) -> None:
    served.run(JIRA)
    served.run(GITHUB)
    served.now[0] += MAX_AGE - 1
    served.sites.reset()
    served.run(JIRA)
    served.run(GITHUB)
    assert not {FIELDS, STATUSES, BOARDS} & set(served.jira())
    assert ("POST", "Project") not in served.github()
    served.now[0] += 1
    served.sites.reset()
    served.run(JIRA)
    served.run(GITHUB)
    jira = served.jira()
    assert (jira.count(FIELDS), jira.count(STATUSES), jira.count(BOARDS)) == (1, 1, 1)
    assert served.github().count(("POST", "Project")) == 1


def test_a_field_added_since_is_found_by_the_run_that_pushes_to_it(served: Served) -> None:
    fields = served.sites.jira_state.fields
    confidence = fields.pop(TEAM_CONFIDENCE)
    served.run(JIRA)
    fields[TEAM_CONFIDENCE] = confidence
    mapping = served.workspace.folder / JIRA.file
    mapping.write_text(mapping.read_text().replace("KR Progress", "Team Confidence"))
    served.sites.reset()
    assert served.run(JIRA).writes == 1
    jira = served.jira()
    # Read once more when the kept catalog did not know the field, then not again.
    assert (jira.count(FIELDS), jira.count(STATUSES)) == (1, 1)
    target = served.sites.targets[JIRA.index]
    (put,) = served.sites.jira.log.entries("PUT", f"/rest/api/3/issue/{target}")
    assert put.body == {"fields": {TEAM_CONFIDENCE: 0.0}}


def test_a_status_added_since_is_known_to_the_run_that_meets_it(served: Served) -> None:
    served.run(JIRA)
    state = served.sites.jira_state
    shipped = state.add_status(Status("10900", "Shipped", DONE))
    state.projects[JIRA.scope].workflow.append(shipped)
    state.transition(f"{JIRA.scope}-1", "Shipped")
    served.sites.reset()
    served.run(JIRA)
    jira = served.jira()
    # The pull met status 10900 in the changelog: the catalog was read again and the
    # pull made again with it.
    assert (jira.count(FIELDS), jira.count(STATUSES), jira.count(SEARCH)) == (1, 1, 2)
    with sqlite3.connect(served.workspace.folder / "okrsync.db") as db:
        recorded = db.execute(
            "SELECT from_value, to_value FROM changes WHERE key = ? AND field = ?",
            (f"{JIRA.scope}-1", "status_category"),
        ).fetchall()
    assert recorded == [("todo", "done")]


def _jira_settings(url: str, token: str = API_TOKEN) -> dict[str, Any]:
    return {"type": "jira", "url": url, "email": BOT_EMAIL, "token": token}


async def _catalogs(url: str, times: int) -> None:
    for _ in range(times):
        async with JiraConnector("jira", _jira_settings(url)) as connector:
            await connector.catalog()


def test_connectors_share_the_set_up_only_where_a_runner_keeps_it(served: Served) -> None:
    url = served.sites.jira.url
    asyncio.run(_catalogs(url, 2))  # as one-shot commands: each connector reads it
    assert served.jira().count(FIELDS) == 2
    served.sites.reset()
    with keep_metadata(KeptMetadata()):
        asyncio.run(_catalogs(url, 2))
    assert served.jira().count(FIELDS) == 1


def test_the_settings_key_tells_tokens_apart_and_shows_none() -> None:
    one = JiraSettings.load(_jira_settings("https://acme.atlassian.net"), instance="jira")
    other = JiraSettings.load(
        _jira_settings("https://acme.atlassian.net", "another-token-5d1e"), instance="jira"
    )
    assert settings_key(one) != settings_key(other)
    assert API_TOKEN not in settings_key(one)
    assert settings_key(one) == settings_key(
        JiraSettings.load(_jira_settings("https://acme.atlassian.net"), instance="jira")
    )


def _project(*, kept: bool) -> ProjectInfo:
    sprint = Sprint(source="github", id="it-1", name="Iteration 1", state="active")
    return ProjectInfo(
        id="PVT_1",
        ref="acme/5",
        number_fields={"KR Progress": "PVTF_1"},
        status_options=("Todo", "In Progress", "Done"),
        estimate_field=None,
        iteration_field="Iteration",
        in_progress=frozenset({"In Progress"}),
        sprints=(sprint,),
        kept=kept,
    )


def test_a_kept_github_project_refuses_an_option_or_iteration_it_does_not_know() -> None:
    kept, fresh = _project(kept=True), _project(kept=False)
    kept.check_known("Done", "it-1", source="github")
    kept.check_known(None, None, source="github")
    with pytest.raises(StaleMetadata, match="Status option 'In Review'"):
        kept.check_known("In Review", "it-1", source="github")
    with pytest.raises(StaleMetadata, match="iteration it-2"):
        kept.check_known("Done", "it-2", source="github")
    # Read just now, the project is as GitHub says: an unknown value is taken as it is.
    fresh.check_known("In Review", "it-2", source="github")
