"""Snapshots of one view at several instants sharing their timelines (a trend rebuilt
day by day): each sees what a snapshot of its own would."""

from __future__ import annotations

from evaluate_fixtures import BERLIN, FakeData, one_kr, utc

from okrsync.evaluate.engine import evaluate_snapshot
from okrsync.evaluate.snapshot import Snapshot, Timelines


def test_snapshots_sharing_timelines_see_each_instant_as_a_fresh_one() -> None:
    # Day after day (each rebuilding only the items that changed since the day
    # before), then back to an earlier day: each snapshot selects what one of its own
    # would. The board's items change on 01-04, 01-05, 01-10, 01-12, 01-15, 01-20 ...
    files = [one_kr(measure={"sum": "story_points"}, target=20)]
    shared = Timelines()
    days = [utc(f"2027-01-{day:02d} 12:00") for day in range(1, 31)] + [utc("2027-01-11 00:00")]
    seen = []
    for at in days:
        shared_at = evaluate_snapshot(files, Snapshot(FakeData(), at, shared), BERLIN)
        fresh = evaluate_snapshot(files, Snapshot(FakeData(), at), BERLIN)
        assert shared_at.key_results[0].to_dict() == fresh.key_results[0].to_dict()
        seen.append(fresh.key_results[0].evidence["counts"]["existing"])
    # SHOP-6 exists from 12-31 23:30, SHOP-4 from 01-20 09:00: five items, then six.
    assert seen[:19] == [5] * 19 and seen[19:30] == [6] * 11 and seen[30] == 5
