"""/search/jql paging, caps and field selection; the removed search; the count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from okrsync_sandbox import SandboxServer, build_dataset
from sandbox_times import ANCHOR, NOW

SEARCH = "/rest/api/3/search/jql"
SHOP_KEYS = [f"SHOP-{n}" for n in range(100, 117)]


@pytest.fixture(scope="module")
def big() -> Iterator[SandboxServer]:
    """A site with 6,000 synthetic issues in BULK, for the page caps."""
    state = build_dataset(ANCHOR.date(), extra_issues=6000)
    state.clock = lambda: NOW
    with SandboxServer(state) as server:
        yield server


def _all_pages(http: httpx.Client, params: dict[str, object]) -> list[dict[str, object]]:
    pages = []
    token = None
    while True:
        query = {**params, **({"nextPageToken": token} if token else {})}
        page = http.get(SEARCH, params=query).json()
        pages.append(page)
        if page["isLast"]:
            return pages
        token = page["nextPageToken"]


def test_token_paging_walks_every_issue_once(http: httpx.Client) -> None:
    pages = _all_pages(
        http, {"jql": "project = SHOP ORDER BY key", "maxResults": 5, "fields": "key"}
    )
    assert [len(p["issues"]) for p in pages] == [5, 5, 5, 2]
    keys = [i["key"] for p in pages for i in p["issues"]]  # type: ignore[attr-defined]
    assert keys == SHOP_KEYS
    assert all("nextPageToken" in p and p["isLast"] is False for p in pages[:-1])
    assert "nextPageToken" not in pages[-1]
    assert all("total" not in p and "startAt" not in p for p in pages)


def test_a_single_page_is_last_without_token(http: httpx.Client) -> None:
    page = http.get(SEARCH, params={"jql": "project = PAY"}).json()
    assert page["isLast"] is True
    assert "nextPageToken" not in page
    assert len(page["issues"]) == 7


def test_default_fields_give_id_only_issues_newest_first(http: httpx.Client) -> None:
    page = http.get(SEARCH, params={"jql": "project = PAY"}).json()
    # PAY-7 (id 10024) was created last; without ORDER BY the newest come first.
    assert page["issues"] == [{"id": str(n)} for n in range(10024, 10017, -1)]


def test_post_search_matches_get(http: httpx.Client) -> None:
    body = {"jql": "parent = SHOP-100 ORDER BY key DESC", "fields": ["summary"], "maxResults": 4}
    page = http.post(SEARCH, json=body).json()
    assert [i["key"] for i in page["issues"]] == ["SHOP-116", "SHOP-113", "SHOP-112", "SHOP-111"]
    rest = http.post(SEARCH, json={**body, "nextPageToken": page["nextPageToken"]}).json()
    assert [i["key"] for i in rest["issues"]] == ["SHOP-108", "SHOP-106", "SHOP-105", "SHOP-104"]
    last = http.post(SEARCH, json={**body, "nextPageToken": rest["nextPageToken"]}).json()
    assert [i["key"] for i in last["issues"]] == ["SHOP-103"]
    assert last["isLast"] is True


def test_page_cap_is_5000_for_ids_and_100_with_fields(big: SandboxServer) -> None:
    with httpx.Client(base_url=big.url, auth=big.auth, verify=False) as http:
        ids = http.get(SEARCH, params={"jql": "project = BULK", "maxResults": 9000}).json()
        keys = http.post(
            SEARCH, json={"jql": "project = BULK", "maxResults": 9000, "fields": ["key"]}
        ).json()
        with_fields = http.get(
            SEARCH, params={"jql": "project = BULK", "maxResults": 9000, "fields": "summary"}
        ).json()
        expanded = http.get(
            SEARCH, params={"jql": "project = BULK", "maxResults": 9000, "expand": "changelog"}
        ).json()
        rest = http.get(
            SEARCH,
            params={
                "jql": "project = BULK",
                "maxResults": 9000,
                "nextPageToken": ids["nextPageToken"],
            },
        ).json()
    assert len(ids["issues"]) == 5000
    assert len(keys["issues"]) == 5000
    assert len(with_fields["issues"]) == 100
    assert len(expanded["issues"]) == 100
    assert len(rest["issues"]) == 1000
    assert rest["isLast"] is True


def test_fields_parameter_forms(http: httpx.Client) -> None:
    def fields_of(params: dict[str, object]) -> set[str]:
        page = http.get(SEARCH, params={"jql": "key = SHOP-104", **params}).json()
        return set(page["issues"][0]["fields"])

    assert fields_of({"fields": "summary,status"}) == {"summary", "status"}
    assert fields_of({"fields": ["summary", "customfield_10016"]}) == {
        "summary",
        "customfield_10016",
    }
    everything = fields_of({"fields": "*all"})
    assert {"comment", "description", "customfield_10020", "parent"} <= everything
    assert "comment" not in fields_of({"fields": "*navigable"})
    assert fields_of({"fields": "*all,-comment,-description"}) == everything - {
        "comment",
        "description",
    }
    assert fields_of({"fields": "key"}) == set()
    assert fields_of({"fields": "nosuchfield,summary"}) == {"summary"}


def test_fields_id_gives_id_objects(http: httpx.Client) -> None:
    page = http.get(SEARCH, params={"jql": "key = SHOP-104", "fields": "id"}).json()
    assert page["issues"] == [{"id": "10005"}]


def test_inline_changelog_is_truncated_to_40_newest_first(site: SandboxServer) -> None:
    for n in range(45):
        site.state.set_field("OKR-12", "KR Progress", n, at=NOW + timedelta(minutes=n))
    with httpx.Client(base_url=site.url, auth=site.auth, verify=False) as http:
        page = http.get(SEARCH, params={"jql": "key = OKR-12", "expand": "changelog"}).json()
        full = http.get("/rest/api/3/issue/OKR-12/changelog").json()
    changelog = page["issues"][0]["changelog"]
    assert changelog["total"] == 45
    assert len(changelog["histories"]) == 40
    assert changelog["histories"][0]["items"][0]["toString"] == "44"
    assert changelog["histories"][-1]["items"][0]["toString"] == "5"
    assert full["total"] == 45
    assert [v["items"][0]["toString"] for v in full["values"]][:2] == ["0", "1"]


def test_names_and_properties(http: httpx.Client) -> None:
    page = http.get(
        SEARCH,
        params={
            "jql": "key = SHOP-100",
            "fields": "summary,customfield_10016",
            "expand": "names",
            "properties": "team-notes,missing",
        },
    ).json()
    assert page["names"] == {"summary": "Summary", "customfield_10016": "Story point estimate"}
    assert page["issues"][0]["properties"] == {"team-notes": {"owner": "ana", "reviewed": True}}


@pytest.mark.parametrize(
    "token",
    ["garbage", "NTowMDAwMDAwMDAwMDA", "LTE6YWJj", ""],
)
def test_invalid_tokens_are_rejected(http: httpx.Client, token: str) -> None:
    response = http.get(SEARCH, params={"jql": "project = SHOP", "nextPageToken": token})
    assert response.status_code == 400
    assert response.json() == {
        "errorMessages": ["The provided next page token is invalid or expired."],
        "errors": {},
    }


def test_a_token_only_continues_its_own_query(http: httpx.Client) -> None:
    page = http.get(SEARCH, params={"jql": "project = SHOP", "maxResults": 2}).json()
    other = http.get(
        SEARCH, params={"jql": "project = PAY", "nextPageToken": page["nextPageToken"]}
    )
    assert other.status_code == 400


@pytest.mark.parametrize("jql", ["", "ORDER BY key DESC", "order by created"])
def test_unbounded_queries_are_refused(http: httpx.Client, jql: str) -> None:
    for response in (
        http.get(SEARCH, params={"jql": jql}),
        http.post(SEARCH, json={"jql": jql}),
        http.post("/rest/api/3/search/approximate-count", json={"jql": jql}),
    ):
        assert response.status_code == 400
        assert response.json()["errorMessages"] == [
            "Unbounded JQL queries are not allowed here. Please add a search restriction to "
            "your query."
        ]


def test_search_rejects_unknown_body_fields_and_bad_sizes(http: httpx.Client) -> None:
    assert http.post(SEARCH, json={"jql": "project = SHOP", "startAt": 50}).status_code == 400
    assert http.post(SEARCH, content=b"{not json").status_code == 400
    assert http.get(SEARCH, params={"jql": "project = SHOP", "maxResults": "x"}).status_code == 400
    assert http.get(SEARCH, params={"jql": "project = SHOP", "maxResults": 0}).status_code == 400


@pytest.mark.parametrize("path", ["/rest/api/3/search", "/rest/api/2/search"])
def test_the_old_search_is_gone(http: httpx.Client, path: str) -> None:
    for response in (
        http.get(path, params={"jql": "project = SHOP", "startAt": 0}),
        http.post(path, json={"jql": "project = SHOP", "startAt": 0}),
    ):
        assert response.status_code == 410
        message = response.json()["errorMessages"][0]
        assert message.startswith("The requested API has been removed.")
        assert "/rest/api/3/search/jql" in message


def test_approximate_count(http: httpx.Client) -> None:
    count = http.post(
        "/rest/api/3/search/approximate-count",
        json={"jql": "project = SHOP AND statusCategory = Done"},
    )
    assert count.json() == {"count": 10}
    bad = http.post("/rest/api/3/search/approximate-count", json={"jql": "project = NOPE"})
    assert bad.status_code == 400


def test_search_sees_changes_made_between_pages(site: SandboxServer) -> None:
    with httpx.Client(base_url=site.url, auth=site.auth, verify=False) as http:
        params = {"jql": "project = SHOP AND statusCategory != Done ORDER BY key", "fields": "key"}
        before = [i["key"] for i in http.get(SEARCH, params=params).json()["issues"]]
        site.state.transition("SHOP-113", "Done")
        after = [i["key"] for i in http.get(SEARCH, params=params).json()["issues"]]
    assert before == [
        "SHOP-100",
        "SHOP-102",
        "SHOP-109",
        "SHOP-112",
        "SHOP-113",
        "SHOP-114",
        "SHOP-115",
    ]
    assert after == ["SHOP-100", "SHOP-102", "SHOP-109", "SHOP-112", "SHOP-114", "SHOP-115"]
