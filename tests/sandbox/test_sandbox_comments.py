"""Comments (ADF on Cloud v3) and issue entity properties."""

from __future__ import annotations

import httpx
import pytest
from okrsync_sandbox import SandboxServer
from sandbox_times import NOW


def adf(text: str) -> dict[str, object]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def test_list_comments_paged_and_ordered(http: httpx.Client) -> None:
    page = http.get("/rest/api/3/issue/SHOP-104/comment").json()
    assert (page["startAt"], page["total"]) == (0, 2)
    assert [c["author"]["displayName"] for c in page["comments"]] == ["Chen Wei", "Ana Lima"]
    newest = http.get(
        "/rest/api/3/issue/SHOP-104/comment", params={"orderBy": "-created", "maxResults": 1}
    ).json()
    assert (newest["maxResults"], newest["total"]) == (1, 2)
    assert newest["comments"][0]["body"] == adf("Design approved, ready for review.")
    assert (
        http.get("/rest/api/3/issue/SHOP-104/comment", params={"orderBy": "author"}).status_code
        == 400
    )


def test_comment_lifecycle(site: SandboxServer, client: httpx.Client) -> None:
    issue = site.state.get("OKR-12")
    added = client.post("/rest/api/3/issue/OKR-12/comment", json={"body": adf("KR at 40%")})
    assert added.status_code == 201
    comment = added.json()
    assert comment["body"] == adf("KR at 40%")
    assert comment["author"]["accountId"] == "61a0b0c0d0e0f00000000001"
    assert comment["created"] == "2027-02-20T12:00:00.000+0000"
    assert issue.updated == NOW
    path = f"/rest/api/3/issue/OKR-12/comment/{comment['id']}"
    assert client.get(path).json()["body"] == adf("KR at 40%")
    edited = client.put(path, json={"body": adf("KR at 55%")})
    assert edited.status_code == 200
    assert edited.json()["body"] == adf("KR at 55%")
    assert client.get("/rest/api/3/issue/OKR-12/comment").json()["total"] == 2
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert client.get("/rest/api/3/issue/OKR-12/comment").json()["total"] == 1


@pytest.mark.parametrize(
    "body", ["KR at 40%", {"text": "KR at 40%"}, None, {"type": "doc", "content": []}]
)
def test_comment_bodies_must_be_adf(client: httpx.Client, body: object) -> None:
    for response in (
        client.post("/rest/api/3/issue/OKR-12/comment", json={"body": body}),
        client.put("/rest/api/3/issue/SHOP-104/comment/10001", json={"body": body}),
    ):
        assert response.status_code == 400
        assert response.json() == {
            "errorMessages": [],
            "errors": {"comment": "Comment body is not valid!"},
        }


def test_comment_on_unknown_issue(client: httpx.Client) -> None:
    assert (
        client.post("/rest/api/3/issue/NOPE-1/comment", json={"body": adf("x")}).status_code == 404
    )


def test_properties_lifecycle(site: SandboxServer, client: httpx.Client) -> None:
    path = "/rest/api/3/issue/OKR-12/properties/okrsync"
    issue = site.state.get("OKR-12")
    updated = issue.updated
    assert client.get(path).status_code == 404
    assert client.put(path, json={"progress": 40.0}).status_code == 201
    assert client.put(path, json={"progress": 55.0}).status_code == 200
    assert client.get(path).json() == {"key": "okrsync", "value": {"progress": 55.0}}
    keys = client.get("/rest/api/3/issue/OKR-12/properties").json()
    assert keys == {
        "keys": [
            {"self": f"{site.url}/rest/api/3/issue/10036/properties/okrsync", "key": "okrsync"}
        ]
    }
    assert issue.updated == updated  # properties are not issue edits
    assert client.delete(path).status_code == 204
    assert client.delete(path).status_code == 404


def test_property_values_up_to_32768_bytes(client: httpx.Client) -> None:
    path = "/rest/api/3/issue/OKR-12/properties/big"
    just_fits = '"' + "x" * 32766 + '"'
    assert (
        client.put(
            path, content=just_fits, headers={"Content-Type": "application/json"}
        ).status_code
        == 201
    )
    too_big = '"' + "x" * 32767 + '"'
    response = client.put(path, content=too_big, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "32768" in response.json()["errorMessages"][0]
    assert (
        client.put(
            path, content=b"{broken", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
