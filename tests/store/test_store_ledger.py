from __future__ import annotations

from datetime import UTC, timedelta

import time_machine
from store_helpers import T0

from okrsync.connector import WriteReceipt
from okrsync.store import Store


@time_machine.travel(T0 + timedelta(hours=1))
def test_writes_are_recorded_per_run_in_order(store: Store) -> None:
    first, second = store.start_run("sync", T0), store.start_run("apply", T0)
    created = store.record_write(
        run_id=first,
        kr_id="ship",
        to="jira",
        target=None,
        what="create",
        old=None,
        new={"project": "OKR", "type": "Key Result"},
        receipt=WriteReceipt(issue="OKR-12"),
        at=T0,
    )
    field = store.record_write(
        run_id=first,
        kr_id="ship",
        to="jira",
        target="OKR-12",
        what="field",
        old=None,
        new=42.5,
    )
    comment = store.record_write(
        run_id=second,
        kr_id="ship",
        to="jira",
        target="OKR-12",
        what="comment",
        old="Progress 40%",
        new="Progress 42.5%",
        receipt=WriteReceipt(issue="OKR-12", ref="10200"),
        at=T0 + timedelta(minutes=1),
    )
    assert created < field < comment

    everything = store.writes()
    assert [w.id for w in everything] == [created, field, comment]
    assert [w.id for w in store.writes(run_id=first)] == [created, field]
    assert store.writes(run_id=999) == []

    create, number, text = everything
    assert (create.run_id, create.kr_id, create.to, create.target, create.what) == (
        first,
        "ship",
        "jira",
        None,
        "create",
    )
    assert create.old is None and create.new == {"project": "OKR", "type": "Key Result"}
    assert create.receipt == WriteReceipt(issue="OKR-12") and create.at == T0
    assert number.new == 42.5 and number.receipt == WriteReceipt()
    # Without ``at``, the write is stamped now (in UTC).
    assert T0 + timedelta(hours=1) <= number.at < T0 + timedelta(hours=1, minutes=1)
    assert number.at.tzinfo == UTC
    assert (text.old, text.new) == ("Progress 40%", "Progress 42.5%")
    assert text.receipt == WriteReceipt(issue="OKR-12", ref="10200")


def test_a_created_issue_is_remembered_per_kr_and_instance(store: Store) -> None:
    assert store.created_issue("ship", "jira") is None
    store.remember_created_issue("ship", "jira", "OKR-12")
    store.remember_created_issue("ship", "jira-dc", "KR-3")
    assert store.created_issue("ship", "jira") == "OKR-12"
    assert store.created_issue("ship", "jira-dc") == "KR-3"
    assert store.created_issue("cycle", "jira") is None
    # Remembering again (a retried apply) keeps one answer, the latest.
    store.remember_created_issue("ship", "jira", "OKR-13")
    assert store.created_issue("ship", "jira") == "OKR-13"


def test_the_owned_comment_is_remembered_per_issue(store: Store) -> None:
    assert store.owned_comment("jira", "OKR-12") is None
    store.remember_owned_comment("jira", "OKR-12", "10200")
    store.remember_owned_comment("jira", "OKR-13", "10300")
    assert store.owned_comment("jira", "OKR-12") == "10200"
    assert store.owned_comment("jira-dc", "OKR-12") is None
    store.remember_owned_comment("jira", "OKR-12", "10400")
    assert store.owned_comment("jira", "OKR-12") == "10400"
    assert store.owned_comment("jira", "OKR-13") == "10300"


def test_what_okrsync_remembers_survives_reopening(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.remember_created_issue("ship", "jira", "OKR-12")
        store.remember_owned_comment("jira", "OKR-12", "10200")
        store.record_write(
            run_id=None, kr_id="ship", to="jira", target="OKR-12", what="property", old=None, new=[]
        )
    with Store.open(store_url) as store:
        assert store.created_issue("ship", "jira") == "OKR-12"
        assert store.owned_comment("jira", "OKR-12") == "10200"
        assert [(w.what, w.new) for w in store.writes()] == [("property", [])]


def test_write_counts_per_run(store: Store) -> None:
    first, second, empty = (store.start_run("apply", T0) for _ in range(3))
    for run_id, what in ((first, "field"), (first, "comment"), (second, "property")):
        store.record_write(
            run_id=run_id, kr_id="ship", to="jira", target="OKR-12", what=what, old=None, new=1
        )
    assert store.write_counts([first, second, empty]) == {first: 2, second: 1}
    assert store.write_counts([]) == {}
