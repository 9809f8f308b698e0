"""okrsync.http: the retry policy, pacing and concurrency bound, at the transport."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
import time_machine
from jira_site import SITE, FakeTime
from okrsync_jira import JiraClient
from okrsync_jira.client import issue_written
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer

from okrsync.errors import ConnectionFailed, RateLimited, ServerError
from okrsync.http import HttpStats, RetryPolicy, make_client, parse_retry_after

FIELDS = "/rest/api/3/field"
pytestmark = pytest.mark.anyio


def client(settings: dict[str, Any], **policy: Any) -> JiraClient:
    return JiraClient.from_mapping(settings, policy=RetryPolicy(**policy) if policy else None)


def test_parse_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2027, 1, 5, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Tue, 05 Jan 2027 10:00:42 GMT", now=now) == 42.0
    assert parse_retry_after("Tue, 05 Jan 2027 09:59:00 GMT", now=now) == 0.0
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None


async def test_429_honours_retry_after_seconds(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "3"}),
                httpx.Response(200, json=[{"id": "summary"}]),
            ]
        )
        async with client(cloud_settings) as jira:
            assert await jira.get(FIELDS) == [{"id": "summary"}]
            assert (jira.requests, jira.stats.attempts, jira.stats.retries) == (1, 2, 1)
    assert route.call_count == 2
    assert fake_time.sleeps == [3.0]


async def test_429_honours_retry_after_http_date(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with (
        time_machine.travel(datetime(2027, 1, 5, 10, 0, 0, tzinfo=UTC), tick=False),
        respx.mock(base_url=SITE, assert_all_called=True) as mock,
    ):
        mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "Tue, 05 Jan 2027 10:00:42 GMT"}),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings) as jira:
            assert await jira.get(FIELDS) == []
    assert fake_time.sleeps == [42.0]


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "0"}])
async def test_429_without_usable_retry_after_backs_off_exponentially(
    cloud_settings: dict[str, Any], fake_time: FakeTime, headers: dict[str, str]
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(FIELDS).mock(
            side_effect=[httpx.Response(429, headers=headers)] * 3 + [httpx.Response(200, json=[])]
        )
        async with client(cloud_settings, backoff_base=1.0, backoff_cap=30.0) as jira:
            await jira.get(FIELDS)
    # Equal jitter: attempt n waits in [2**(n-1) / 2, 2**(n-1)] seconds.
    first, second, third = fake_time.sleeps
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 2.0
    assert 2.0 <= third <= 4.0


async def test_backoff_is_capped(cloud_settings: dict[str, Any], fake_time: FakeTime) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(FIELDS).mock(
            side_effect=[httpx.Response(503)] * 5 + [httpx.Response(200, json=[])]
        )
        async with client(cloud_settings, backoff_base=1.0, backoff_cap=3.0) as jira:
            await jira.get(FIELDS)
    assert len(fake_time.sleeps) == 5
    assert all(s <= 3.0 for s in fake_time.sleeps)
    assert all(s >= 1.5 for s in fake_time.sleeps[2:])


async def test_5xx_burst_then_success(cloud_settings: dict[str, Any], fake_time: FakeTime) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(502),
                httpx.Response(503),
                httpx.Response(504),
                httpx.Response(200, json=[{"id": "status"}]),
            ]
        )
        async with client(cloud_settings) as jira:
            assert await jira.get(FIELDS) == [{"id": "status"}]
    assert route.call_count == 4
    assert len(fake_time.sleeps) == 3


async def test_500_is_retried_only_a_few_times(cloud_settings: dict[str, Any]) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(return_value=httpx.Response(500))
        async with client(cloud_settings, server_error_attempts=3) as jira:
            with pytest.raises(ServerError) as raised:
                await jira.get(FIELDS)
    assert route.call_count == 3
    assert raised.value.status == 500
    assert "try again later" in str(raised.value)


async def test_gives_up_after_max_attempts_with_rate_limited(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(
            return_value=httpx.Response(
                429, headers={"Retry-After": "2", "RateLimit-Reason": "jira-burst-based"}
            )
        )
        async with client(cloud_settings, max_attempts=4) as jira:
            with pytest.raises(RateLimited) as raised:
                await jira.get(FIELDS)
    assert route.call_count == 4
    assert fake_time.sleeps == [2.0, 2.0, 2.0]
    assert raised.value.retry_after == 2.0
    assert "jira-burst-based" in str(raised.value)


async def test_retry_after_beyond_the_wait_budget_gives_up_at_once(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(
            return_value=httpx.Response(429, headers={"Retry-After": "3600"})
        )
        async with client(cloud_settings, max_total_wait=300.0) as jira:
            with pytest.raises(RateLimited) as raised:
                await jira.get(FIELDS)
    assert route.call_count == 1
    assert fake_time.sleeps == []
    assert raised.value.retry_after == 3600.0


async def test_dropped_connection_is_retried_for_reads(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(
            side_effect=[
                httpx.RemoteProtocolError("Server disconnected without sending a response."),
                httpx.ReadError("connection reset by peer"),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings) as jira:
            assert await jira.get(FIELDS) == []
    assert route.call_count == 3
    assert len(fake_time.sleeps) == 2


async def test_dropped_connection_on_a_write_is_not_repeated(
    cloud_settings: dict[str, Any],
) -> None:
    # The comment may have been created before the connection dropped: never twice.
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.post("/rest/api/3/issue/OKR-1/comment").mock(
            side_effect=httpx.RemoteProtocolError("Server disconnected")
        )
        async with client(cloud_settings) as jira:
            with pytest.raises(ConnectionFailed):
                await jira.post("/rest/api/3/issue/OKR-1/comment", {"body": "x"})
    assert route.call_count == 1


async def test_idempotent_post_is_retried_with_the_same_body(
    cloud_settings: dict[str, Any],
) -> None:
    body = {"issueIdsOrKeys": ["10001", "10002"], "fields": ["summary"]}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.post("/rest/api/3/issue/bulkfetch").mock(
            side_effect=[httpx.ReadError("reset"), httpx.Response(200, json={"issues": []})]
        )
        async with client(cloud_settings) as jira:
            answer = await jira.post("/rest/api/3/issue/bulkfetch", body, idempotent=True)
    assert answer == {"issues": []}
    assert [json.loads(call.request.content) for call in route.calls] == [body, body]


async def test_429_is_retried_even_for_writes(cloud_settings: dict[str, Any]) -> None:
    # A 429 proves Jira did not act on the request, so repeating a write is safe.
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.post("/rest/api/3/issue/OKR-1/comment").mock(
            side_effect=[httpx.Response(429), httpx.Response(201, json={"id": "10001"})]
        )
        async with client(cloud_settings) as jira:
            assert await jira.post("/rest/api/3/issue/OKR-1/comment", {}) == {"id": "10001"}
    assert route.call_count == 2


async def test_unreachable_host_gives_connection_failed(cloud_settings: dict[str, Any]) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(side_effect=httpx.ConnectError("Name or service not known"))
        async with client(cloud_settings, max_attempts=3) as jira:
            with pytest.raises(ConnectionFailed) as raised:
                await jira.get(FIELDS)
    assert route.call_count == 3
    assert str(raised.value) == (
        "jira: cannot reach https://acme.atlassian.net: Name or service not known; "
        "check the url and your network"
    )


async def test_near_limit_header_slows_down_the_next_request(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(200, json=[], headers={"X-RateLimit-NearLimit": "true"}),
                httpx.Response(200, json=[]),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings, near_limit_pause=1.5) as jira:
            await jira.get(FIELDS)
            assert fake_time.sleeps == []
            await jira.get(FIELDS)
            assert fake_time.sleeps == [1.5]
            await jira.get(FIELDS)
            assert fake_time.sleeps == [1.5]  # the pause has passed


async def test_a_429_holds_back_concurrent_requests(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get("/rest/api/3/status").mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "5"}),
                httpx.Response(200, json=[]),
            ]
        )
        mock.get(FIELDS).mock(return_value=httpx.Response(200, json=[]))
        async with client(cloud_settings) as jira:
            await jira.get("/rest/api/3/status")
            # The retried request slept 5 s; a request sent right after it is not delayed.
            await jira.get(FIELDS)
    assert fake_time.sleeps == [5.0]


async def test_concurrency_is_bounded_by_the_semaphore() -> None:
    in_flight = 0
    most = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.002)
        in_flight -= 1
        return httpx.Response(200, json={"ok": True})

    stats = HttpStats()
    async with make_client(
        SITE, max_connections=3, stats=stats, transport=httpx.MockTransport(handler)
    ) as http:
        responses = await asyncio.gather(*(http.get(f"/n/{i}") for i in range(20)))
    assert all(r.json() == {"ok": True} for r in responses)
    assert most == 3
    assert stats.attempts == 20


async def test_gzip_bodies_are_decoded_once() -> None:
    import gzip

    payload = json.dumps({"hello": "world"}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=gzip.compress(payload),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async with make_client(SITE, transport=httpx.MockTransport(handler)) as http:
        response = await http.get("/x")
    assert response.json() == {"hello": "world"}


# --- per-issue write pacing --------------------------------------------------------------


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The most requests sent within any ``seconds`` (a window holds times > end - s)."""
    return max(sum(1 for t in times if end - seconds < t <= end) for end in times)


