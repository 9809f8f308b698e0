from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from store_helpers import T0, change, count_rows, item, sprint

from okrsync.items import Change, ItemType, StatusCategory, TrackedField
from okrsync.store import Store

Q = "project = SHOP AND issuetype = Story"


def pull(store: Store, items: list, changes: list[Change], *, query: str = Q) -> None:
    store.save_pull_batch("jira", query, items, changes)
    store.finish_pull("jira", query, [i.key for i in items], T0 + timedelta(days=3))


def test_items_come_back_exactly_as_stored(store: Store) -> None:
    done = item(
        "SHOP-3",
        type=ItemType.BUG,
        type_name="Fehler",
        status="Erledigt",
        status_category=StatusCategory.DONE,
        resolved=T0 + timedelta(days=1, microseconds=250),
        estimate=None,
        parent=None,
        sprints=(),
        labels=("a", "b"),
        fields={"story_points": 5.5, "nested": [1, {"x": None}], "text": "ünïcode"},
    )
    pull(store, [item("SHOP-2"), done], [])
    assert store.items_for("jira", Q) == [item("SHOP-2"), done]
    stored = store.items_for("jira", Q)[1]
    assert stored.resolved is not None and stored.resolved.tzinfo is not None
    assert stored.resolved.utcoffset() == timedelta(0)


def test_times_in_other_zones_are_stored_as_utc(store: Store) -> None:
    berlin = timezone(timedelta(hours=1))
    local = datetime(2027, 1, 4, 10, 0, tzinfo=berlin)
    pull(store, [item("SHOP-2", created=local)], [change("SHOP-2", 0, "Done")])
    (stored,) = store.items_for("jira", Q)
    assert stored.created == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert stored.created.tzinfo == UTC


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        store.save_pull_batch("jira", Q, [item("SHOP-2", created=datetime(2027, 1, 4))], [])


def test_storing_the_same_batch_again_changes_nothing(store: Store, store_url: str) -> None:
    items = [item("SHOP-2"), item("SHOP-3")]
    changes = [change("SHOP-2", 1, "In Progress"), change("SHOP-2", 2, "Done")]
    changes.append(change("SHOP-3", 1, "5.0", field=TrackedField.ESTIMATE))
    pull(store, items, changes)
    before = (store.items_for("jira", Q), store.history_for("jira", ["SHOP-2", "SHOP-3"]))

    pull(store, items, changes)

    after = (store.items_for("jira", Q), store.history_for("jira", ["SHOP-2", "SHOP-3"]))
    assert after == before
    assert count_rows(store_url, "items") == 2
    assert count_rows(store_url, "changes") == 3
    assert count_rows(store_url, "query_members") == 2


def test_a_later_batch_updates_the_stored_item(store: Store) -> None:
    pull(store, [item("SHOP-2")], [])
    newer = item("SHOP-2", summary="Renamed", status="Done", status_category=StatusCategory.DONE)
    pull(store, [newer], [])
    assert store.items_for("jira", Q) == [newer]


def test_duplicates_within_a_batch_keep_the_last(store: Store) -> None:
    first, last = item("SHOP-2", summary="first"), item("SHOP-2", summary="last")
    twice = change("SHOP-2", 1, "Done", change_id="7")
    pull(store, [first, last], [twice, replace(twice, from_value="To Do")])
    assert store.items_for("jira", Q) == [last]
    assert store.history_for("jira", ["SHOP-2"])["SHOP-2"] == [replace(twice, from_value="To Do")]


def test_history_is_replaced_for_exactly_the_given_items(store: Store) -> None:
    old = [change("SHOP-2", h, f"s{h}") for h in (1, 2, 3)]
    other = [change("SHOP-3", 1, "Done")]
    pull(store, [item("SHOP-2"), item("SHOP-3")], old + other)

    new = [change("SHOP-2", 5, "Done", change_id="x"), change("SHOP-2", 4, "Review")]
    store.replace_history("jira", ["SHOP-2"], new)

    history = store.history_for("jira", ["SHOP-2", "SHOP-3", "SHOP-404"])
    assert history == {"SHOP-2": [new[1], new[0]], "SHOP-3": other, "SHOP-404": []}

    store.replace_history("jira", ["SHOP-2"], [])
    assert store.history_for("jira", ["SHOP-2"]) == {"SHOP-2": []}
    assert store.history_for("jira", ["SHOP-3"]) == {"SHOP-3": other}


