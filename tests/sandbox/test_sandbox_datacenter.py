"""The sandbox's Data Center mode: REST v2 only, offset search, Epic Link, wiki markup.

Same seeded site as Cloud (DATASET.md), served the way Jira Data Center 9 serves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from okrsync_sandbox import PAT, SandboxServer, build_dataset
from sandbox_times import ANCHOR, NOW

SEARCH = "/rest/api/2/search"
SHOP_KEYS = [f"SHOP-{n}" for n in range(100, 117)]
ALL_SEEDED = 17 + 7 + 12  # SHOP, PAY, OKR


def _site() -> SandboxServer:
    state = build_dataset(ANCHOR.date(), deployment="Server")
    state.clock = lambda: NOW
    return SandboxServer(state)


@pytest.fixture(scope="module")
def dc() -> Iterator[httpx.Client]:
    """A read-only Data Center site, logged in with the Personal Access Token."""
    with (
        _site() as server,
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {PAT}"}) as http,
    ):
        yield http


@pytest.fixture
def writable() -> Iterator[tuple[SandboxServer, httpx.Client]]:
    with (
        _site() as server,
        httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {PAT}"}) as http,
    ):
        yield server, http


@pytest.mark.parametrize("deployment", ["Server", "DataCenter"])
def test_server_info_names_the_deployment_and_a_9x_version(deployment: str) -> None:
    state = build_dataset(ANCHOR.date())
    with SandboxServer(state, deployment=deployment) as server:  # type: ignore[arg-type]
        info = httpx.get(f"{server.url}/rest/api/2/serverInfo", auth=server.auth).json()
    assert info["deploymentType"] == deployment
    assert info["versionNumbers"][0] == 9
    assert info["version"].startswith("9.")


@pytest.mark.parametrize(
    "path",
    [
        "/rest/api/3/serverInfo",
        "/rest/api/3/issue/SHOP-104",
        "/rest/api/3/search/jql",
        "/rest/api/2/issue/SHOP-104/changelog",  # Data Center has no paged changelog
    ],
)
def test_cloud_only_apis_are_not_there(dc: httpx.Client, path: str) -> None:
    response = dc.get(path)
    assert response.status_code == 404
    assert response.json()["errorMessages"][0].startswith("null for uri: http://127.0.0.1:")


def test_bulk_endpoints_are_not_there(dc: httpx.Client) -> None:
    body = {"issueIdsOrKeys": ["SHOP-104"]}
    assert dc.post("/rest/api/3/issue/bulkfetch", json=body).status_code == 404
    assert dc.post("/rest/api/3/changelog/bulkfetch", json=body).status_code == 404


def test_search_pages_by_start_at_with_a_total(dc: httpx.Client) -> None:
    jql = "project = SHOP ORDER BY key"
    pages = [
        dc.get(SEARCH, params={"jql": jql, "startAt": start, "maxResults": 5, "fields": "key"})
        for start in (0, 5, 10, 15)
    ]
    bodies = [page.json() for page in pages]
    assert [(b["startAt"], b["maxResults"], b["total"]) for b in bodies] == [
        (0, 5, 17),
        (5, 5, 17),
        (10, 5, 17),
        (15, 5, 17),
    ]
    assert [i["key"] for b in bodies for i in b["issues"]] == SHOP_KEYS
    # Any page can be asked for directly, in any order: that is what makes them parallel.
    again = dc.post(SEARCH, json={"jql": jql, "startAt": 10, "maxResults": 5, "fields": ["key"]})
    assert again.json()["issues"] == bodies[2]["issues"]
    beyond = dc.get(SEARCH, params={"jql": jql, "startAt": 40}).json()
    assert (beyond["issues"], beyond["total"]) == ([], 17)


def test_search_page_sizes(dc: httpx.Client) -> None:
    default = dc.get(SEARCH, params={"jql": "project = SHOP"}).json()
    assert (default["maxResults"], len(default["issues"])) == (50, 17)
    capped = dc.get(SEARCH, params={"jql": "project = SHOP", "maxResults": 5000}).json()
    assert capped["maxResults"] == 1000
    count_only = dc.get(SEARCH, params={"jql": "project = PAY", "maxResults": 0}).json()
    assert (count_only["issues"], count_only["total"]) == ([], 7)
    assert dc.get(SEARCH, params={"jql": "project = PAY", "maxResults": "x"}).status_code == 400


def test_search_allows_unbounded_queries_and_rejects_bad_jql(dc: httpx.Client) -> None:
    everything = dc.post(SEARCH, json={"jql": "", "maxResults": 0}).json()
    assert everything["total"] == ALL_SEEDED
    bad = dc.post(SEARCH, json={"jql": "project = SHOP AND sprintt = 1"})
    assert bad.status_code == 400
    assert bad.json()["errorMessages"] == [
        "Field 'sprintt' does not exist or you do not have permission to view it."
    ]
    assert dc.post(SEARCH, json={"jql": "project = SHOP", "nextPageToken": "x"}).status_code == 400


def test_stories_name_their_epic_in_epic_link_and_subtasks_their_parent(
    dc: httpx.Client,
) -> None:
    fields = "summary,parent,customfield_10014,customfield_10020,assignee,description"
    page = dc.get(
        SEARCH, params={"jql": "key in (SHOP-104, SHOP-107) ORDER BY key", "fields": fields}
    ).json()
    story, subtask = page["issues"]
    assert story["key"] == "SHOP-104"
    assert story["fields"]["customfield_10014"] == "SHOP-100"
    assert "parent" not in story["fields"]
    assert subtask["fields"]["parent"]["key"] == "SHOP-104"
    # The Sprint field holds Data Center's strings; ids and states are inside.
    sprints = story["fields"]["customfield_10020"]
    assert [re.search(r"\bid=(\d+)", s).group(1) for s in sprints] == ["1", "2"]  # type: ignore[union-attr]
    assert all(s.startswith("com.atlassian.greenhopper.service.sprint.Sprint@") for s in sprints)
    assert "state=CLOSED" in sprints[0]
    # Users by name and key (no account ids); rich text as a string.
    assignee = story["fields"]["assignee"]
    assert (assignee["name"], assignee["key"], assignee["displayName"]) == (
        "chen",
        "chen",
        "Chen Wei",
    )
    assert "accountId" not in assignee
    assert story["fields"]["description"] == "One-click button on product page."
    assert story["self"].endswith("/rest/api/2/issue/10005")


def test_epic_link_is_searchable(dc: httpx.Client) -> None:
    page = dc.get(
        SEARCH, params={"jql": '"Epic Link" = SHOP-102 ORDER BY key', "fields": "key"}
    ).json()
    assert [i["key"] for i in page["issues"]] == ["SHOP-109", "SHOP-114"]


def test_changelog_is_complete_oldest_first_without_field_ids(
    writable: tuple[SandboxServer, httpx.Client],
) -> None:
    site, http = writable
    # 46 histories: more than Cloud's inline 40, all of which Data Center returns.
    for n in range(23):
        site.state.transition("SHOP-115", "In Progress" if n % 2 == 0 else "To Do")
        site.state.set_field("SHOP-115", "customfield_10016", 4 + n)
    histories = site.state.get("SHOP-115").histories
    assert len(histories) == 47
    page = http.post(
        SEARCH, json={"jql": "key = SHOP-115", "fields": ["key"], "expand": ["changelog"]}
    ).json()
    changelog = page["issues"][0]["changelog"]
    assert (changelog["total"], changelog["maxResults"], len(changelog["histories"])) == (
        47,
        47,
        47,
    )
    assert [h["id"] for h in changelog["histories"]] == [str(h.id) for h in histories]
    first = changelog["histories"][0]["items"][0]  # A+26d: estimate 2 → 3
    assert first == {
        "field": "Story point estimate",
        "fieldtype": "custom",
        "from": None,
        "fromString": "2",
        "to": None,
        "toString": "3",
    }
    single = http.get("/rest/api/2/issue/SHOP-115", params={"expand": "changelog"}).json()
    assert len(single["changelog"]["histories"]) == 47


def test_comments_are_wiki_markup_strings(writable: tuple[SandboxServer, httpx.Client]) -> None:
    site, http = writable
    seeded = http.get("/rest/api/2/issue/SHOP-104/comment").json()
    assert seeded["comments"][0]["body"] == (
        "Estimate raised to 8: the product page needs a redesign."
    )
    assert seeded["comments"][0]["author"]["name"] == "chen"
    wiki = "_okrsync · KR ship_\n\n*40%*\nof the way"
    added = http.post("/rest/api/2/issue/OKR-12/comment", json={"body": wiki})
    assert added.status_code == 201
    assert added.json()["body"] == wiki
    assert site.state.get("OKR-12").comments[-1].body == wiki
    comment_id = added.json()["id"]
    edited = http.put(
        f"/rest/api/2/issue/OKR-12/comment/{comment_id}", json={"body": wiki + " (45%)"}
    )
    assert edited.json()["body"] == wiki + " (45%)"
    adf = {"type": "doc", "version": 1, "content": []}
    refused = http.post("/rest/api/2/issue/OKR-12/comment", json={"body": adf})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"comment": "Comment body can not be empty!"}


def test_edits_take_strings_and_epic_link_moves_a_story(
    writable: tuple[SandboxServer, httpx.Client],
) -> None:
    site, http = writable
    state = site.state
    text = http.put("/rest/api/2/issue/SHOP-115", json={"fields": {"description": "h1. Plan"}})
    assert text.status_code == 204
    assert state.get("SHOP-115").description == "h1. Plan"
    adf = {"type": "doc", "version": 1, "content": []}
    assert http.put("/rest/api/2/issue/SHOP-115", json={"fields": {"description": adf}}).json()[
        "errors"
    ] == {"description": "Operation value must be a string"}
    parent = http.put(
        "/rest/api/2/issue/SHOP-115", json={"fields": {"parent": {"key": "SHOP-100"}}}
    )
    assert parent.status_code == 400
    assert "Only subtasks have a parent" in parent.json()["errors"]["parent"]

    moved = http.put(
        "/rest/api/2/issue/SHOP-115", json={"fields": {"customfield_10014": "SHOP-102"}}
    )
    assert moved.status_code == 204
    assert state.get("SHOP-115").parent is state.get("SHOP-102")
    issue = http.get(
        "/rest/api/2/issue/SHOP-115", params={"fields": "customfield_10014", "expand": "changelog"}
    ).json()
    assert issue["fields"] == {"customfield_10014": "SHOP-102"}
    assert issue["changelog"]["histories"][-1]["items"] == [
        {
            "field": "Epic Link",
            "fieldtype": "custom",
            "from": None,
            "fromString": None,
            "to": str(state.get("SHOP-102").id),
            "toString": "SHOP-102",
        }
    ]


def test_a_test_moving_a_parent_records_what_the_deployment_records() -> None:
    """``state.set_field(key, "parent", ...)`` is one call for both dialects' tests."""
    for deployment, expected in (("Cloud", "IssueParentAssociation"), ("Server", "Epic Link")):
        state = build_dataset(ANCHOR.date(), deployment=deployment)  # type: ignore[arg-type]
        history = state.set_field("SHOP-115", "parent", "SHOP-100", at=NOW)
        assert history is not None
        assert [(i.field, i.to_string) for i in history.items] == [(expected, "SHOP-100")]
        assert state.get("SHOP-115").custom["customfield_10014"] == "SHOP-100"


