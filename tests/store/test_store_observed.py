"""Fields a tool keeps no history of: each pull records the values it sees that differ
from the last ones seen, and they read back as changes from then on."""

from __future__ import annotations

from datetime import timedelta

from store_helpers import T0, item

from okrsync.evaluate.state import Timeline
from okrsync.items import Change, TrackedField
from okrsync.store import Store

Q = "project = SHOP"
ESTIMATE, SPRINT = TrackedField.ESTIMATE, TrackedField.SPRINT
OBSERVED = frozenset({ESTIMATE, SPRINT})
DAY = timedelta(days=1)


def pull(store: Store, day: int, **values: object) -> None:
    at = T0 + day * DAY
    store.save_pull_batch("jira", Q, [item("SHOP-2", **values)], [], observed=OBSERVED, seen_at=at)


def test_observed_values_become_changes_when_they_differ(store: Store) -> None:
    pull(store, 1, estimate=3.0, sprints=("7",))
    pull(store, 2, estimate=3.0, sprints=("7",))  # nothing new: nothing recorded
    pull(store, 3, estimate=5.0, sprints=("7",))
    history = store.history_for("jira", ["SHOP-2"])["SHOP-2"]
    assert [(c.at, c.field, c.from_value, c.to_value) for c in history] == [
        (T0 + DAY, ESTIMATE, None, "3.0"),
        (T0 + DAY, SPRINT, None, "7"),
        (T0 + 3 * DAY, ESTIMATE, "3.0", "5.0"),
    ]
    assert store.observed_since("jira") == {ESTIMATE: T0 + DAY, SPRINT: T0 + DAY}
    assert store.observed_since("github") == {}


def test_before_the_first_observation_the_value_is_unknown(store: Store) -> None:
    pull(store, 1, estimate=3.0)
    pull(store, 3, estimate=5.0)
    history = store.history_for("jira", ["SHOP-2"])["SHOP-2"]
    timeline = Timeline(item("SHOP-2", estimate=5.0), history)
    estimates = [timeline.at(T0 + day * DAY + timedelta(hours=1)) for day in (0, 1, 3)]
    assert [state.estimate if state else "absent" for state in estimates] == [None, 3.0, 5.0]


def test_a_re_pull_keeps_observations_and_the_tools_own_changes_side_by_side(
    store: Store,
) -> None:
    status = Change("jira", "SHOP-2", T0 + 2 * DAY, TrackedField.STATUS, "To Do", "Done", "9")
    pull(store, 1, estimate=3.0)
    store.save_pull_batch(
        "jira", Q, [item("SHOP-2")], [status], observed=OBSERVED, seen_at=T0 + 4 * DAY
    )
    history = store.history_for("jira", ["SHOP-2"])["SHOP-2"]
    assert [(c.at - T0, c.field) for c in history] == [
        (DAY, ESTIMATE),
        (DAY, SPRINT),
        (2 * DAY, TrackedField.STATUS),
    ]  # day 4 saw the values of day 1 again: nothing observed then