def test_a_batch_replaces_the_history_of_its_items(store: Store) -> None:
    pull(store, [item("SHOP-2")], [change("SHOP-2", 1, "In Progress"), change("SHOP-2", 2, "Done")])
    reopened = [change("SHOP-2", 1, "In Progress"), change("SHOP-2", 9, "Reopened")]
    pull(store, [item("SHOP-2")], reopened)
    assert store.history_for("jira", ["SHOP-2"])["SHOP-2"] == reopened


def test_history_is_ordered_by_time_then_as_given(store: Store) -> None:
    same_instant = [
        change("SHOP-2", 2, "Done", change_id="20"),
        change("SHOP-2", 2, "done", field=TrackedField.STATUS_CATEGORY, change_id="20"),
        change("SHOP-2", 2, "8.0", field=TrackedField.ESTIMATE, change_id="19"),
    ]
    earliest = change("SHOP-2", 1, "In Progress", change_id="99")
    pull(store, [item("SHOP-2")], [*same_instant, earliest])
    assert store.history_for("jira", ["SHOP-2"])["SHOP-2"] == [earliest, *same_instant]


def test_changes_of_other_items_are_refused_and_nothing_is_stored(store: Store) -> None:
    pull(store, [item("SHOP-2")], [change("SHOP-2", 1, "Done")])
    with pytest.raises(ValueError, match="SHOP-3"):
        store.replace_history("jira", ["SHOP-2"], [change("SHOP-3", 1, "Done")])
    with pytest.raises(ValueError, match="gitlab"):
        store.save_pull_batch("jira", Q, [item("SHOP-2", source="gitlab")], [])
    assert store.history_for("jira", ["SHOP-2"])["SHOP-2"] == [change("SHOP-2", 1, "Done")]


def test_the_cursor_moves_only_when_the_pull_finishes(store: Store) -> None:
    assert store.cursor("jira", Q) is None
    store.save_pull_batch("jira", Q, [item("SHOP-2")], [])
    assert store.cursor("jira", Q) is None
    assert store.known_keys("jira", Q) == frozenset()

    first = T0 + timedelta(days=1)
    store.finish_pull("jira", Q, ["SHOP-2"], first)
    assert store.cursor("jira", Q) == first

    # The next pull stores a batch and crashes before finishing: the cursor and the
    # members stay as the last finished pull left them, so nothing is skipped.
    store.save_pull_batch("jira", Q, [item("SHOP-3"), item("SHOP-2", summary="new")], [])
    assert store.cursor("jira", Q) == first
    assert store.known_keys("jira", Q) == frozenset({"SHOP-2"})
    assert [i.summary for i in store.items_for("jira", Q)] == ["new"]

    second = T0 + timedelta(days=2)
    store.finish_pull("jira", Q, ["SHOP-2", "SHOP-3"], second)
    assert store.cursor("jira", Q) == second
    assert store.known_keys("jira", Q) == frozenset({"SHOP-2", "SHOP-3"})


def test_cursors_belong_to_one_source_and_query(store: Store) -> None:
    store.finish_pull("jira", Q, [], T0)
    store.finish_pull("jira", "project = OTHER", [], T0 + timedelta(hours=1))
    store.finish_pull("jira-dc", Q, [], T0 + timedelta(hours=2))
    assert store.cursor("jira", Q) == T0
    assert store.cursor("jira", "project = OTHER") == T0 + timedelta(hours=1)
    assert store.cursor("jira-dc", Q) == T0 + timedelta(hours=2)
    assert store.cursor("jira", Q + " ") is None


