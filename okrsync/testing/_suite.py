"""The conformance suite. Every test drives the connector as okrsync does, through
its public contract only (``okrsync.connector``), on a fresh connector per step."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

import okrsync.http
from okrsync.connector import (
    Connector,
    PullBatch,
    PullDone,
    PullRequest,
    capabilities_of,
)
from okrsync.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    SourceError,
)
from okrsync.evaluate.state import ItemAt, Timeline
from okrsync.items import Change, Item
from okrsync.plan import same_value
from okrsync.testing._case import ConformanceCase, Expected

T = TypeVar("T")

# What each failing status must raise (a subclass will do).
STATUS_ERRORS: dict[int, type[SourceError]] = {
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    429: RateLimited,
    500: ServerError,
    503: ServerError,
}
# A message a user can act on tells them what to do.
_ACTIONS = (
    "check",
    "grant",
    "give",
    "enable",
    "ask",
    "run again",
    "try again",
    "lower",
    "set ",
    "use ",
)


@dataclass
class Pulled:
    """Everything one pull yielded, in order."""

    events: list[PullBatch | PullDone]

    @property
    def items(self) -> dict[str, Item]:
        return {i.key: i for e in self.events if isinstance(e, PullBatch) for i in e.items}

    @property
    def changes(self) -> list[Change]:
        return [c for e in self.events if isinstance(e, PullBatch) for c in e.changes]

    @property
    def done(self) -> PullDone:
        last = self.events[-1]
        assert isinstance(last, PullDone), "the last thing a pull yields is a PullDone"
        return last


def _run(case: ConformanceCase, step: Callable[[Connector], Awaitable[T]]) -> T:
    """``step`` on a fresh connector, as one okrsync process would run it."""

    async def main() -> T:
        async with case.connector() as connector:
            return await step(connector)

    return asyncio.run(main())


def _pull(case: ConformanceCase, request: PullRequest) -> Pulled:
    async def step(connector: Connector) -> Pulled:
        return Pulled([event async for event in connector.pull(request)])

    return _run(case, step)


class ConnectorConformance:
    """Subclass it and give it a ``conformance_case`` fixture (see ``okrsync.testing``)."""

    @pytest.fixture(autouse=True)
    def _no_waiting(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        """Retries and pauses of okrsync's HTTP layer happen at once."""

        async def no_wait(seconds: float) -> None:
            return None

        monkeypatch.setattr(okrsync.http, "sleep", no_wait)
        yield

    @pytest.fixture
    def full(self, conformance_case: ConformanceCase) -> Pulled:
        case = conformance_case
        return _pull(case, PullRequest(query=case.query, fields=case.fields))

    # --- pull -----------------------------------------------------------------------

    def test_a_full_pull_yields_every_item_then_exactly_one_pull_done(
        self, conformance_case: ConformanceCase, full: Pulled
    ) -> None:
        dones = [e for e in full.events if isinstance(e, PullDone)]
        assert len(dones) == 1, "a pull yields exactly one PullDone"
        assert full.done is dones[0]
        assert set(full.items) == set(conformance_case.keys)
        assert set(full.done.members) == set(conformance_case.keys)
        instance = conformance_case.connector().instance
        assert {i.source for i in full.items.values()} == {instance}
        assert full.done.cursor.tzinfo is not None, "cursors are timezone-aware"

    def test_an_incremental_pull_is_a_subset_of_the_full_one(
        self, conformance_case: ConformanceCase, full: Pulled
    ) -> None:
        request = PullRequest(
            query=conformance_case.query,
            fields=conformance_case.fields,
            since=full.done.cursor,
            known_keys=frozenset(full.done.members),
        )
        again = _pull(conformance_case, request)
        assert set(again.items) <= set(full.items)
        assert set(again.done.members) == set(full.done.members)
        assert again.done.cursor >= full.done.cursor
        for key, item in again.items.items():
            assert item == full.items[key], f"{key} read differently by the incremental pull"

    def test_history_rebuilds_the_expected_state_at_each_instant(
        self, conformance_case: ConformanceCase, full: Pulled
    ) -> None:
        history: dict[str, list[Change]] = {}
        for change in full.changes:
            history.setdefault(change.key, []).append(change)
        assert conformance_case.states, "give the kit expected states at some instants"
        for instant, expected in conformance_case.states.items():
            for key, state in expected.items():
                actual = Timeline(full.items[key], history.get(key, [])).at(instant)
                _check_state(key, instant.isoformat(), state, actual)

    def test_only_declared_fields_carry_history(
        self, conformance_case: ConformanceCase, full: Pulled
    ) -> None:
        connector = conformance_case.connector()
        declared = capabilities_of(type(connector)).history
        for change in full.changes:
            assert change.field in declared, (
                f"{change.key} has a change of {change.field}, which the type does not "
                "declare in capabilities.history (okrsync observes such fields itself)"
            )
            assert change.key in full.items, f"a change of {change.key}, which was not pulled"
            assert change.at.tzinfo is not None

    # --- push -----------------------------------------------------------------------

    def test_a_push_reads_back_what_was_written(self, conformance_case: ConformanceCase) -> None:
        declared = capabilities_of(type(conformance_case.connector())).push
        assert conformance_case.pushes or not declared - {"create"}, "give the kit pushes"
        for target, value in conformance_case.pushes:
            assert target.what in declared, f"{target.what} pushes are not declared"

            async def step(connector: Connector, target: Any = target, value: Any = value) -> Any:
                await connector.write(target, value)
                return await connector.read(target)

            held = _run(conformance_case, step)
            assert same_value(held, value), f"{target.describe()}: wrote {value!r}, read {held!r}"

    def test_a_repeated_push_sends_no_write(self, conformance_case: ConformanceCase) -> None:
        for target, value in conformance_case.pushes:

            async def write(connector: Connector, target: Any = target, value: Any = value) -> Any:
                return await connector.write(target, value)

            async def read(connector: Connector, target: Any = target) -> Any:
                return await connector.read(target)

            _run(conformance_case, write)
            before = conformance_case.writes()
            # What ``okrsync apply`` does again: read, compare, and write only a change.
            held = _run(conformance_case, read)
            assert same_value(held, value), f"{target.describe()}: the tool holds {held!r}"
            assert conformance_case.writes() == before, "reading a target wrote to the tool"

    def test_a_created_item_is_found_again_after_a_crash(
        self, conformance_case: ConformanceCase
    ) -> None:
        if conformance_case.create is None:
            declared = capabilities_of(type(conformance_case.connector())).push
            assert "create" not in declared, "the type declares create: give the kit one"
            return
        target, value = conformance_case.create

        async def create(connector: Connector) -> str | None:
            return (await connector.write(target, value)).issue

        async def find(connector: Connector) -> Any:
            return await connector.read(target)

        created = _run(conformance_case, create)
        assert created, "a create answers with the created item's key"
        # The process died before okrsync recorded the key: a new one, with no memory
        # of it, must find it (and so never create it twice).
        assert _run(conformance_case, find) == created
        writes = conformance_case.writes()
        assert _run(conformance_case, create) == created
        assert conformance_case.writes() == writes, "a second create wrote to the tool"

    # --- failures -------------------------------------------------------------------

    @pytest.mark.parametrize("status", sorted(STATUS_ERRORS))
    def test_http_failures_raise_the_right_error_with_words_to_act_on(
        self, conformance_case: ConformanceCase, status: int
    ) -> None:
        request = PullRequest(query=conformance_case.query, fields=conformance_case.fields)
        with conformance_case.fault(status), pytest.raises(SourceError) as raised:
            _pull(conformance_case, request)
        error = raised.value
        expected = STATUS_ERRORS[status]
        assert isinstance(error, expected), f"{status} raised {type(error).__name__}"
        message = str(error)
        instance = conformance_case.connector().instance
        assert message.startswith(f"{instance}: "), "the message names the instance"
        assert "\n" not in message, "one line"
        assert conformance_case.secret not in message
        assert any(action in message.lower() for action in _ACTIONS), (
            f"{message!r} does not say what to do"
        )


def _check_state(key: str, when: str, expected: Expected | None, actual: ItemAt | None) -> None:
    if expected is None:
        assert actual is None, f"{key} should not exist at {when}"
        return
    assert actual is not None, f"{key} should exist at {when}"
    checks = {
        "status_category": (expected.status_category, actual.status_category),
        "estimate": (expected.estimate, actual.estimate),
        "sprints": (expected.sprints, tuple(sorted(actual.sprints))),
        "parent": (expected.parent, actual.parent),
        "withdrawn": (expected.withdrawn, actual.withdrawn),
    }
    for name, (want, got) in checks.items():
        if want is not None:
            assert got == want, f"{key} at {when}: {name} is {got!r}, expected {want!r}"
