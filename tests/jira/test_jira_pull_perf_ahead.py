"""Work that overlaps: ``ahead`` starts the next groups while one is handed over, and
``TokenPaging`` asks for the next page before the caller works on this one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import pytest
from okrsync_jira.search import TokenPaging, ahead, together

pytestmark = pytest.mark.anyio


class Work:
    """Each job waits until released, so a test sees what is under way at once."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.cancelled: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}

    async def job(self, value: int) -> int:
        self.started.append(value)
        gate = self.gates.setdefault(value, asyncio.Event())
        try:
            await gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(value)
            raise
        return value * 10

    def release(self, *values: int) -> None:
        for value in values:
            self.gates.setdefault(value, asyncio.Event()).set()


async def numbers(count: int, fail_after: int | None = None) -> AsyncIterator[int]:
    for value in range(count):
        if value == fail_after:
            raise ValueError("the id search failed")
        yield value
        await asyncio.sleep(0)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_results_come_in_order_with_a_bounded_number_under_way() -> None:
    work = Work()
    results = ahead(numbers(6), work.job, window=1)
    first = asyncio.ensure_future(anext(results))
    await settle()
    # One awaited, one queued, one held by the feeder waiting for room: three started.
    assert work.started == [0, 1, 2]
    work.release(1, 2)  # later ones finishing first change nothing about the order
    await settle()
    assert not first.done()
    work.release(0)
    assert await first == 0
    work.release(3, 4, 5)
    assert [value async for value in results] == [10, 20, 30, 40, 50]


async def test_a_failing_source_is_raised_after_the_results_before_it() -> None:
    work = Work()
    work.release(*range(5))
    got: list[int] = []
    with pytest.raises(ValueError, match="the id search failed"):
        async for value in ahead(numbers(5, fail_after=2), work.job):
            got.append(value)
    assert got == [0, 10]


async def test_stopping_early_cancels_what_is_under_way() -> None:
    work = Work()
    work.release(0)
    async with aclosing(ahead(numbers(10), work.job, window=2)) as results:
        assert await anext(results) == 0
        await settle()
    await settle()
    assert work.started == [0, 1, 2, 3]
    assert sorted(work.cancelled) == [1, 2, 3]


async def test_token_paging_asks_for_the_next_page_before_handing_this_one_over() -> None:
    events: list[str] = []
    answers: dict[str | None, dict[str, Any]] = {
        None: {"n": 1, "nextPageToken": "a"},
        "a": {"n": 2, "nextPageToken": "b"},
        "b": {"n": 3},
    }

    async def fetch(token: str | None) -> dict[str, Any]:
        events.append(f"ask {token}")
        await asyncio.sleep(0)
        return answers[token]

    async for page in TokenPaging().pages(fetch):
        events.append(f"use {page['n']}")
    assert events == ["ask None", "ask a", "use 1", "ask b", "use 2", "use 3"]


async def test_token_paging_stopped_early_cancels_the_next_page() -> None:
    asked: list[str | None] = []
    cancelled: list[str | None] = []

    async def fetch(token: str | None) -> dict[str, Any]:
        asked.append(token)
        if token is None:
            return {"nextPageToken": "a"}
        try:
            await asyncio.sleep(10)  # the second page is never needed
        except asyncio.CancelledError:
            cancelled.append(token)
            raise
        return {}

    async with aclosing(TokenPaging().pages(fetch)) as pages:
        assert await anext(pages) == {"nextPageToken": "a"}
    await settle()
    assert asked == [None, "a"]
    assert cancelled == ["a"]


async def test_together_gives_every_result_in_order() -> None:
    work = Work()
    running = asyncio.ensure_future(together(work.job(n) for n in (3, 1, 2)))
    for _ in range(3):  # the call starts its tasks, which then start their jobs
        await asyncio.sleep(0)
    assert sorted(work.started) == [1, 2, 3]  # all at once
    work.release(1, 2, 3)
    assert await running == [30, 10, 20]


async def test_together_cancels_the_rest_when_one_fails_before_raising() -> None:
    work = Work()

    async def failing() -> int:
        await asyncio.sleep(0)
        raise RuntimeError("changelog fetch failed")

    with pytest.raises(RuntimeError, match="changelog fetch failed"):
        await together([work.job(1), failing(), work.job(2)])
    # Both were cancelled, and had finished, before the failure reached the caller.
    assert sorted(work.cancelled) == [1, 2]