def test_members_are_replaced_and_items_shared_between_queries(store: Store) -> None:
    other = "project = SHOP AND labels = checkout"
    store.save_pull_batch("jira", Q, [item(f"SHOP-{n}") for n in (2, 3, 4)], [])
    store.finish_pull("jira", Q, ["SHOP-2", "SHOP-3", "SHOP-4"], T0)
    store.finish_pull("jira", other, ["SHOP-3"], T0)

    store.set_members("jira", Q, ["SHOP-4", "SHOP-2"])
    assert [i.key for i in store.items_for("jira", Q)] == ["SHOP-2", "SHOP-4"]
    assert [i.key for i in store.items_for("jira", other)] == ["SHOP-3"]

    store.finish_pull("jira", Q, [], T0)
    assert store.items_for("jira", Q) == []
    assert store.known_keys("jira", other) == frozenset({"SHOP-3"})


def test_known_keys_are_members_that_are_stored(store: Store) -> None:
    store.save_pull_batch("jira", Q, [item("SHOP-2")], [])
    store.finish_pull("jira", Q, ["SHOP-2", "SHOP-9"], T0)
    assert store.known_keys("jira", Q) == frozenset({"SHOP-2"})
    assert store.known_keys("gitlab", Q) == frozenset()

    # SHOP-9's fetch failed, so it was left out; once stored it becomes a member.
    store.save_pull_batch("jira", Q, [item("SHOP-9")], [])
    previous = store.known_keys("jira", Q)
    store.finish_pull("jira", Q, ["SHOP-2", "SHOP-9"], T0, previous=previous)
    assert store.known_keys("jira", Q) == frozenset({"SHOP-2", "SHOP-9"})


def test_finishing_with_the_previous_members_writes_only_the_difference(
    store: Store, store_url: str
) -> None:
    store.save_pull_batch("jira", Q, [item(f"SHOP-{n}") for n in (2, 3, 4, 5)], [])
    store.finish_pull("jira", Q, ["SHOP-2", "SHOP-3", "SHOP-4"], T0)
    store.finish_pull("jira", "project = OTHER", ["SHOP-3"], T0)
    previous = store.known_keys("jira", Q)
    assert previous == frozenset({"SHOP-2", "SHOP-3", "SHOP-4"})

    store.finish_pull("jira", Q, ["SHOP-5", "SHOP-2", "SHOP-4"], T0, previous=previous)
    assert [i.key for i in store.items_for("jira", Q)] == ["SHOP-2", "SHOP-4", "SHOP-5"]
    assert [i.key for i in store.items_for("jira", "project = OTHER")] == ["SHOP-3"]
    assert count_rows(store_url, "query_members") == 4

    # The members are not read again: ``previous`` is taken as what is stored, so a
    # wrong one (which a pull under the run lock never passes) shows in the result.
    store.finish_pull("jira", Q, ["SHOP-2"], T0, previous=frozenset({"SHOP-2"}))
    assert [i.key for i in store.items_for("jira", Q)] == ["SHOP-2", "SHOP-4", "SHOP-5"]


def test_sources_do_not_mix(store: Store) -> None:
    mine = item("SHOP-2")
    theirs = item("SHOP-2", source="jira-dc", summary="Data Center")
    store.save_pull_batch("jira", Q, [mine], [change("SHOP-2", 1, "Done")])
    store.save_pull_batch("jira-dc", Q, [theirs], [change("SHOP-2", 2, "x", source="jira-dc")])
    store.finish_pull("jira", Q, ["SHOP-2"], T0)
    store.finish_pull("jira-dc", Q, ["SHOP-2"], T0)
    assert store.items_for("jira", Q) == [mine]
    assert store.items_for("jira-dc", Q) == [theirs]
    assert store.history_for("jira", ["SHOP-2"])["SHOP-2"] == [change("SHOP-2", 1, "Done")]


