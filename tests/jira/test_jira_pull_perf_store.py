"""``okrsync.pull`` storing a Jira pull: writes go to a worker thread, one at a time,
while the pull goes on; what is stored is what the connector gave, whatever the
grouping; a failed write stops the pull with the cursor unmoved; and a store that
remembers when the members were last listed lets the next pull skip listing them."""

from __future__ import annotations

import gc
import itertools
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from okrsync_jira import JiraConnector
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer
from sandbox_pull import pull_all
from sandbox_pull import site_settings as settings

import okrsync.pull
from okrsync.connector import PullBatch, PullRequest
from okrsync.errors import StoreError
from okrsync.items import Change, Item, ItemType, StatusCategory, TrackedField
from okrsync.pull import QuerySpec, SweepLog, merge_batches, pull_queries
from okrsync.store import Store

pytestmark = pytest.mark.anyio

SHOP = "project = SHOP"
BULK = "project = BULK"
PG_URL = os.environ.get(
    "OKRSYNC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(anchor=FIXED_ANCHOR, extra_issues=250) as server:
        yield server


class WatchedStore(Store):
    """Records every batch write: its thread, when it ran, how many items it held."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writes: list[tuple[str, float, float, int]] = []
        self.delay = 0.0
        self.fail_on: int | None = None
        # Reads of the known keys: thread, start, end, keys read.
        self.reads: list[tuple[str, float, float, int]] = []
        self.read_delay = 0.0

    def known_keys(self, source: str, query: str) -> frozenset[str]:
        began = time.monotonic()
        time.sleep(self.read_delay)
        keys = super().known_keys(source, query)
        self.reads.append((threading.current_thread().name, began, time.monotonic(), len(keys)))
        return keys

    def save_pull_batch(
        self, source: str, query: str, items: Any, changes: Any, **observing: Any
    ) -> None:
        began = time.monotonic()
        batch = list(items)
        if self.fail_on == len(self.writes) + 1:
            self.writes.append((threading.current_thread().name, began, began, len(batch)))
            raise StoreError("the state database sqlite:///x.db failed: disk I/O error")
        time.sleep(self.delay)
        super().save_pull_batch(source, query, batch, changes, **observing)
        ended = time.monotonic()
        self.writes.append((threading.current_thread().name, began, ended, len(batch)))


class RememberingStore(WatchedStore):
    """A store that keeps the time of each query's last full listing (``SweepLog``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sweeps: dict[tuple[str, str], datetime] = {}

    def members_swept_at(self, source: str, query: str) -> datetime | None:
        return self.sweeps.get((source, query))

    def record_members_swept(self, source: str, query: str, at: datetime) -> None:
        self.sweeps[(source, query)] = at


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the PostgreSQL server the store tests use (see tests/store)."""
    url = sa.make_url(PG_URL)
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    parts["password"] = url.password
    libpq = " ".join(f"{name}={value}" for name, value in parts.items() if value is not None)
    try:
        admin = psycopg.connect(libpq, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is unreachable ({exc}); CI=true needs it")
        pytest.skip(f"PostgreSQL is unreachable ({str(exc).strip().splitlines()[0]})")
    schema = f"okrsync_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
                hide_password=False
            )
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["file", "memory", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WatchedStore]:
    """The store on a SQLite file, on in-memory SQLite (one connection that the worker
    thread borrows) and on PostgreSQL."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path / 'state.db'}" if request.param == "file" else "sqlite://"
    with WatchedStore.open(url) as opened:
        yield opened


async def test_batches_are_stored_in_one_worker_thread_one_write_at_a_time(
    sandbox: SandboxServer, store: WatchedStore
) -> None:
    store.delay = 0.02  # slower than the pull: batches pile up and are stored together
    seen: list[int] = []
    async with JiraConnector("jira", settings(sandbox)) as jira:
        report = await pull_queries(
            [QuerySpec("jira", BULK)], store, lambda _: jira, lambda s, q, n: seen.append(n)
        )
        direct, changes, _ = await pull_all(jira, PullRequest(query=BULK))

    assert report.fetched == report.queries[0].members == 250
    assert {name for name, *_ in store.writes} == {"okrsync-store_0"}
    assert threading.current_thread().name not in {name for name, *_ in store.writes}
    spans = sorted((began, ended) for _, began, ended, _ in store.writes)
    assert all(ended <= following for (_, ended), (following, _) in itertools.pairwise(spans))
    # The connector's three batches arrive together: the first is written at once, the
    # other two together once it is done. Progress counts what is stored.
    assert [count for *_, count in store.writes] == [100, 150]
    assert seen == sorted(seen) and seen[-1] == 250 and len(seen) == len(store.writes)

    stored = store.items_for("jira", BULK)
    assert stored == sorted(direct, key=lambda item: item.key)
    history = store.history_for("jira", [item.key for item in direct])
    assert sum(len(found) for found in history.values()) == len(changes) > 0
    assert store.cursor("jira", BULK) == max(item.updated for item in direct)


async def test_a_failed_write_stops_the_pull_and_leaves_the_cursor(
    sandbox: SandboxServer, store: WatchedStore
) -> None:
    store.fail_on = 2
    store.delay = 0.02
    async with JiraConnector("jira", settings(sandbox)) as jira:
        with pytest.raises(StoreError, match="disk I/O error"):
            await pull_queries([QuerySpec("jira", BULK)], store, lambda _: jira)
    assert len(store.writes) == 2  # nothing was written after the failure
    assert store.cursor("jira", BULK) is None
    assert store.known_keys("jira", BULK) == frozenset()


async def test_the_wait_for_the_store_bounds_what_is_held(
    sandbox: SandboxServer, store: WatchedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(okrsync.pull, "BACKLOG_ITEMS", 150)
    store.delay = 0.05
    async with JiraConnector("jira", settings(sandbox)) as jira:
        await pull_queries([QuerySpec("jira", BULK)], store, lambda _: jira)
    # Batches of 100: at most 149 waiting when one more arrives.
    assert max(count for *_, count in store.writes) <= 249
    assert sum(count for *_, count in store.writes) == 250


async def test_the_known_keys_are_read_while_the_pull_goes_on(
    sandbox: SandboxServer, store: WatchedStore, request: pytest.FixtureRequest
) -> None:
    async with JiraConnector("jira", settings(sandbox)) as jira:
        await pull_queries([QuerySpec("jira", BULK)], store, lambda _: jira)
        assert store.reads == []  # a first pull knows nothing yet
        store.writes.clear()
        store.read_delay = 0.5  # a query with very many members
        sandbox.reset_log()
        report = await pull_queries([QuerySpec("jira", BULK)], store, lambda _: jira)

    ((reader, read_began, read_ended, read),) = store.reads
    assert read == 250
    first_write_began = min(began for _, began, _, _ in store.writes)
    assert read_began < first_write_began  # read as the pull began
    if request.node.callspec.params["store"] == "memory":
        # One connection for every thread: the read comes first, in the writer's thread.
        assert reader == "okrsync-store_0"
        assert read_ended <= first_write_began
    else:
        # The first requests did not wait for the read, nor did the first write.
        assert reader == "okrsync-store-read_0"
        assert first_write_began < read_ended
        wall_clock = time.time() - time.monotonic()  # the sandbox logs wall-clock times
        assert sandbox.log[0].at - wall_clock < read_ended - 0.2
    # Whoever read them, the members came out right: the difference was written.
    assert report.queries[0].fetched >= 1
    assert store.known_keys("jira", BULK) == frozenset(i.key for i in store.items_for("jira", BULK))
    assert len(store.items_for("jira", BULK)) == 250


async def test_a_store_that_remembers_the_listing_lets_the_next_pull_skip_it(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with RememberingStore.open(f"sqlite:///{tmp_path / 'state.db'}") as store:
        assert isinstance(store, SweepLog)
        async with JiraConnector("jira", settings(sandbox)) as jira:
            before = datetime.now(UTC)
            await pull_queries([QuerySpec("jira", SHOP)], store, lambda _: jira)
            listed = store.sweeps[("jira", SHOP)]
            assert before <= listed <= datetime.now(UTC)

            sandbox.reset_log()
            report = await pull_queries([QuerySpec("jira", SHOP)], store, lambda _: jira)
        paths = sorted(entry.path for entry in sandbox.log)
        # The count agreed: no listing, and the remembered time stays that of the first.
        assert store.sweeps[("jira", SHOP)] == listed
        assert "/rest/api/3/search/approximate-count" in paths
        assert paths.count("/rest/api/3/search/jql") == 1
        assert report.queries[0].members == 17
        assert len(store.known_keys("jira", SHOP)) == 17


def _item(key: str, summary: str) -> Item:
    at = datetime(2027, 1, 5, tzinfo=UTC)
    return Item(
        source="jira",
        key=key,
        id=key.rsplit("-", 1)[1],
        project="SHOP",
        type=ItemType.STORY,
        type_name="Story",
        summary=summary,
        status="Done",
        status_category=StatusCategory.DONE,
        created=at,
        updated=at,
    )


def _change(key: str, change_id: str) -> Change:
    at = datetime(2027, 1, 5, tzinfo=UTC)
    return Change("jira", key, at, TrackedField.STATUS, "To Do", "Done", change_id)


def test_merged_batches_keep_the_last_version_of_an_item_and_its_history() -> None:
    first = PullBatch(
        items=[_item("SHOP-1", "old"), _item("SHOP-2", "two")],
        changes=[_change("SHOP-1", "a"), _change("SHOP-2", "b")],
    )
    second = PullBatch(items=[_item("SHOP-1", "new")], changes=[_change("SHOP-1", "c")])
    merged = merge_batches([first, second])
    assert [(item.key, item.summary) for item in merged.items] == [
        ("SHOP-2", "two"),
        ("SHOP-1", "new"),
    ]
    assert [(c.key, c.change_id) for c in merged.changes] == [("SHOP-2", "b"), ("SHOP-1", "c")]
    assert merge_batches([first]) is first


async def test_young_objects_are_collected_less_often_while_pulling(
    sandbox: SandboxServer, store: WatchedStore
) -> None:
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    async with JiraConnector("jira", settings(sandbox)) as jira:
        await pull_queries(
            [QuerySpec("jira", SHOP)],
            store,
            lambda _: jira,
            lambda s, q, n: during.append(gc.get_threshold()),
        )
    assert during == [(okrsync.pull.COLLECT_EVERY, *before[1:])]
    assert gc.get_threshold() == before