def recording(fake_time: FakeTime, sent: list[tuple[str, float]]) -> httpx.MockTransport:
    """Answers every request at once, noting when (fake clock) each one went out."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((f"{request.method} {request.url.path}", fake_time.now))
        return httpx.Response(204)

    return httpx.MockTransport(handler)


def paced_client(settings: dict[str, Any], transport: httpx.AsyncBaseTransport) -> JiraClient:
    return JiraClient.from_mapping(settings, transport=transport)


PROPERTY = "/rest/api/3/issue/OKR-1/properties/okrsync"


async def test_25_writes_to_one_issue_wait_at_least_2_seconds(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    sent: list[tuple[str, float]] = []
    async with paced_client(cloud_settings, recording(fake_time, sent)) as jira:
        for n in range(25):
            await jira.put(PROPERTY, {"n": n})
    times = [at for _, at in sent]
    assert len(times) == 25
    # The first 20 go at once; the 21st waits until the first has left the 2 s window.
    assert times[:20] == [1000.0] * 20
    assert times[20] - times[0] > 2.0
    assert sum(fake_time.sleeps) >= 2.0
    assert most_in_any_window(times, 2.0) == 20
    assert jira.stats.slept == pytest.approx(sum(fake_time.sleeps))


async def test_the_30_second_window_holds_100_writes_to_one_issue(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    sent: list[tuple[str, float]] = []
    async with paced_client(cloud_settings, recording(fake_time, sent)) as jira:
        for n in range(105):
            await jira.put(f"/rest/api/3/issue/OKR-1/comment/{n}", {"body": "x"})
    times = [at for _, at in sent]
    assert most_in_any_window(times, 2.0) <= 20
    assert most_in_any_window(times, 30.0) == 100
    assert times[100] - times[0] > 30.0
    assert sum(fake_time.sleeps) >= 30.0


async def test_writes_to_other_issues_and_reads_are_not_delayed(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    sent: list[tuple[str, float]] = []
    async with paced_client(cloud_settings, recording(fake_time, sent)) as jira:
        for n in range(20):
            await jira.put(PROPERTY, {"n": n})
        # OKR-1 is at its limit; everything else goes at once.
        await jira.put("/rest/api/3/issue/OKR-2", {"fields": {}})
        await jira.post("/rest/api/3/issue/OKR-3/comment", {"body": "x"})
        await jira.delete("/rest/api/3/issue/OKR-4/comment/1")
        await jira.get(PROPERTY)
        await jira.post("/rest/api/3/issue", {"fields": {}})
        await jira.post("/rest/api/3/issue/bulkfetch", {"issueIdsOrKeys": ["OKR-1"]})
        assert fake_time.sleeps == []
        await jira.put(PROPERTY, {"n": 20})
    assert fake_time.sleeps != []
    assert [at for _, at in sent[:-1]] == [1000.0] * 26


async def test_concurrent_writes_to_one_issue_stay_under_the_limit(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    sent: list[tuple[str, float]] = []
    async with paced_client(cloud_settings, recording(fake_time, sent)) as jira:
        await asyncio.gather(*(jira.put(PROPERTY, {"n": n}) for n in range(45)))
        await asyncio.gather(*(jira.put(f"/rest/api/3/issue/OKR-{n}", {}) for n in range(2, 12)))
    one_issue = [at for what, at in sent if what == f"PUT {PROPERTY}"]
    assert len(one_issue) == 45
    assert most_in_any_window(one_issue, 2.0) == 20
    assert one_issue[-1] - one_issue[0] > 4.0  # three windows' worth: 20 + 20 + 5


@pytest.mark.parametrize(
    ("method", "path", "issue"),
    [
        ("PUT", "/rest/api/3/issue/okr-12", "OKR-12"),
        ("PUT", "/rest/api/3/issue/OKR-12/properties/okrsync", "OKR-12"),
        ("POST", "/rest/api/3/issue/OKR-12/comment", "OKR-12"),
        ("DELETE", "/rest/api/2/issue/10036/comment/7", "10036"),
        ("POST", "/jira/rest/api/2/issue/PROJ_2-9/transitions", "PROJ_2-9"),
        ("GET", "/rest/api/3/issue/OKR-12", None),
        ("POST", "/rest/api/3/issue", None),
        ("POST", "/rest/api/3/issue/bulkfetch", None),
        ("POST", "/rest/api/3/issue/bulk", None),
        ("PUT", "/rest/api/3/issue/properties/okrsync", None),
        ("POST", "/rest/api/3/search/jql", None),
    ],
)
def test_which_requests_count_as_writes_to_an_issue(
    method: str, path: str, issue: str | None
) -> None:
    request = httpx.Request(method, SITE + path)
    assert issue_written(request) == issue


# --- pauses asked for by successful answers ----------------------------------------------


async def test_data_center_retry_after_on_a_success_pauses_the_next_request(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    bucket = {"X-RateLimit-Limit": "3", "X-RateLimit-FillRate": "3"}
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(
                    200,
                    json=[],
                    headers={**bucket, "X-RateLimit-Remaining": "1", "retry-after": "0"},
                ),
                httpx.Response(
                    200,
                    json=[],
                    headers={**bucket, "X-RateLimit-Remaining": "0", "retry-after": "4"},
                ),
                httpx.Response(200, json=[]),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings) as jira:
            await jira.get(FIELDS)
            await jira.get(FIELDS)
            assert fake_time.sleeps == []  # retry-after 0: tokens were left
            await jira.get(FIELDS)
            assert fake_time.sleeps == [4.0]  # the bucket was empty: wait for its refill
            await jira.get(FIELDS)
            assert fake_time.sleeps == [4.0]
            assert jira.stats.retries == 0


async def test_no_tokens_left_without_retry_after_pauses_like_near_limit(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(200, json=[], headers={"X-RateLimit-Remaining": "0"}),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings, near_limit_pause=1.25) as jira:
            await jira.get(FIELDS)
            await jira.get(FIELDS)
    assert fake_time.sleeps == [1.25]


async def test_a_huge_retry_after_on_a_success_pauses_no_longer_than_the_wait_budget(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        mock.get(FIELDS).mock(
            side_effect=[
                httpx.Response(200, json=[], headers={"Retry-After": "3600"}),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings, max_total_wait=60.0) as jira:
            await jira.get(FIELDS)
            await jira.get(FIELDS)
    assert fake_time.sleeps == [60.0]


# --- connection failures -----------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_refused_connection_fails_fast(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    async with client({**cloud_settings, "url": url}) as jira:
        with pytest.raises(ConnectionFailed) as raised:
            await jira.get(FIELDS)
    assert jira.stats.attempts == 2  # not max_attempts (6)
    assert len(fake_time.sleeps) == 1
    assert str(raised.value).startswith(f"jira: cannot reach {url}: ")


async def test_timeouts_and_resets_are_still_retried_in_full(
    cloud_settings: dict[str, Any], fake_time: FakeTime
) -> None:
    with respx.mock(base_url=SITE, assert_all_called=True) as mock:
        route = mock.get(FIELDS).mock(
            side_effect=[
                httpx.ConnectTimeout("connect timed out"),
                httpx.ReadTimeout("read timed out"),
                httpx.ConnectError("[Errno 104] Connection reset by peer"),
                httpx.ReadError("connection reset by peer"),
                httpx.Response(200, json=[]),
            ]
        )
        async with client(cloud_settings) as jira:
            assert await jira.get(FIELDS) == []
    assert route.call_count == 5
    assert len(fake_time.sleeps) == 4


class ReadingTransport(httpx.AsyncBaseTransport):
    """Wraps the network transport and reads each answer before handing it on, as a
    logging or recording transport does."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_an_answer_the_transport_already_read_is_not_read_again() -> None:
    # Iterating a used-up network stream again waits forever: the body that was read
    # is taken instead.
    with SandboxServer(anchor=FIXED_ANCHOR) as sandbox:
        async with make_client(
            sandbox.url, auth=sandbox.auth, transport=ReadingTransport()
        ) as client:
            answer = await asyncio.wait_for(client.get("/rest/api/3/serverInfo"), 10)
    assert answer.status_code == 200
    assert answer.json()["deploymentType"] == "Cloud"
