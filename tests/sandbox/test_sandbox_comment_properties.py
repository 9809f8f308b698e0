"""Comment entity properties, as Jira keeps them: set with the comment or one by one,
shown only with ``expand=properties``, kept when the body is edited."""

from __future__ import annotations

import httpx
from okrsync_sandbox import SandboxServer

COMMENTS = "/rest/api/3/issue/OKR-12/comment"
MARK = {"kr": "ship", "v": 1}


def adf(text: str) -> dict[str, object]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def test_properties_set_with_the_comment_show_only_when_expanded(
    site: SandboxServer, client: httpx.Client
) -> None:
    added = client.post(
        COMMENTS, json={"body": adf("hello"), "properties": [{"key": "okrsync", "value": MARK}]}
    )
    assert added.status_code == 201
    comment_id = added.json()["id"]
    plain = client.get(f"{COMMENTS}/{comment_id}").json()
    expanded = client.get(f"{COMMENTS}/{comment_id}", params={"expand": "properties"}).json()
    assert "properties" not in plain
    assert expanded["properties"] == [{"key": "okrsync", "value": MARK}]
    listed = client.get(COMMENTS, params={"expand": "renderedBody,properties"}).json()
    assert [c.get("properties") for c in listed["comments"]][-1] == [
        {"key": "okrsync", "value": MARK}
    ]
    # Editing the body keeps the properties.
    client.put(f"{COMMENTS}/{comment_id}", json={"body": adf("edited")})
    assert site.state.get("OKR-12").comments[-1].properties == {"okrsync": MARK}


def test_a_property_is_set_read_and_deleted_by_comment_id(
    site: SandboxServer, client: httpx.Client
) -> None:
    comment_id = client.post(COMMENTS, json={"body": adf("hi")}).json()["id"]
    path = f"/rest/api/3/comment/{comment_id}/properties/okrsync"
    assert client.get(path).status_code == 404
    assert client.put(path, json=MARK).status_code == 201
    assert client.put(path, json=MARK).status_code == 200
    assert client.get(path).json() == {"key": "okrsync", "value": MARK}
    keys = client.get(f"/rest/api/3/comment/{comment_id}/properties").json()["keys"]
    assert [k["key"] for k in keys] == ["okrsync"]
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert client.put("/rest/api/3/comment/999999/properties/okrsync", json=MARK).status_code == (
        404
    )


def test_bad_properties_on_create_are_refused_and_nothing_is_added(
    site: SandboxServer, client: httpx.Client
) -> None:
    before = len(site.state.get("OKR-12").comments)
    too_long = [{"key": "k", "value": "x" * 40000}]
    for properties in ("okrsync", [{"value": 1}], [{"key": "k"}], too_long):
        answer = client.post(COMMENTS, json={"body": adf("x"), "properties": properties})
        assert answer.status_code == 400, properties
    assert len(site.state.get("OKR-12").comments) == before