def test_sprints_are_upserted_and_listed_by_start(store: Store) -> None:
    s7, s8, future = sprint("7", 0), sprint("8", 14), sprint("9", None, state="future")
    store.finish_pull("jira", Q, [], T0, [future, s8, s7])
    closed = replace(s7, state="closed", completed=T0 + timedelta(days=14, hours=3))
    store.finish_pull("jira", Q, [], T0, [closed])
    assert store.sprints("jira") == [closed, s8, future]
    assert store.sprints("gitlab") == []


def test_batches_larger_than_a_chunk(store: Store, store_url: str) -> None:
    keys = [f"SHOP-{n}" for n in range(2500)]
    changes = [change(key, h, f"s{h}", change_id=f"{key}-{h}") for key in keys for h in (1, 2)]
    store.save_pull_batch("jira", Q, [item(key) for key in keys], changes)
    store.finish_pull("jira", Q, keys, T0)
    assert count_rows(store_url, "changes") == 5000
    assert store.known_keys("jira", Q) == frozenset(keys)

    store.save_pull_batch("jira", Q, [item(key) for key in keys], changes[::2])
    history = store.history_for("jira", keys)
    assert len(history) == 2500
    assert history == {key: [change(key, 1, "s1", change_id=f"{key}-1")] for key in keys}
    store.set_members("jira", Q, keys[:1000])
    assert len(store.items_for("jira", Q)) == 1000


@pytest.mark.postgres
def test_a_large_pull_leaves_postgresql_with_fresh_statistics(pg_url: str) -> None:
    def planner_rows(table: str) -> float:
        engine = sa.create_engine(pg_url)
        try:
            with engine.connect() as connection:
                statement = sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)")
                return float(connection.execute(statement, {"t": table}).scalar_one())
        finally:
            engine.dispose()

    keys = [f"SHOP-{n}" for n in range(600)]
    with Store.open(pg_url) as store:
        store.save_pull_batch("jira", Q, [item(k) for k in keys], [change(k, 1, "x") for k in keys])
        assert planner_rows("changes") < 0  # never analyzed: the planner would guess
        store.finish_pull("jira", Q, keys, T0)
    assert planner_rows("changes") == 600
    assert planner_rows("items") == 600
    assert planner_rows("query_members") == 600


def test_member_sweeps_are_remembered_per_query_and_survive_pulls(store: Store) -> None:
    assert store.members_swept_at("jira", "q") is None
    store.record_members_swept("jira", "q", T0)
    store.record_members_swept("jira", "other", T0 + timedelta(hours=1))
    # A pull that only counted the members moves the cursor, not the sweep time.
    store.finish_pull("jira", "q", [], T0 + timedelta(hours=2))
    assert store.members_swept_at("jira", "q") == T0
    store.record_members_swept("jira", "q", T0 + timedelta(hours=3))
    assert store.members_swept_at("jira", "q") == T0 + timedelta(hours=3)
    assert store.members_swept_at("jira", "other") == T0 + timedelta(hours=1)
    assert store.members_swept_at("other-site", "q") is None


def test_a_read_runs_while_another_thread_writes(store: Store) -> None:
    """What ``reads_alongside_writes`` promises: a pull reads a query's members in one
    thread while its batches are written in another."""
    assert store.reads_alongside_writes
    pull(store, [item("SHOP-2")], [])
    read: list[frozenset[str]] = []

    def reader() -> None:
        read.append(store.known_keys("jira", Q))

    def changes_read_meanwhile() -> Iterator[Change]:
        # Consumed inside the write's transaction: the read runs while it is open.
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the read waited for the write"
        yield change("SHOP-3", 1, "Done")

    store.save_pull_batch("jira", Q, [item("SHOP-3")], changes_read_meanwhile())
    assert read == [frozenset({"SHOP-2"})]
    assert store.history_for("jira", ["SHOP-3"])["SHOP-3"] == [change("SHOP-3", 1, "Done")]


def test_an_in_memory_store_has_one_connection_for_every_thread() -> None:
    with Store.open("sqlite://") as memory:
        assert not memory.reads_alongside_writes