def test_issues_can_be_created_with_a_wiki_description(
    writable: tuple[SandboxServer, httpx.Client],
) -> None:
    site, http = writable
    created = http.post(
        "/rest/api/2/issue",
        json={
            "fields": {
                "project": {"key": "OKR"},
                "issuetype": {"name": "Key Result"},
                "summary": "Refund time under a day",
                "description": "Measured by *okrsync*.",
                "labels": ["okrsync-kr-refunds"],
            }
        },
    )
    assert created.status_code == 201
    assert created.json()["self"].endswith(f"/rest/api/2/issue/{created.json()['id']}")
    issue = site.state.get(created.json()["key"])
    assert issue.description == "Measured by *okrsync*."


def test_cloud_serves_rest_v2_with_rich_text_as_strings() -> None:
    state = build_dataset(ANCHOR.date())
    with SandboxServer(state) as server:
        v2 = httpx.get(
            f"{server.url}/rest/api/2/issue/SHOP-104",
            params={"fields": "description"},
            auth=server.auth,
        ).json()
        v3 = httpx.get(
            f"{server.url}/rest/api/3/issue/SHOP-104",
            params={"fields": "description"},
            auth=server.auth,
        ).json()
    assert v2["fields"]["description"] == "One-click button on product page."
    assert v3["fields"]["description"]["type"] == "doc"
