"""Rebuilding an item's tracked fields at an instant from its change history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from evaluate_fixtures import DOING, DONE, HISTORY, ITEMS, TODO, utc

from okrsync.evaluate.state import Timeline, parse_category
from okrsync.items import Change, StatusCategory, TrackedField

BY_KEY = {item.key: item for item in ITEMS}


def timeline(key: str) -> Timeline:
    return Timeline(BY_KEY[key], HISTORY.get(key, []))


def test_an_item_does_not_exist_before_it_was_created() -> None:
    reopened = timeline("SHOP-2")
    assert reopened.at(utc("2026-12-10 08:59")) is None
    created = reopened.at(utc("2026-12-10 09:00"))  # created <= T: exists
    assert created is not None
    # Before the first change the value is that change's from_value, not the current one.
    assert (created.status, created.status_category) == (TODO, StatusCategory.TODO)
    assert created.sprints == ()


def test_the_reopened_item_through_its_whole_history() -> None:
    reopened = timeline("SHOP-2")
    first_start = utc("2027-01-05 09:00")

    doing = reopened.at(utc("2027-01-12 08:59"))  # one minute before the first done
    assert doing is not None
    assert (doing.status, doing.status_category, doing.done) == (DOING, "in_progress", False)
    assert (doing.started, doing.done_at) == (first_start, None)

    done = reopened.at(utc("2027-01-12 09:00"))  # a change at T counts ("at or before")
    assert done is not None
    assert (done.status, done.done, done.done_at) == (DONE, True, utc("2027-01-12 09:00"))

    again = reopened.at(utc("2027-01-25 00:00"))  # re-opened on 01-20: not done any more
    assert again is not None
    assert (again.status_category, again.done_at) == (StatusCategory.IN_PROGRESS, None)
    assert again.started == first_start  # the FIRST entry into in progress
    assert again.sprints == ("10", "11")

    final = reopened.at(utc("2027-02-03 09:00"))
    assert final is not None
    # Only the final entry into done counts for a re-opened item.
    assert (final.done, final.done_at, final.started) == (
        True,
        utc("2027-02-03 09:00"),
        first_start,
    )
    assert final.sprints == ("10", "11", "12")  # moved into sprint 12 at 01-28 13:00


def test_estimate_is_read_as_of_t() -> None:
    story = timeline("SHOP-1")
    before = story.at(utc("2027-01-19 23:59"))
    after = story.at(utc("2027-01-20 00:00"))
    assert before is not None and after is not None
    assert (before.estimate, after.estimate) == (3.0, 5.0)  # from_value, then to_value


def test_an_item_never_in_progress_has_no_start() -> None:
    bug = timeline("SHOP-3").at(utc("2027-02-01 00:00"))
    assert bug is not None
    assert (bug.done, bug.started, bug.done_at) == (True, None, utc("2027-01-15 09:00"))
    assert bug.status == DONE  # a localized name; "done" comes from the category


def test_parent_is_read_as_of_t() -> None:
    story = timeline("SHOP-5")
    assert story.at(utc("2027-01-17 00:00")).parent is None  # type: ignore[union-attr]
    assert story.at(utc("2027-01-18 00:00")).parent == "SHOP-100"  # type: ignore[union-attr]


def test_an_item_without_history_keeps_its_current_values() -> None:
    task = Timeline(BY_KEY["SHOP-4"]).at(utc("2027-03-01 00:00"))
    assert task is not None
    assert (task.status, task.estimate, task.sprints, task.started, task.done_at) == (
        TODO,
        None,
        (),
        None,
        None,
    )


def test_done_without_history_uses_the_resolution_date() -> None:
    resolved = utc("2027-01-03 12:00")
    item = BY_KEY["SHOP-1"]
    closed = Timeline(replace(item, resolved=resolved)).at(utc("2027-01-05 00:00"))
    assert closed is not None and closed.done_at == resolved
    # Resolved after T (history missing): the creation instant is all that is known.
    early = Timeline(replace(item, resolved=resolved)).at(utc("2027-01-02 00:00"))
    assert early is not None and early.done_at == item.created


def test_an_item_created_in_progress_started_at_creation() -> None:
    item = BY_KEY["SHOP-5"]
    changes = [
        Change(
            "jira",
            item.key,
            utc("2027-01-10 00:00"),
            TrackedField.STATUS_CATEGORY,
            "in_progress",
            "done",
        ),
    ]
    state = Timeline(item, changes).at(utc("2027-01-11 00:00"))
    assert state is not None
    assert (state.started, state.done_at) == (item.created, utc("2027-01-10 00:00"))


def test_category_names() -> None:
    assert parse_category("to do") is StatusCategory.TODO
    # A tool's own words are its connector's to map: Jira's keys mean nothing here.
    assert parse_category("indeterminate") is None
    assert parse_category("in_progress") is StatusCategory.IN_PROGRESS
    assert parse_category("done") is StatusCategory.DONE
    assert parse_category(None) is None


def test_state_at_equals_at_on_every_day_and_reuses_the_unchanged_state() -> None:
    # Every item of the fixtures, read at midnight of every day from 2026-12-01 to
    # 2027-02-28 and at each of its own moments (created, resolved, changes) and one
    # microsecond before: state_at must give what at() gives at each of them.
    def fields(state: object) -> object:
        return None if state is None else {n: getattr(state, n) for n in state.__slots__}

    day = utc("2026-12-01 00:00")
    days = [day + timedelta(days=n) for n in range(90)]
    for key in BY_KEY:
        line = timeline(key)
        item = line.item
        moments = [item.created, *(c.at for c in line.changes)]
        moments += [] if item.resolved is None else [item.resolved]
        before = -timedelta(microseconds=1)
        around = [m + delta for m in moments for delta in (timedelta(0), before)]
        for instant in sorted({*days, *around}):
            assert fields(line.state_at(instant)) == fields(line.at(instant)), (key, instant)
    # SHOP-2 does not change between 2027-01-12 09:00 (done) and its re-opening on
    # 01-20: the state of 01-13 is the very object of 01-12 09:00.
    reopened = timeline("SHOP-2")
    first = reopened.state_at(utc("2027-01-12 09:00"))
    assert reopened.state_at(utc("2027-01-13 00:00")) is first
    assert reopened.state_at(utc("2027-01-25 00:00")) is not first
