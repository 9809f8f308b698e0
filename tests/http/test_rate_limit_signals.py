"""Rate limits beyond Retry-After: an epoch reset, 403 secondary limits, GraphQL errors
in a 200. Each is retried after the wait the tool names, and pauses everyone."""

from __future__ import annotations

import httpx
import pytest
import respx
from http_clock import EPOCH_START, FakeClock

from okrsync.http import RetryPolicy, make_client

pytestmark = pytest.mark.anyio

SITE = "https://api.tool.example"


def client() -> httpx.AsyncClient:
    return make_client(SITE, policy=RetryPolicy(max_attempts=3), source="tool")


def spent(reset_in: int, status: int = 403) -> httpx.Response:
    reset = str(int(EPOCH_START) + reset_in)
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    return httpx.Response(status, headers=headers, json={"message": "API rate limit exceeded"})


async def test_a_spent_quota_waits_until_its_epoch_reset(clock: FakeClock) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get("/issues").mock(side_effect=[spent(30), httpx.Response(200, json=[])])
        async with client() as http:
            response = await http.get("/issues")
    assert response.status_code == 200
    assert route.call_count == 2
    assert clock.sleeps == [30.0]


async def test_a_secondary_limit_on_403_waits_retry_after_even_for_a_post(
    clock: FakeClock,
) -> None:
    limited = httpx.Response(403, headers={"Retry-After": "60"}, json={"message": "secondary"})
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.post("/graphql").mock(side_effect=[limited, httpx.Response(200, json={})])
        async with client() as http:
            response = await http.post("/graphql", json={"query": "{viewer{login}}"})
    assert response.status_code == 200
    assert route.call_count == 2  # a limited request was not acted on: safe to repeat
    assert clock.sleeps == [60.0]


async def test_a_graphql_rate_limited_error_in_a_200_is_retried_after_the_reset(
    clock: FakeClock,
) -> None:
    body = {"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit"}]}
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(EPOCH_START) + 12)}
    answers = [httpx.Response(200, headers=headers, json=body), httpx.Response(200, json={})]
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.post("/graphql").mock(side_effect=answers)
        async with client() as http:
            response = await http.post("/graphql", json={"query": "{viewer{login}}"})
    assert response.json() == {}
    assert route.call_count == 2
    assert clock.sleeps == [12.0]


async def test_other_graphql_errors_and_plain_403s_are_not_retried(clock: FakeClock) -> None:
    not_found = {"errors": [{"type": "NOT_FOUND", "message": "Could not resolve"}]}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        graphql = mock.post("/graphql").mock(return_value=httpx.Response(200, json=not_found))
        forbidden = mock.get("/orgs/acme").mock(return_value=httpx.Response(403, json={}))
        async with client() as http:
            assert (await http.post("/graphql", json={})).status_code == 200
            assert (await http.get("/orgs/acme")).status_code == 403
    assert graphql.call_count == 1
    assert forbidden.call_count == 1
    assert clock.sleeps == []


async def test_a_success_that_spends_the_quota_pauses_everyone_until_the_reset(
    clock: FakeClock,
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/a").mock(return_value=spent(20, status=200))
        mock.get("/b").mock(return_value=httpx.Response(200))
        async with client() as http:
            await http.get("/a")
            await http.get("/b")
    assert clock.sleeps == [20.0]


async def test_a_reset_beyond_the_wait_budget_is_not_waited_for(clock: FakeClock) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get("/issues").mock(return_value=spent(3600))
        async with client() as http:
            response = await http.get("/issues")
    assert response.status_code == 403  # handed back for the error map to name
    assert route.call_count == 1
    assert clock.sleeps == []


async def test_an_iso_reset_is_not_an_epoch_and_leaves_jiras_429_to_back_off(
    clock: FakeClock,
) -> None:
    # Jira Cloud's X-RateLimit-Reset is an ISO timestamp; without Retry-After the
    # policy backs off (equal jitter: between 0.5 and 1 s on the first retry).
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2027-01-01T00:01:00Z"}
    answers = [httpx.Response(429, headers=headers), httpx.Response(200)]
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/search").mock(side_effect=answers)
        async with client() as http:
            await http.get("/search")
    assert len(clock.sleeps) == 1
    assert 0.5 <= clock.sleeps[0] <= 1.0
