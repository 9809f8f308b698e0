"""The HTTP layer's bounds at the transport: answer size, the run's deadline over
requests and retries. (Real dripping and endless servers: tests/e2e.)"""

from __future__ import annotations

import httpx
import pytest
from jira_site import FakeTime

from okrsync.errors import AnswerTooLarge, RunTimedOut
from okrsync.http import make_client, run_deadline, shown_url

pytestmark = pytest.mark.anyio


def client(
    transport: httpx.MockTransport, max_answer_bytes: int = 1 << 20, source: str = ""
) -> httpx.AsyncClient:
    return make_client(
        "https://example.test",
        transport=transport,
        max_answer_bytes=max_answer_bytes,
        source=source,
    )


async def test_an_answer_announced_too_long_is_refused_unread() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return httpx.Response(200, content=b"x" * 2048)

    async with client(httpx.MockTransport(answer), max_answer_bytes=1024, source="jira") as http:
        with pytest.raises(AnswerTooLarge) as raised:
            await http.get("https://bob:hunter2@example.test/big?x=1")
    assert str(raised.value) == (
        "jira: the answer to GET https://example.test/big?x=1 is longer than "
        "max_answer_bytes (1024 bytes); raise max_answer_bytes in the connector's settings "
        "if such answers are expected"
    )
    assert sent == ["/big"]  # too long is final: no retry


async def test_the_run_deadline_stops_a_retry_instead_of_waiting_for_it(
    fake_time: FakeTime,
) -> None:
    calls: list[str] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503, headers={"Retry-After": "120"})

    async with client(httpx.MockTransport(busy)) as http:
        with run_deadline(60, shown="run_timeout (1m)"), pytest.raises(RunTimedOut) as raised:
            await http.get("/search")
    assert calls == ["/search"]
    assert fake_time.sleeps == []  # it did not sleep 120 s first
    assert str(raised.value).startswith("the run took longer than run_timeout (1m)")


async def test_no_request_starts_after_the_run_deadline(fake_time: FakeTime) -> None:
    calls: list[str] = []

    def ok(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json={})

    async with client(httpx.MockTransport(ok)) as http:
        with run_deadline(10, shown="run_timeout (10s)"):
            await http.get("/first")
            fake_time.now += 11
            with pytest.raises(RunTimedOut) as raised:
                await http.get("/second")
        await http.get("/after")  # outside the run, no deadline
    assert calls == ["/first", "/after"]
    assert "while waiting for GET https://example.test/second" in str(raised.value)


def test_shown_urls_drop_credentials() -> None:
    assert shown_url("https://bob:hunter2@example.test/a?b=1") == "https://example.test/a?b=1"
    assert shown_url("https://example.test/a") == "https://example.test/a"
