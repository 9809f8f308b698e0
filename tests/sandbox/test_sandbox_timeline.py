"""The seeded site placed in the current quarter: history as it was, the cycle so far
before now, whatever the date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from okrsync_sandbox import FIXED_ANCHOR, SandboxServer, build_dataset
from okrsync_sandbox.state import SandboxState
from okrsync_sandbox.timeline import quarter_start


def _moments(state: SandboxState) -> list[datetime]:
    return [
        moment
        for issue in state.issues
        for moment in (
            issue.created,
            issue.updated,
            *(h.created for h in issue.histories),
            *(c.created for c in issue.comments),
        )
    ]


@pytest.mark.parametrize(
    ("moment", "first_day"),
    [
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), date(2026, 1, 1)),
        (datetime(2026, 3, 31, 23, 59, tzinfo=UTC), date(2026, 1, 1)),
        (datetime(2026, 5, 15, 12, 0, tzinfo=UTC), date(2026, 4, 1)),
        (datetime(2026, 9, 30, 12, 0, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 12, 3, 6, 0, tzinfo=UTC), date(2026, 10, 1)),
    ],
)
def test_the_quarter_starts_on_its_first_day_in_utc(moment: datetime, first_day: date) -> None:
    assert quarter_start(moment) == first_day


def test_late_in_a_quarter_the_site_is_the_fixed_one_moved_to_it() -> None:
    # 60 days in: more than the 46d 15h the dataset spans, so nothing is compressed.
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    state = build_dataset(now=now)
    fixed = build_dataset(FIXED_ANCHOR)
    assert state.anchor == date(2026, 10, 1)
    shift = datetime(2026, 10, 1, tzinfo=UTC) - datetime(2027, 1, 1, tzinfo=UTC)
    assert _moments(state) == [m + shift for m in _moments(fixed)]
    # SHOP-104 was resolved at A+9d 14:00 (DATASET.md).
    assert state.get("SHOP-104").resolutiondate == datetime(2026, 10, 10, 14, 0, tzinfo=UTC)
    assert max(_moments(state)) == datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def test_early_in_a_quarter_the_cycle_so_far_is_compressed_before_now() -> None:
    now = datetime(2026, 10, 3, 0, 0, tzinfo=UTC)  # two days in
    state = build_dataset(now=now)
    anchor = datetime(2026, 10, 1, tzinfo=UTC)
    # 47 h of room (an hour's lead) for the 1,119 h the cycle part spans.
    factor = 47 / 1119
    # Before the anchor nothing moves: SHOP-101 was resolved at A-25d 15:00.
    assert state.get("SHOP-101").resolutiondate == anchor - timedelta(days=25, hours=-15)
    # SHOP-104 was resolved at A+9d 14:00 = A+230 h, now at A+230 h x 47/1119 (in ms).
    expected = anchor + timedelta(hours=230 * factor)
    resolved = state.get("SHOP-104").resolutiondate
    assert resolved is not None
    assert abs(resolved - expected) < timedelta(milliseconds=1)
    # The last seeded event (A+46d 15:00) lands an hour before now.
    assert max(_moments(state)) == now - timedelta(hours=1)


@pytest.mark.parametrize("minutes_in", [1, 90, 60 * 24 * 20])
def test_every_seeded_moment_is_past_and_in_order(minutes_in: int) -> None:
    now = datetime(2027, 4, 1, tzinfo=UTC) + timedelta(minutes=minutes_in)
    state = build_dataset(now=now, extra_issues=300)
    assert state.anchor == date(2027, 4, 1)
    assert max(_moments(state)) < now
    for issue in state.issues:
        times = [h.created for h in issue.histories]
        assert times == sorted(times), issue.key
        assert all(issue.created < t for t in times), issue.key
    for issues in state.by_project.values():
        assert [i.created for i in issues] == sorted(i.created for i in issues)


def test_a_server_without_an_anchor_serves_the_current_quarter() -> None:
    before = datetime.now(UTC)
    server = SandboxServer()
    after = datetime.now(UTC)
    assert server.state.anchor in (quarter_start(before), quarter_start(after))
    assert max(_moments(server.state)) < after
    assert SandboxServer(anchor=FIXED_ANCHOR).state.anchor == date(2027, 1, 1)
