"""Request shapes of the push side and how Jira's refusals are mapped, faked at the
transport with respx. The behaviour against a Jira-like server is covered by
test_push_sandbox.py; these pin down exactly what goes on the wire."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx
import pytest
import respx
from okrsync_jira import adf
from okrsync_jira.client import JiraClient
from okrsync_jira.comment import CLOUD, DATA_CENTER
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.push import read_target, write_target

from okrsync.connector import PushTarget, WriteReceipt
from okrsync.errors import ConfigError, FieldNotFound, SourceConfigError
from okrsync.http import RetryPolicy

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
CLOUD_URL = "https://acme.atlassian.net"
DC_URL = "https://jira.acme.test"
T = TypeVar("T")

FIELDS = [
    {"id": "summary", "name": "Summary", "schema": {"type": "string", "system": "summary"}},
    {
        "id": "customfield_10100",
        "name": "KR Progress",
        "schema": {
            "type": "number",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
        },
    },
    {
        "id": "customfield_10101",
        "name": "KR Value",
        "schema": {
            "type": "number",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
        },
    },
    {"id": "customfield_10200", "name": "KR Notes", "schema": {"type": "string"}},
]
CATALOG = FieldCatalog.from_json(FIELDS, source="jira")


def run(awaitable: Awaitable[T]) -> T:
    async def main() -> T:
        return await awaitable

    return asyncio.run(main())


def client(cloud: bool = True) -> JiraClient:
    settings: dict[str, Any] = {"url": CLOUD_URL if cloud else DC_URL, "token": "s3cret-token"}
    if cloud:
        settings["email"] = "okr-bot@acme.test"
    return JiraClient.from_mapping(settings, policy=RetryPolicy(max_attempts=1))


async def read(target: PushTarget, *, cloud: bool = True) -> Any:
    async with client(cloud) as jira:
        return await read_target(jira, CATALOG, target)


async def write(target: PushTarget, value: Any, *, cloud: bool = True) -> WriteReceipt:
    async with client(cloud) as jira:
        return await write_target(jira, CATALOG, target, value)


def body(route: respx.Route, call: int = -1) -> Any:
    return json.loads(route.calls[call].request.content)


FIELD = PushTarget("ship", "jira", "field", issue="OKR-12", field="KR Progress")


# --- field -----------------------------------------------------------------------------


@respx.mock(assert_all_called=True)
def test_field_read_asks_for_the_one_field_and_returns_a_float(respx_mock: respx.Router) -> None:
    route = respx_mock.get(
        f"{CLOUD_URL}/rest/api/3/issue/OKR-12", params={"fields": "customfield_10100"}
    ).respond(json={"id": "1", "key": "OKR-12", "fields": {"customfield_10100": 40}})
    value = run(read(FIELD))
    assert value == 40.0 and isinstance(value, float)
    assert route.call_count == 1


@respx.mock(assert_all_called=True)
def test_field_read_of_an_empty_field_is_none(respx_mock: respx.Router) -> None:
    respx_mock.get(f"{CLOUD_URL}/rest/api/3/issue/OKR-12").respond(
        json={"key": "OKR-12", "fields": {"customfield_10100": None}}
    )
    assert run(read(FIELD)) is None


@respx.mock(assert_all_called=True)
def test_field_write_puts_the_number_under_the_field_id(respx_mock: respx.Router) -> None:
    route = respx_mock.put(f"{CLOUD_URL}/rest/api/3/issue/OKR-12").respond(204)
    by_id = PushTarget("ship", "jira", "field", issue="OKR-12", field="customfield_10101")
    receipt = run(write(by_id, 12.5))
    assert body(route) == {"fields": {"customfield_10101": 12.5}}
    assert receipt == WriteReceipt(issue="OKR-12", ref="customfield_10101")


@respx.mock(assert_all_called=True)
def test_field_not_on_screen_becomes_field_not_found(respx_mock: respx.Router) -> None:
    respx_mock.put(f"{CLOUD_URL}/rest/api/3/issue/OKR-12").respond(
        400,
        json={
            "errorMessages": [],
            "errors": {
                "customfield_10100": "Field 'customfield_10100' cannot be set. It is not on "
                "the appropriate screen, or unknown."
            },
        },
    )
    with pytest.raises(FieldNotFound) as caught:
        run(write(FIELD, 40.0))
    assert str(caught.value) == (
        "jira: field 'KR Progress' (customfield_10100) cannot be set on OKR-12: add it to the "
        "issue's edit screen, or choose another field"
    )
    assert caught.value.status == 400


@respx.mock(assert_all_called=True)
def test_other_failures_of_a_field_write_keep_their_class(respx_mock: respx.Router) -> None:
    respx_mock.put(f"{CLOUD_URL}/rest/api/3/issue/OKR-12").respond(403, json={})
    with pytest.raises(SourceConfigError) as caught:
        run(write(FIELD, 40.0))
    assert not isinstance(caught.value, FieldNotFound)
    assert caught.value.status == 403


@pytest.mark.parametrize("what", ["read", "write"])
@respx.mock(assert_all_called=True)
def test_unknown_field_names_similar_ones_without_a_request(
    respx_mock: respx.Router, what: str
) -> None:
    target = PushTarget("ship", "jira", "field", issue="OKR-12", field="KR progres")
    with pytest.raises(FieldNotFound) as caught:
        run(read(target) if what == "read" else write(target, 1.0))
    message = str(caught.value)
    assert "no field named 'KR progres'" in message
    assert "'KR Progress' (customfield_10100)" in message
    assert "Summary" not in message
    assert respx_mock.calls.call_count == 0


def test_a_text_field_is_refused_before_anything_is_sent() -> None:
    target = PushTarget("ship", "jira", "field", issue="OKR-12", field="KR Notes")
    with respx.mock(assert_all_called=True) as mock, pytest.raises(FieldNotFound) as caught:
        run(write(target, 1.0))
    assert "'KR Notes' (customfield_10200) is a string field" in str(caught.value)
    assert mock.calls.call_count == 0


# --- comment ---------------------------------------------------------------------------


COMMENTS = f"{CLOUD_URL}/rest/api/3/issue/OKR-12/comment"
COMMENT = PushTarget("ship", "jira", "comment", issue="OKR-12")
TEXT = "Ship one-click checkout\nProgress: 40.0% · expected 50% · at risk"


def comment(comment_id: str, document: Any, mark: str | None = "ship") -> dict[str, Any]:
    """A listed comment; ``mark`` is the KR its okrsync comment property names (None:
    a comment without one, as people write them)."""
    listed = {"id": comment_id, "body": document, "created": "2027-01-05T10:00:00.000+0000"}
    if mark is not None:
        listed["properties"] = [{"key": "okrsync", "value": {"kr": mark, "v": 1}}]
    return listed


@respx.mock(assert_all_called=True)
def test_comment_read_pages_through_all_comments(respx_mock: respx.Router) -> None:
    first = [comment(str(10000 + n), adf.from_text(f"human {n}"), None) for n in range(2)]
    second = [comment("10007", CLOUD.render("ship", TEXT))]
    route = respx_mock.get(COMMENTS).mock(
        side_effect=[
            httpx.Response(
                200, json={"startAt": 0, "maxResults": 2, "total": 3, "comments": first}
            ),
            httpx.Response(
                200, json={"startAt": 2, "maxResults": 2, "total": 3, "comments": second}
            ),
        ]
    )
    assert run(read(COMMENT)) == TEXT
    assert [dict(call.request.url.params) for call in route.calls] == [
        {"startAt": "0", "maxResults": "100", "expand": "properties"},
        {"startAt": "2", "maxResults": "100", "expand": "properties"},
    ]


@respx.mock(assert_all_called=True)
def test_comment_of_another_kr_is_not_read(respx_mock: respx.Router) -> None:
    other = comment("10001", CLOUD.render("ship-two", TEXT), "ship-two")
    respx_mock.get(COMMENTS).respond(json={"startAt": 0, "total": 1, "comments": [other]})
    assert run(read(COMMENT)) is None


@respx.mock(assert_all_called=True)
def test_first_comment_write_posts_adf_with_the_marker(respx_mock: respx.Router) -> None:
    respx_mock.get(COMMENTS).respond(json={"startAt": 0, "total": 0, "comments": []})
    post = respx_mock.post(COMMENTS).respond(201, json={"id": "10042"})
    receipt = run(write(COMMENT, TEXT))
    assert receipt == WriteReceipt(issue="OKR-12", ref="10042")
    sent = body(post)["body"]
    assert sent["type"] == "doc" and sent["version"] == 1
    assert adf.block_text(sent["content"][0]).startswith("okrsync · KR ship ")
    assert CLOUD.owned_text(sent, "ship") == TEXT
    # Marked as okrsync's in the same request, so no crash can leave it unmarked.
    assert body(post)["properties"] == [{"key": "okrsync", "value": {"kr": "ship", "v": 1}}]


@respx.mock(assert_all_called=True)
def test_comment_write_edits_the_owned_comment_in_place(respx_mock: respx.Router) -> None:
    owned = comment("10005", CLOUD.render("ship", "old text"))
    respx_mock.get(COMMENTS).respond(json={"startAt": 0, "total": 1, "comments": [owned]})
    put = respx_mock.put(f"{COMMENTS}/10005").respond(json={"id": "10005"})
    receipt = run(write(COMMENT, TEXT))
    assert receipt.ref == "10005"
    assert CLOUD.owned_text(body(put)["body"], "ship") == TEXT


@respx.mock(assert_all_called=True)
def test_comment_write_with_nothing_changed_sends_nothing(respx_mock: respx.Router) -> None:
    owned = comment("10005", CLOUD.render("ship", TEXT))
    respx_mock.get(COMMENTS).respond(json={"startAt": 0, "total": 1, "comments": [owned]})
    assert run(write(COMMENT, TEXT)).ref == "10005"
    assert [call.request.method for call in respx_mock.calls] == ["GET"]


@respx.mock(assert_all_called=True)
def test_duplicate_owned_comments_converge_on_the_oldest(respx_mock: respx.Router) -> None:
    comments = [
        comment("10020", CLOUD.render("ship", "dup")),
        comment("9999", CLOUD.render("ship", "old")),
    ]
    respx_mock.get(COMMENTS).respond(json={"startAt": 0, "total": 2, "comments": comments})
    put = respx_mock.put(f"{COMMENTS}/9999").respond(json={"id": "9999"})
    delete = respx_mock.delete(f"{COMMENTS}/10020").respond(204)
    assert run(write(COMMENT, TEXT)).ref == "9999"
    assert put.call_count == 1 and delete.call_count == 1


@respx.mock(assert_all_called=True)
def test_data_center_comments_are_wiki_markup_on_v2(respx_mock: respx.Router) -> None:
    respx_mock.get(f"{DC_URL}/rest/api/2/issue/OKR-12/comment").respond(
        json={"startAt": 0, "total": 0, "comments": []}
    )
    post = respx_mock.post(f"{DC_URL}/rest/api/2/issue/OKR-12/comment").respond(
        201, json={"id": "501"}
    )
    assert run(write(COMMENT, TEXT, cloud=False)).ref == "501"
    sent = body(post)["body"]
    assert sent.startswith("_okrsync · KR ship · ")
    assert sent.endswith("_\n\n*Ship one-click checkout*\nProgress: 40.0% · expected 50% · at risk")
    assert DATA_CENTER.owned_text(sent, "ship") == TEXT
    assert post.calls[0].request.headers["Authorization"] == "Bearer s3cret-token"


# --- property --------------------------------------------------------------------------


PROPERTY = PushTarget("ship", "jira", "property", issue="OKR-12")
PROPERTY_URL = f"{CLOUD_URL}/rest/api/3/issue/OKR-12/properties/okrsync"


@respx.mock(assert_all_called=True)
def test_property_read_returns_the_value_or_none(respx_mock: respx.Router) -> None:
    respx_mock.get(PROPERTY_URL).mock(
        side_effect=[
            httpx.Response(200, json={"key": "okrsync", "value": {"progress": 0.4}}),
            httpx.Response(404, json={"errorMessages": ["The property okrsync does not exist."]}),
        ]
    )
    assert run(read(PROPERTY)) == {"progress": 0.4}
    assert run(read(PROPERTY)) is None


@respx.mock(assert_all_called=True)
def test_property_write_puts_the_value_itself(respx_mock: respx.Router) -> None:
    route = respx_mock.put(PROPERTY_URL).respond(201)
    value = {"id": "ship", "progress": 0.4, "evidence": {"items": [{"key": "SHOP-1"}]}}
    assert run(write(PROPERTY, value)) == WriteReceipt(issue="OKR-12", ref="okrsync")
    assert body(route) == value


# --- create ----------------------------------------------------------------------------


CREATE = PushTarget("ship", "jira", "create", create={"project": "OKR", "type": "Key Result"})
SEARCH = f"{CLOUD_URL}/rest/api/3/search/jql"
JQL = 'project = "OKR" AND labels = "okrsync-kr-ship" ORDER BY created ASC'


MARK = f"{CLOUD_URL}/rest/api/3/issue/{{}}/properties/okrsync-kr"


def marked(respx_mock: respx.Router, key: str, value: object) -> None:
    respx_mock.get(MARK.format(key)).respond(json={"key": "okrsync-kr", "value": value})


@respx.mock(assert_all_called=True)
def test_create_read_finds_the_labelled_issue_that_carries_the_mark(
    respx_mock: respx.Router,
) -> None:
    route = respx_mock.post(SEARCH).respond(
        json={"issues": [{"id": "10499", "key": "OKR-30"}, {"id": "10500", "key": "OKR-31"}]}
    )
    # A person put the label on OKR-30 (no mark); OKR-31 carries okrsync's mark.
    respx_mock.get(MARK.format("OKR-30")).respond(
        404, json={"errorMessages": ["The property with key 'okrsync-kr' does not exist."]}
    )
    marked(respx_mock, "OKR-31", {"kr": "ship", "created": True})
    assert run(read(CREATE)) == "OKR-31"
    assert body(route) == {"jql": JQL, "fields": ["key"], "maxResults": 50}


@respx.mock(assert_all_called=True)
def test_a_labelled_issue_without_the_mark_is_not_okrsyncs(respx_mock: respx.Router) -> None:
    respx_mock.post(SEARCH).respond(json={"issues": [{"id": "10500", "key": "OKR-31"}]})
    marked(respx_mock, "OKR-31", {"kr": "another-kr", "created": True})
    assert run(read(CREATE)) is None


@respx.mock(assert_all_called=True)
def test_create_write_labels_the_new_issue_in_the_same_request(respx_mock: respx.Router) -> None:
    respx_mock.post(SEARCH).respond(json={"issues": [], "isLast": True})
    route = respx_mock.post(f"{CLOUD_URL}/rest/api/3/issue").respond(
        201, json={"id": "10501", "key": "OKR-32", "self": f"{CLOUD_URL}/rest/api/3/issue/10501"}
    )
    receipt = run(write(CREATE, {"summary": "KR: Ship it", "description": "Key result ship."}))
    assert receipt.issue == "OKR-32"
    assert body(route) == {
        "fields": {
            "project": {"key": "OKR"},
            "issuetype": {"name": "Key Result"},
            "summary": "KR: Ship it",
            "labels": ["okrsync-kr-ship"],
            "description": {
                "version": 1,
                "type": "doc",
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "Key result ship."}]}
                ],
            },
        },
        "properties": [{"key": "okrsync-kr", "value": {"kr": "ship", "created": True}}],
    }


@respx.mock(assert_all_called=True)
def test_create_write_is_idempotent(respx_mock: respx.Router) -> None:
    respx_mock.post(SEARCH).respond(json={"issues": [{"id": "10500", "key": "OKR-31"}]})
    marked(respx_mock, "OKR-31", {"kr": "ship", "created": True})
    assert run(write(CREATE, {"summary": "KR: Ship it"})).issue == "OKR-31"
    assert [call.request.url.path for call in respx_mock.calls] == [
        "/rest/api/3/search/jql",
        "/rest/api/3/issue/OKR-31/properties/okrsync-kr",
    ]


@respx.mock(assert_all_called=True)
def test_create_with_an_unknown_type_reports_jiras_words(respx_mock: respx.Router) -> None:
    respx_mock.post(SEARCH).respond(json={"issues": []})
    respx_mock.post(f"{CLOUD_URL}/rest/api/3/issue").respond(
        400, json={"errorMessages": [], "errors": {"issuetype": "Specify a valid issue type"}}
    )
    with pytest.raises(SourceConfigError) as caught:
        run(write(CREATE, {"summary": "KR: Ship it"}))
    assert str(caught.value) == (
        "jira: cannot create a 'Key Result' issue in project 'OKR' for KR 'ship': check the "
        "project key and issue type in `create:` — Jira: issuetype: Specify a valid issue type"
    )


@respx.mock(assert_all_called=True)
def test_data_center_create_uses_v2_search_and_a_plain_description(
    respx_mock: respx.Router,
) -> None:
    search = respx_mock.post(f"{DC_URL}/rest/api/2/search").respond(
        json={"startAt": 0, "total": 0, "issues": []}
    )
    create = respx_mock.post(f"{DC_URL}/rest/api/2/issue").respond(
        201, json={"id": "7", "key": "OKR-7"}
    )
    receipt = run(write(CREATE, {"summary": "KR", "description": "line 1\nline 2"}, cloud=False))
    assert receipt.issue == "OKR-7"
    assert body(search)["jql"] == JQL
    assert body(create)["fields"]["description"] == "line 1\nline 2"


def test_writes_to_a_kr_without_an_issue_are_refused_and_reads_are_empty() -> None:
    target = PushTarget("ship", "jira", "comment")
    with respx.mock(assert_all_called=True) as mock:
        assert run(read(target)) is None
        with pytest.raises(ConfigError):
            run(write(target, "text"))
    assert mock.calls.call_count == 0


# --- the issue a push names ----------------------------------------------------------------


@pytest.mark.parametrize(
    "issue", ["not a key", "OKR-1/properties/x", "OKR-12?x=1", "../OKR-1", "OKR-"]
)
@pytest.mark.parametrize("what", ["field", "comment", "property"])
@respx.mock(assert_all_called=False)
def test_an_issue_that_is_neither_key_nor_id_is_refused_before_any_request(
    respx_mock: respx.Router, issue: str, what: str
) -> None:
    target = PushTarget("ship", "jira", what, issue=issue, field="KR Progress")  # type: ignore[arg-type]
    for attempt in (read(target), write(target, 12.5)):
        with pytest.raises(SourceConfigError) as raised:
            run(attempt)
        assert str(raised.value) == (
            f"jira: KR 'ship' pushes to issue {issue!r}, which is not a Jira issue key such "
            "as OKR-12 (nor an issue id such as 10042)"
        )
    assert respx_mock.calls.call_count == 0


@respx.mock(assert_all_called=True)
def test_an_issue_id_or_a_lower_case_key_is_taken(respx_mock: respx.Router) -> None:
    by_id = respx_mock.get(f"{CLOUD_URL}/rest/api/3/issue/10042").respond(
        json={"key": "OKR-12", "fields": {"customfield_10100": 40}}
    )
    lower = respx_mock.get(f"{CLOUD_URL}/rest/api/3/issue/okr_2-12").respond(
        json={"key": "OKR_2-12", "fields": {"customfield_10100": 41}}
    )
    assert run(read(PushTarget("ship", "jira", "field", issue="10042", field="KR Progress"))) == 40
    assert (
        run(read(PushTarget("ship", "jira", "field", issue="okr_2-12", field="KR Progress"))) == 41
    )
    assert by_id.call_count == lower.call_count == 1
