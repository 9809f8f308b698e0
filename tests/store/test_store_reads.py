"""What evaluation reads: lean items (without what no measure reads) and histories,
straight from the driver, equal to what was stored, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from store_helpers import T0, change, item

from okrsync.items import StatusCategory, TrackedField
from okrsync.store import Store

Q = "project = SHOP"


def test_lean_items_leave_out_only_id_summary_and_update_time(store: Store) -> None:
    plain = item("SHOP-2", sprints=(), labels=(), fields={})
    full = item("SHOP-3", status_category=StatusCategory.DONE, resolved=T0 + timedelta(hours=5))
    store.save_pull_batch("jira", Q, [plain, full], [])
    store.finish_pull("jira", Q, ["SHOP-2", "SHOP-3"], T0 + timedelta(days=3))

    lean = store.items_for("jira", Q, lean=True)
    expected = [
        replace(stored, id="", summary="", updated=stored.created) for stored in (plain, full)
    ]
    assert lean == expected
    assert lean[1].fields == {"team": "checkout", "risk": {"level": 2}}
    assert lean[1].sprints == ("7", "8") and lean[0].sprints == ()
    assert store.items_for("jira", Q) == [plain, full]  # the full read is unchanged


def test_histories_of_more_keys_than_one_statement_takes(store: Store) -> None:
    # 2,000 keys: the read is split into statements of 900 keys each.
    keys = [f"SHOP-{n}" for n in range(2000)]
    store.save_pull_batch("jira", Q, [item(key) for key in keys[:3]], [])
    history = [
        change("SHOP-1", 2, "In Progress", change_id="a"),
        change("SHOP-1", 1, "todo", field=TrackedField.STATUS_CATEGORY, change_id="b"),
        change("SHOP-2", 3, "Done", from_value="In Progress", change_id="c"),
    ]
    store.replace_history("jira", keys[:3], history)

    read = store.history_for("jira", keys)
    assert len(read) == 2000
    assert read["SHOP-1"] == [history[1], history[0]]  # oldest first
    assert read["SHOP-2"] == [history[2]]
    assert read["SHOP-0"] == [] and read["SHOP-1999"] == []
