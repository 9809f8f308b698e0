"""What a long-lived process keeps of a real Redmine's set-up across runs
(``okrsync.kept_metadata``): the catalog (statuses, trackers, projects) and each
project's versions are read by the first run only; the API key is checked by every run;
a kept catalog or version list that misses what an issue names is read again at once,
and the run's result is the same as a fresh one's."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from okrsync_redmine import RedmineConnector
from okrsync_redmine.catalog import Catalog
from okrsync_redmine.settings import RedmineSettings
from redmine_server import API_KEY

from okrsync.connector import PullBatch, PullDone, PullRequest, PushTarget
from okrsync.errors import StaleMetadata
from okrsync.kept_metadata import KeptMetadata, keep_metadata, settings_key

UTC = ZoneInfo("UTC")
QUERY = "project_id=shop"
CATALOG = ["/issue_statuses.json", "/trackers.json", "/projects.json"]
CLOSED = 5  # seed.rb: Redmine's default status "Closed"
SPRINT_2 = "2"


class Recording(httpx.AsyncHTTPTransport):
    """Remembers the path of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


def _settings(url: str) -> dict[str, Any]:
    return {"type": "redmine", "url": url, "token": API_KEY}


def _run(url: str) -> tuple[list[str], PullBatch, PullDone]:
    """One run's pull of the shop project: the paths it asked for, what it found."""

    async def pull() -> tuple[list[str], PullBatch, PullDone]:
        transport = Recording()
        found = PullBatch(items=[], changes=[])
        done: list[PullDone] = []
        async with RedmineConnector("redmine", _settings(url), transport=transport) as c:
            async for event in c.pull(PullRequest(QUERY, timezone=UTC)):
                if isinstance(event, PullDone):
                    done.append(event)
                else:
                    found.items.extend(event.items)
                    found.changes.extend(event.changes)
        return transport.paths, found, done[0]

    return asyncio.run(pull())


def _seen(found: PullBatch, done: PullDone) -> tuple[Any, ...]:
    items = sorted((i.key, i.status, i.status_category, i.project, i.sprints) for i in found.items)
    changes = sorted((c.key, c.at, c.field, c.from_value, c.to_value) for c in found.changes)
    sprints = sorted((s.id, s.name, s.state, s.end) for s in done.sprints)
    return items, changes, sprints, sorted(done.members)


def _key(url: str, what: str) -> tuple[str, str, str]:
    settings = RedmineSettings.load(_settings(url), instance="redmine")
    return ("redmine", settings_key(settings), what)


def test_a_second_run_reads_no_catalog_but_checks_the_key(redmine: str) -> None:
    fresh_paths, *fresh = _run(redmine)
    kept = KeptMetadata()
    with keep_metadata(kept):
        first_paths, *first = _run(redmine)
        second_paths, *second = _run(redmine)

    assert _seen(*first) == _seen(*second) == _seen(*fresh)
    assert first_paths == fresh_paths
    for path in [*CATALOG, "/projects/1/versions.json"]:
        assert first_paths.count(path) == 1, path
        assert second_paths.count(path) == 0, path
    # Every run makes sure Redmine knows the key: an unknown one is served as anonymous.
    assert second_paths.count("/users/current.json") == 1
    assert len(second_paths) == len(first_paths) - 4


def test_a_kept_catalog_without_an_issues_status_is_read_again(redmine: str) -> None:
    kept = KeptMetadata()
    with keep_metadata(kept):
        _, *first = _run(redmine)
        catalog: Catalog = kept.get(_key(redmine, "catalog"))
        statuses = {sid: known for sid, known in catalog.statuses.items() if sid != CLOSED}
        kept.put(_key(redmine, "catalog"), replace(catalog, statuses=statuses))
        paths, *again = _run(redmine)
        # Read once more, and kept: the run after it reads nothing again.
        assert CLOSED in kept.get(_key(redmine, "catalog")).statuses
        after, *_ = _run(redmine)

    assert _seen(*again) == _seen(*first)
    for path in CATALOG:
        assert paths.count(path) == 1, path
        assert after.count(path) == 0, path


def test_kept_versions_without_an_issues_sprint_are_read_again(redmine: str) -> None:
    kept = KeptMetadata()
    with keep_metadata(kept):
        _, *first = _run(redmine)
        versions = kept.get(_key(redmine, "versions:1"))
        kept.put(_key(redmine, "versions:1"), [v for v in versions if str(v["id"]) != SPRINT_2])
        paths, *again = _run(redmine)

    assert SPRINT_2 in {s.id for s in again[1].sprints}
    assert _seen(*again) == _seen(*first)
    assert paths.count("/projects/1/versions.json") == 1
    assert not any(path in paths for path in CATALOG)


def test_a_fresh_catalog_falls_back_for_what_it_does_not_know() -> None:
    """A status deleted since a journal named it: a catalog just read names it by id;
    a kept view of that catalog takes it as known-absent, not as news."""
    catalog = Catalog(
        statuses={1: ("New", False)},
        trackers={},
        in_progress=frozenset(),
        projects={},
        project_ids={},
    )
    assert catalog.status_name(9) == "status 9"
    assert catalog.project(7) == "7"
    view = catalog.kept_view()
    assert (view.status_name(9), view.project(7)) == ("status 9", "7")
    with pytest.raises(StaleMetadata, match="status 8 is not among the statuses"):
        view.status_name(8)
    with pytest.raises(StaleMetadata, match="project 6 is not among the projects"):
        view.project(6)


def test_a_write_to_a_tracker_the_kept_catalog_lacks_reads_it_again(redmine: str) -> None:
    target = PushTarget(
        kr_id="kr", to="redmine", what="create", create={"project": "okr", "type": "Key Result"}
    )

    async def find_created() -> tuple[Any, list[str]]:
        transport = Recording()
        async with RedmineConnector("redmine", _settings(redmine), transport=transport) as c:
            return await c.read(target), transport.paths

    fresh, _ = asyncio.run(find_created())
    kept = KeptMetadata()
    with keep_metadata(kept):
        asyncio.run(find_created())
        catalog: Catalog = kept.get(_key(redmine, "catalog"))
        trackers = {name: tid for name, tid in catalog.trackers.items() if name != "key result"}
        kept.put(_key(redmine, "catalog"), replace(catalog, trackers=trackers))
        again, paths = asyncio.run(find_created())

    assert again == fresh
    assert paths.count("/trackers.json") == 1
