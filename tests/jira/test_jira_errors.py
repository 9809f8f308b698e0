"""JiraClient: every HTTP failure becomes the right okrsync error with usable words."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import respx
from jira_site import SITE, TOKEN
from okrsync_jira import JiraClient

from okrsync.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    ProtocolError,
    QueryError,
    RateLimited,
    ServerError,
    SourceConfigError,
)
from okrsync.http import RetryPolicy

pytestmark = pytest.mark.anyio

SEARCH = "/rest/api/3/search/jql"
ISSUE = "/rest/api/3/issue/SHOP-1"


def client(settings: dict[str, Any]) -> JiraClient:
    return JiraClient.from_mapping(settings, source="jira", policy=RetryPolicy(max_attempts=2))


async def test_400_on_a_search_is_a_query_error_with_jiras_words(
    cloud_settings: dict[str, Any],
) -> None:
    body = {
        "errorMessages": ["Field 'sprintt' does not exist or you do not have permission."],
        "errors": {"jql": "The value 'X' does not exist for the field 'project'."},
    }
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.post(SEARCH).mock(return_value=httpx.Response(400, json=body))
        async with client(cloud_settings) as jira:
            with pytest.raises(QueryError) as raised:
                await jira.post(SEARCH, {"jql": "sprintt = 1"}, query=True)
    assert str(raised.value) == (
        "jira: Jira rejected the query: Field 'sprintt' does not exist or you do not have "
        "permission.; jql: The value 'X' does not exist for the field 'project'."
    )
    assert raised.value.status == 400


async def test_400_elsewhere_is_a_source_config_error(cloud_settings: dict[str, Any]) -> None:
    errors = {"customfield_10100": "Operation value must be a number"}
    body = {"errorMessages": [], "errors": errors}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.put(ISSUE).mock(return_value=httpx.Response(400, json=body))
        async with client(cloud_settings) as jira:
            with pytest.raises(SourceConfigError) as raised:
                await jira.put(ISSUE, {"fields": {"customfield_10100": "x"}})
    assert not isinstance(raised.value, QueryError)
    assert str(raised.value) == (
        "jira: Jira rejected PUT /rest/api/3/issue/SHOP-1 "
        "(customfield_10100: Operation value must be a number)"
    )


async def test_401_is_an_auth_error_naming_the_site(cloud_settings: dict[str, Any]) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/rest/api/3/field").mock(return_value=httpx.Response(401, text=""))
        async with client(cloud_settings) as jira:
            with pytest.raises(AuthError) as raised:
                await jira.get("/rest/api/3/field")
    assert str(raised.value) == (
        "jira: Jira rejected the credentials for https://acme.atlassian.net: check email and "
        "API token (Cloud) or the personal access token (Data Center)"
    )


async def test_403_is_permission_denied(cloud_settings: dict[str, Any]) -> None:
    body = {"errorMessages": ["You do not have permission to edit issues in this project."]}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.put(ISSUE).mock(return_value=httpx.Response(403, json=body))
        async with client(cloud_settings) as jira:
            with pytest.raises(PermissionDenied) as raised:
                await jira.put(ISSUE, {})
    message = str(raised.value)
    assert "may not PUT /rest/api/3/issue/SHOP-1" in message
    assert "You do not have permission to edit issues in this project." in message


async def test_404_is_not_found(cloud_settings: dict[str, Any]) -> None:
    body = {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(ISSUE).mock(return_value=httpx.Response(404, json=body))
        async with client(cloud_settings) as jira:
            with pytest.raises(NotFound) as raised:
                await jira.get(ISSUE)
    assert raised.value.status == 404
    assert "Issue does not exist" in str(raised.value)


async def test_410_on_the_removed_search_explains_it(cloud_settings: dict[str, Any]) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.post("/rest/api/3/search").mock(return_value=httpx.Response(410, json={}))
        async with client(cloud_settings) as jira:
            with pytest.raises(ProtocolError) as raised:
                await jira.post("/rest/api/3/search", {"jql": "project = SHOP"}, query=True)
    assert "removed /rest/api/3/search" in str(raised.value)
    assert "/rest/api/3/search/jql" in str(raised.value)


async def test_429_with_an_html_body_is_rate_limited(cloud_settings: dict[str, Any]) -> None:
    page = "<html><head><title>Rate limited</title></head><body><h1>Too many</h1></body></html>"
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(ISSUE).mock(
            return_value=httpx.Response(
                429, text=page, headers={"Content-Type": "text/html", "retry-after": "1"}
            )
        )
        async with client(cloud_settings) as jira:
            with pytest.raises(RateLimited) as raised:
                await jira.get(ISSUE)
    assert route.call_count == 2
    assert raised.value.retry_after == 1.0
    assert "<" not in str(raised.value)


async def test_5xx_is_a_server_error_with_the_html_reduced_to_words(
    cloud_settings: dict[str, Any],
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(ISSUE).mock(
            return_value=httpx.Response(502, text="<html><body><p>Bad gateway</p></body></html>")
        )
        async with client(cloud_settings) as jira:
            with pytest.raises(ServerError) as raised:
                await jira.get(ISSUE)
    assert str(raised.value) == (
        "jira: Jira answered 502 to GET /rest/api/3/issue/SHOP-1; try again later (Bad gateway)"
    )


async def test_an_unexpected_status_is_a_protocol_error(cloud_settings: dict[str, Any]) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(ISSUE).mock(return_value=httpx.Response(302, headers={"Location": "/login"}))
        async with client(cloud_settings) as jira:
            with pytest.raises(ProtocolError) as raised:
                await jira.get(ISSUE)
    assert raised.value.status == 302


async def test_a_success_that_is_not_json_is_a_protocol_error(
    cloud_settings: dict[str, Any],
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/rest/api/3/field").mock(
            return_value=httpx.Response(
                200, text="<html>Log in</html>", headers={"Content-Type": "text/html"}
            )
        )
        async with client(cloud_settings) as jira:
            with pytest.raises(ProtocolError) as raised:
                await jira.get("/rest/api/3/field")
    assert "text/html instead of JSON" in str(raised.value)


async def test_a_success_nested_too_deeply_is_a_protocol_error(
    cloud_settings: dict[str, Any],
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/rest/api/3/field").mock(
            return_value=httpx.Response(
                200, content=deep, headers={"Content-Type": "application/json"}
            )
        )
        async with client(cloud_settings) as jira:
            with pytest.raises(ProtocolError) as raised:
                await jira.get("/rest/api/3/field")
    assert "/rest/api/3/field with JSON nested too deeply to read" in str(raised.value)


async def test_204_returns_none(cloud_settings: dict[str, Any]) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.put(ISSUE).mock(return_value=httpx.Response(204))
        async with client(cloud_settings) as jira:
            assert await jira.put(ISSUE, {"fields": {}}) is None
            assert jira.requests == 1


async def test_the_token_never_reaches_a_message(cloud_settings: dict[str, Any]) -> None:
    # A proxy that echoes the Authorization header back must not leak the token.
    echo = f"bad credentials {TOKEN} for bot@acme.com"
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(ISSUE).mock(return_value=httpx.Response(400, json={"errorMessages": [echo]}))
        async with client(cloud_settings) as jira:
            assert TOKEN not in repr(jira)
            assert TOKEN not in repr(jira.settings)
            with pytest.raises(SourceConfigError) as raised:
                await jira.get(ISSUE)
    assert TOKEN not in str(raised.value)
    assert "********" in str(raised.value)


async def test_cloud_sends_basic_auth_and_a_pat_sends_bearer(
    cloud_settings: dict[str, Any],
) -> None:
    dc_settings = {"type": "jira", "url": "https://jira.acme.test", "token": TOKEN}
    with respx.mock(assert_all_called=True) as mock:
        cloud = mock.get(f"{SITE}/rest/api/3/myself").mock(return_value=httpx.Response(200))
        dc = mock.get("https://jira.acme.test/rest/api/2/myself").mock(
            return_value=httpx.Response(200)
        )
        async with client(cloud_settings) as jira:
            assert jira.is_cloud
            await jira.get("/rest/api/3/myself")
        async with client(dc_settings) as jira:
            assert not jira.is_cloud
            await jira.get("/rest/api/2/myself")
    expected = base64.b64encode(f"bot@acme.com:{TOKEN}".encode()).decode()
    assert cloud.calls[0].request.headers["Authorization"] == f"Basic {expected}"
    assert dc.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_context_path_in_the_url_is_kept(cloud_settings: dict[str, Any]) -> None:
    settings = {**cloud_settings, "url": "https://intra.acme.test/jira/"}
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("https://intra.acme.test/jira/rest/api/3/field").mock(
            return_value=httpx.Response(200, json=[])
        )
        async with client(settings) as jira:
            await jira.get("/rest/api/3/field", params={"expand": None, "flag": True})
    assert route.calls[0].request.url.query == b"flag=true"
