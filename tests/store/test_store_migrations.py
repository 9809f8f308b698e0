from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from store_helpers import T0, count_rows, item

from okrsync.errors import StoreError
from okrsync.store import Store, migrate
from okrsync.store._tables import metadata

TABLES = {
    "items",
    "changes",
    "sprints",
    "query_members",
    "cursors",
    "metric_values",
    "member_sweeps",
    "observations",
    "store_identity",
    "cycle_closures",
    "runs",
    "kr_results",
    "objective_results",
    "writes",
    "created_issues",
    "owned_comments",
    "lock_holder",
    "webhook_deliveries",
    "kept_answers",
}


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_open_creates_the_schema_from_empty(store_url: str) -> None:
    with Store.open(store_url):
        pass
    assert table_names(store_url) == TABLES | {"alembic_version"}
    assert migrate.current(store_url) == migrate.head() == "kept_answers"


def test_migrations_create_exactly_the_models(store: Store, store_url: str) -> None:
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(store_url: str) -> None:
    migrate.upgrade(store_url)
    migrate.downgrade(store_url, "base")
    assert table_names(store_url) == {"alembic_version"}
    assert migrate.current(store_url) is None

    migrate.upgrade(store_url, "head")
    assert table_names(store_url) == TABLES | {"alembic_version"}
    with Store.open(store_url) as store:
        store.save_pull_batch("jira", "q", [item("SHOP-2")], [])
        store.finish_pull("jira", "q", ["SHOP-2"], T0)
        assert [i.key for i in store.items_for("jira", "q")] == ["SHOP-2"]


def test_a_store_of_the_first_schema_is_upgraded_in_place(store_url: str) -> None:
    """A store written before metric values were kept gains their table and keeps
    what it held."""
    migrate.upgrade(store_url, "0001")
    assert "metric_values" not in table_names(store_url)
    engine = sa.create_engine(store_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO runs (command, as_of, started_at, status, pulled, warnings, "
                    "errors) VALUES ('sync', :t, :t, 'ok', '{}', '[]', '[]')"
                ),
                {"t": T0.replace(tzinfo=None)},
            )
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        assert [run.command for run in store.runs()] == ["sync"]
        store.record_metric("analytics", "conversion", T0, 2.5)
        assert store.metric_at("analytics", "conversion", T0) == 2.5
    assert migrate.current(store_url) == migrate.head()
    migrate.downgrade(store_url, "0001")
    added_since = {
        "metric_values",
        "member_sweeps",
        "observations",
        "store_identity",
        "cycle_closures",
        "webhook_deliveries",
        "kept_answers",
    }
    assert table_names(store_url) == TABLES - added_since | {"alembic_version"}


def test_reopening_keeps_the_data(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.save_pull_batch("jira", "q", [item("SHOP-2")], [])
    with Store.open(store_url) as store:
        store.finish_pull("jira", "q", ["SHOP-2"], T0)
        assert store.items_for("jira", "q") == [item("SHOP-2")]
    assert count_rows(store_url, "alembic_version") == 1


def test_a_schema_from_a_newer_okrsync_is_refused(store: Store, store_url: str) -> None:
    engine = sa.create_engine(store_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    try:
        Store.open(store_url)
    except StoreError as exc:
        assert "9999" in str(exc)
        assert "upgrade okrsync" in str(exc)
    else:
        raise AssertionError("a schema revision okrsync does not know must be refused")


def test_in_memory_sqlite_is_migrated_too() -> None:
    with Store.open("sqlite://") as store:
        store.save_pull_batch("jira", "q", [item("SHOP-2")], [])
        store.finish_pull("jira", "q", ["SHOP-2"], T0)
        assert store.known_keys("jira", "q") == frozenset({"SHOP-2"})
        assert store.cursor("jira", "q") == T0
