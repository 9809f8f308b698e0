"""The store's part in sync units and webhooks, on SQLite and PostgreSQL: unit run
locks, abandoned runs failed per unit, and webhook deliveries remembered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_helpers import T0

from okrsync.errors import RunInProgress
from okrsync.store import Store


def test_unit_locks_keep_one_unit_apart_and_let_others_run(store_url: str) -> None:
    with Store.open(store_url) as first, Store.open(store_url) as second:
        with first.run_lock(unit="mappings/a.yaml"):
            with (
                pytest.raises(RunInProgress, match=r"using this store for mappings/a\.yaml"),
                second.run_lock(unit="mappings/a.yaml"),
            ):
                pass
            with second.run_lock(unit="mappings/b.yaml"):
                pass  # another unit runs alongside
            with pytest.raises(RunInProgress, match="using this store "), second.run_lock():
                pass  # a run of every file waits for the units
        with (
            second.run_lock(),
            pytest.raises(RunInProgress, match="for mappings/a"),
            first.run_lock(unit="mappings/a.yaml"),
        ):
            pass  # and the units wait for a run of every file
        with second.run_lock(unit="mappings/a.yaml"):
            pass


def test_a_unit_run_fails_only_its_own_abandoned_runs(store: Store) -> None:
    a = store.start_run("sync", unit="mappings/a.yaml")
    b = store.start_run("sync", unit="mappings/b.yaml")
    with store.run_lock(unit="mappings/a.yaml"):
        pass
    assert {run.id: (run.unit, run.status) for run in store.runs()} == {
        a: ("mappings/a.yaml", "failed"),
        b: ("mappings/b.yaml", "running"),
    }
    with store.run_lock():
        pass
    assert {run.id: run.status for run in store.runs()} == {a: "failed", b: "failed"}


def test_a_delivery_is_new_once_even_after_reopening(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert store.first_delivery("jira", "d-1", T0) is True
        assert store.first_delivery("jira", "d-1", T0) is False
        assert store.first_delivery("github", "d-1", T0) is True  # ids are per instance
    with Store.open(store_url) as store:
        assert store.first_delivery("jira", "d-1", T0 + timedelta(hours=1)) is False
        # Kept for 30 days: a delivery recorded later forgets older ones.
        assert store.first_delivery("jira", "d-2", T0 + timedelta(days=31)) is True
        assert store.first_delivery("jira", "d-1", T0 + timedelta(days=31)) is True


def test_the_store_says_why_it_cannot_serve(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert store.problem() is None
