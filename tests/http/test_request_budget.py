"""A connector instance's request budget (``rate_limit``): kept by every request of the
instance, paused by a rate limit the tool answers, and shared in Redis by every process
(the Redis half needs the server on 127.0.0.1:6379; skipped without it, except in CI)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
from http_clock import FakeClock

import okrsync.http
from okrsync import budget
from okrsync.budget import MARGIN, LocalBudget, RedisBudget, budget_for, parse_rate_limit
from okrsync.http import RateWindow, RetryPolicy, make_client

REDIS_URL = os.environ.get("OKRSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def test_rate_limits_read_as_requests_per_time() -> None:
    assert parse_rate_limit("10/s") == RateWindow(10, 1.0)
    assert parse_rate_limit("100/10s") == RateWindow(100, 10.0)
    assert parse_rate_limit("1000 / m") == RateWindow(1000, 60.0)
    assert parse_rate_limit("5/500ms") == RateWindow(5, 0.5)
    for wrong in ("10", "ten/s", "0/s", "10/0s", "10/fortnight", 10):
        with pytest.raises(ValueError, match=r"such as 10/s, 100/10s or 1000/m|at least 1"):
            parse_rate_limit(wrong)


def test_every_request_of_the_client_takes_from_the_budget(clock: FakeClock) -> None:
    arrived: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        arrived.append(okrsync.http.monotonic())
        return httpx.Response(200, json={})

    async def seven() -> None:
        client = make_client(
            "https://tool.example",
            transport=httpx.MockTransport(answer),
            budget=LocalBudget(RateWindow(3, 1.0)),
        )
        async with client:
            await asyncio.gather(*(client.get("/x") for _ in range(7)))

    asyncio.run(seven())
    # 3 at once, 3 more when the first has left the window (1 s and the margin), and the
    # last one window later again: 0, 0, 0, 1.25, 1.25, 1.25, 2.5.
    start = arrived[0]
    assert [round(t - start, 3) for t in arrived] == [0, 0, 0, 1.25, 1.25, 1.25, 2.5]
    assert MARGIN == 0.25


def test_a_rate_limit_answered_pauses_the_whole_budget(clock: FakeClock) -> None:
    shared = LocalBudget(None)
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)])

    async def once() -> None:
        client = make_client(
            "https://tool.example",
            transport=httpx.MockTransport(lambda request: next(answers)),
            budget=shared,
            policy=RetryPolicy(max_attempts=2),
        )
        async with client:
            assert (await client.get("/x")).status_code == 200

    asyncio.run(once())
    assert clock.sleeps == [7.0]  # the retry waited what the tool said
    # The pause was told to the budget: another client of the instance waits it out too
    # (none of it is left now, the fake clock having slept through it).
    assert shared.wait() == 0.0
    shared.pause(30)
    assert shared.wait() == pytest.approx(30)


def test_clients_of_one_instance_share_one_budget_in_a_process() -> None:
    window = RateWindow(2, 1.0)
    first = budget_for("jira", "https://a.example", window)
    assert first is budget_for("jira", "https://a.example", window)
    assert first is not budget_for("jira", "https://b.example", window)
    assert budget_for("jira", "https://a.example", None) is None  # nothing to keep


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable (CI=true): {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({error}); set CI=true to fail")
    finally:
        client.close()
    yield REDIS_URL
    budget.share_budgets(None)


def test_processes_share_one_budget_and_one_pause_in_redis(redis_url: str) -> None:
    import redis

    # Two clients of Redis, as two worker processes have; one key, as one instance has.
    key = f"okrsync:test:{uuid.uuid4().hex}"
    one = RedisBudget(redis.Redis.from_url(redis_url), key, RateWindow(3, 1.0))
    two = RedisBudget(redis.Redis.from_url(redis_url), key, RateWindow(3, 1.0))
    assert [one.wait(), two.wait(), one.wait()] == [0.0, 0.0, 0.0]
    # The fourth request, whichever process sends it, waits until the first has left
    # the window: 1.25 s after it, less the moments since (far less than a second).
    assert 0.5 < two.wait() <= 1.25
    assert 0.5 < one.wait() <= 1.25
    # A 429 seen by one pauses the other, for as long as the tool said.
    one.pause(20)
    assert 19 < two.wait() <= 20
    # A shorter pause does not shorten it.
    two.pause(1)
    assert 19 < one.wait() <= 20


def test_a_worker_shares_the_budgets_of_its_instances_in_redis(redis_url: str) -> None:
    budget.share_budgets(redis_url)
    shared = budget_for("jira", "https://a.example", None)
    # Even with no rate_limit, the pause of a 429 is shared.
    assert isinstance(shared, RedisBudget)
    assert budget.shared_in() is not None
