"""The sandbox's faster paths answer exactly what the plain ones do: id and key pages
written straight to JSON, the fields an issue shows, timestamps, and the parts of a
page its issues share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from okrsync_sandbox import SandboxServer, build_dataset, render
from okrsync_sandbox.jql import run_query
from sandbox_times import ANCHOR

SEARCH = "/rest/api/3/search/jql"


@pytest.fixture(scope="module")
def big() -> Iterator[SandboxServer]:
    with SandboxServer(build_dataset(ANCHOR.date(), extra_issues=30)) as server:
        yield server


def rendered_page(server: SandboxServer, jql: str, fields: list[str] | None, start: int) -> bytes:
    """The page as ``render.issue`` and Starlette's ``JSONResponse`` make it."""
    state = server.state
    view = render.View(server.url, state.bot, state, 3)
    found = run_query(state, jql, state.bot)
    page = found[start : start + 20]
    body: dict[str, object] = {"issues": [render.issue(i, view, fields=fields) for i in page]}
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@pytest.mark.parametrize(("fields", "shown"), [(["key"], []), (["id"], None)])
def test_pages_of_ids_or_keys_are_what_rendering_gives(
    big: SandboxServer, fields: list[str], shown: list[str] | None
) -> None:
    jql = "project = BULK ORDER BY key"
    with httpx.Client(base_url=big.url, auth=big.auth) as http:
        first = http.post(SEARCH, json={"jql": jql, "fields": fields, "maxResults": 20})
        token = first.json()["nextPageToken"]
        last = http.post(
            SEARCH, json={"jql": jql, "fields": fields, "maxResults": 20, "nextPageToken": token}
        )
    assert first.headers["content-type"] == "application/json"
    expected_first = rendered_page(big, jql, shown, 0)[:-1]
    assert first.content == expected_first + f',"nextPageToken":"{token}","isLast":false}}'.encode()
    assert last.content == rendered_page(big, jql, shown, 20)[:-1] + b',"isLast":true}'
    assert len(last.json()["issues"]) == 10


def test_an_issue_shows_the_fields_select_fields_names_in_its_order() -> None:
    state = build_dataset(ANCHOR.date(), extra_issues=20)
    view = render.View("http://x", state.bot, state, 3)
    requests = [list(state.fields), ["customfield_10020", "parent", "summary"], ["labels"], []]
    for issue in state.issues:
        for requested in requests:
            body = render.issue(issue, view, fields=requested)
            assert list(body["fields"]) == render.select_fields(requested, issue, state)


@pytest.mark.parametrize(
    ("zone", "moment", "shown"),
    [
        ("UTC", datetime(2027, 1, 5, 9, 3, 7, 45_000, UTC), "2027-01-05T09:03:07.045+0000"),
        ("Europe/Berlin", datetime(2027, 7, 1, 22, 0, tzinfo=UTC), "2027-07-02T00:00:00.000+0200"),
        ("America/St_Johns", datetime(2027, 1, 5, 12, tzinfo=UTC), "2027-01-05T08:30:00.000-0330"),
        # Before 1892 Berlin kept its local mean time, 53 min 28 s ahead of UTC.
        ("Europe/Berlin", datetime(1880, 1, 1, tzinfo=UTC), "1880-01-01T00:53:28.000+005328"),
    ],
)
def test_timestamps_keep_jiras_form(zone: str, moment: datetime, shown: str) -> None:
    assert render.timestamp(moment, ZoneInfo(zone)) == shown


def test_a_page_renders_what_its_issues_share_once() -> None:
    state = build_dataset(ANCHOR.date(), extra_issues=20)
    view = render.View("http://x", state.bot, state, 3)
    same_status = [
        i for i in state.by_project["BULK"] if i.status is state.by_project["BULK"][0].status
    ]
    first, second = (render.issue(i, view, fields=["status", "project"]) for i in same_status[:2])
    assert first["fields"]["status"] is second["fields"]["status"]
    assert first["fields"]["project"] is second["fields"]["project"]
    # Another request renders its own: a change between requests is always seen.
    other = render.issue(
        same_status[0], render.View("http://x", state.bot, state, 3), fields=["status"]
    )
    assert other["fields"]["status"] == first["fields"]["status"]
    assert other["fields"]["status"] is not first["fields"]["status"]
