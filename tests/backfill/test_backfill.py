"""Back-filling daily KR values from the stored history, on a real SQLite store.

The board and the KRs are described in backfill_board.py. Expected daily values, at the
end of each Berlin day (23:00 UTC), and at AS_OF (01-06 12:00 UTC):

    end of   done   items   share done
    Jan 1    0      4       0 %
    Jan 2    1      4       25 %     SHOP-1 done
    Jan 3    1      5       20 %     SHOP-3 created
    Jan 4    2      5       40 %     SHOP-2 done
    Jan 5    3      5       60 %     SHOP-3 done 23:30 Berlin
    AS_OF    4      5       80 %     SHOP-5 done 00:30 Berlin on Jan 6
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from backfill_board import QUERY, SOURCE, fill, load_board_project, utc

from okrsync.backfill import CachedView, backfill, can_backfill, needs_backfill, point_instants
from okrsync.errors import ConfigError
from okrsync.evaluate import evaluate
from okrsync.items import Change, Item, Sprint
from okrsync.mapping.cycle import explicit_cycle
from okrsync.project import Project
from okrsync.store import Store
from okrsync.store_view import StoreDataView

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = utc("2027-01-06 12:00")
DAY_ENDS = [utc(f"2027-01-0{day} 23:00") for day in range(1, 6)]
TEAM_KRS = ("done-count", "item-count", "share-done")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return load_board_project(tmp_path, monkeypatch)


@pytest.fixture
def store(project: Project) -> Iterator[Store]:
    with Store.open(project.database_url) as opened:
        fill(opened)
        yield opened


def series(store: Store, kr_id: str) -> list[tuple[datetime, float | None]]:
    return [(p.as_of, p.value) for p in store.kr_history(kr_id)]


def test_one_point_per_day_from_the_cycle_start_then_as_of(project: Project, store: Store) -> None:
    counts = backfill(project, store, AS_OF)
    assert counts == {
        "done-count": 6,
        "item-count": 6,
        "share-done": 6,
        "conversion": 0,  # a metric has no past values
        "quarter-done": 6,
    }
    instants = [*DAY_ENDS, AS_OF]
    assert series(store, "done-count") == list(zip(instants, [0, 1, 1, 2, 3, 4], strict=True))
    assert series(store, "item-count") == list(zip(instants, [4, 4, 5, 5, 5, 5], strict=True))
    shares = [p.value for p in store.kr_history("share-done")]
    assert shares == pytest.approx([0.0, 25.0, 20.0, 40.0, 60.0, 80.0])
    # The 2027-Q1 KR starts the same day: the same points.
    assert series(store, "quarter-done") == series(store, "done-count")
    assert store.kr_history("conversion") == []


def test_the_last_point_is_the_live_value(project: Project, store: Store) -> None:
    backfill(project, store, AS_OF)
    live = evaluate(project.files, StoreDataView(store), AS_OF, BERLIN, project.margins)
    for kr_id in (*TEAM_KRS, "quarter-done"):
        last = store.kr_history(kr_id)[-1]
        result = live.key_result(kr_id)
        assert last.as_of == AS_OF
        assert (last.value, last.progress, last.status) == (
            result.value,
            result.progress,
            result.status,
        )
        assert last.expected == pytest.approx(result.expected)
    # 5.5 days and 13 hours of the 10-day cycle: 0.5541...; done 4 of target 5.
    last = store.kr_history("done-count")[-1]
    assert last.expected == pytest.approx((5 + 13 / 24) / 10)
    assert (last.progress, last.status) == (pytest.approx(0.8), "on_track")


def test_points_keep_counts_but_not_every_item(project: Project, store: Store) -> None:
    backfill(project, store, AS_OF, ["done-count"])
    point = store.kr_history("done-count")[3]  # end of Jan 4
    assert point.data["evidence"]["items"] == []
    assert point.data["evidence"]["counts"]["done"] == 2
    assert point.data["id"] == "done-count" and point.objective_id == "ship"


def test_recorded_runs_and_back_filled_points_are_told_apart(
    project: Project, store: Store
) -> None:
    evaluation = evaluate(project.files, StoreDataView(store), AS_OF, BERLIN, project.margins)
    run = store.start_run("sync", AS_OF)
    store.record_results(run, AS_OF, evaluation.to_dict()["key_results"], [])
    store.finish_run(run, "ok", pulled={}, warnings=[], errors=[])
    backfill(project, store, AS_OF)

    history = store.kr_history("done-count")
    # Ordered by as_of, then as recorded: the run's point comes before the back-filled
    # point of the same instant.
    assert [(p.as_of, p.backfilled, p.run_id) for p in history] == [
        *[(at, True, None) for at in DAY_ENDS],
        (AS_OF, False, run),
        (AS_OF, True, None),
    ]
    _, latest, _ = store.latest_results()
    assert {r.kr_id: (r.backfilled, r.run_id) for r in latest}["done-count"] == (False, run)


def test_a_new_back_fill_replaces_the_earlier_one(project: Project, store: Store) -> None:
    run = store.start_run("sync", AS_OF)
    store.record_results(run, AS_OF, [{"id": "done-count", "value": 4}], [])
    backfill(project, store, AS_OF)
    later = utc("2027-01-08 12:00")
    assert backfill(project, store, later, ["done-count"])["done-count"] == 8
    history = store.kr_history("done-count")
    assert [p.as_of for p in history if p.backfilled] == [
        *DAY_ENDS,
        utc("2027-01-06 23:00"),
        utc("2027-01-07 23:00"),
        later,
    ]
    assert [(p.as_of, p.value) for p in history if not p.backfilled] == [(AS_OF, 4.0)]


def test_each_kr_runs_over_its_own_cycle(project: Project, store: Store) -> None:
    after = utc("2027-04-15 12:00")
    counts = backfill(project, store, after)
    # Ten days then as_of; the quarter's 90 days then as_of.
    assert counts == {
        "done-count": 11,
        "item-count": 11,
        "share-done": 11,
        "conversion": 0,
        "quarter-done": 91,
    }
    team = store.kr_history("done-count")
    assert [p.as_of for p in team[-2:]] == [utc("2027-01-10 23:00"), after]
    assert (team[-2].value, team[-2].status) == (4.0, "closed")
    quarter = store.kr_history("quarter-done")
    # Summer time from 03-28: Berlin's days end at 22:00 UTC from then on.
    assert [p.as_of for p in quarter[-6:]] == [
        utc("2027-03-27 23:00"),
        utc("2027-03-28 22:00"),
        utc("2027-03-29 22:00"),
        utc("2027-03-30 22:00"),
        utc("2027-03-31 22:00"),
        after,
    ]


def test_a_naive_as_of_is_read_in_the_project_time_zone(project: Project, store: Store) -> None:
    backfill(project, store, datetime(2027, 1, 6, 13, 0), ["done-count"])  # 13:00 Berlin
    assert store.kr_history("done-count")[-1].as_of == AS_OF


def test_needs_backfill_lists_krs_without_back_filled_points(
    project: Project, store: Store
) -> None:
    ids = [ref.id for ref in project.key_results()]
    assert needs_backfill(store, ids) == ids
    run = store.start_run("sync", AS_OF)
    store.record_results(run, AS_OF, [{"id": "item-count", "value": 5}], [])
    # A recorded run is no back-fill: a KR added mid-cycle still gets its trend.
    assert needs_backfill(store, ids) == ids
    assert backfill(project, store, AS_OF, ["done-count", "done-count"]) == {"done-count": 6}
    assert needs_backfill(store, [*ids, "done-count"]) == [i for i in ids if i != "done-count"]
    assert store.kr_history("item-count")[0].backfilled is False


def test_unknown_and_metric_krs(project: Project, store: Store) -> None:
    with pytest.raises(ConfigError, match="no key result has the id 'done-cuont'"):
        backfill(project, store, AS_OF, ["done-cuont"])
    assert [ref.id for ref in project.key_results() if not can_backfill(ref.kr)] == ["conversion"]
    assert backfill(project, store, AS_OF, ["conversion"]) == {"conversion": 0}
    assert store.kr_history("conversion") == []


def test_day_ends_follow_the_time_zone_and_stop_before_as_of() -> None:
    cycle = explicit_cycle(date(2027, 3, 27), date(2027, 3, 29))
    end = utc("2027-04-02 00:00")
    assert point_instants(cycle, BERLIN, end) == [
        utc("2027-03-27 23:00"),  # midnight CET
        utc("2027-03-28 22:00"),  # midnight CEST: the 28th had 23 hours
        utc("2027-03-29 22:00"),
        end,
    ]
    # An as_of on a day's end is one point; before the cycle starts, as_of alone.
    assert point_instants(cycle, BERLIN, utc("2027-03-28 22:00")) == [
        utc("2027-03-27 23:00"),
        utc("2027-03-28 22:00"),
    ]
    before = utc("2027-03-01 00:00")
    assert point_instants(cycle, BERLIN, before) == [before]


class CountingView(StoreDataView):
    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.calls: Counter[str] = Counter()

    def items(self, source: str, query: str) -> list[Item]:
        self.calls["items"] += 1
        return super().items(source, query)

    def history(self, source: str, keys: Sequence[str]) -> dict[str, list[Change]]:
        self.calls["history"] += 1
        return super().history(source, keys)

    def sprints(self, source: str) -> list[Sprint]:
        self.calls["sprints"] += 1
        return super().sprints(source)


def test_the_cached_view_reads_the_store_once_for_every_instant(
    project: Project, store: Store
) -> None:
    counting = CountingView(store)
    view = CachedView(counting)
    values = [
        evaluate(project.files, view, at, BERLIN).key_result("done-count").value
        for at in (*DAY_ENDS, AS_OF)
    ]
    assert values == [0, 1, 1, 2, 3, 4]
    assert counting.calls == Counter({"items": 1, "history": 1})
    assert view.items(SOURCE, QUERY) is view.items(SOURCE, QUERY)
    assert view.history(SOURCE, ["SHOP-4", "SHOP-1"])["SHOP-4"] == []
    assert counting.calls["history"] == 1
    assert view.sprints(SOURCE) == [] and view.sprints(SOURCE) == []
    assert counting.calls["sprints"] == 1


def test_before_its_cycle_starts_a_kr_gets_the_as_of_point_alone(
    project: Project, store: Store
) -> None:
    # A day before the team cycle starts: no day has ended yet, as_of alone.
    start = utc("2026-12-31 23:00")
    early = start - timedelta(hours=1)
    assert backfill(project, store, early, ["item-count"]) == {"item-count": 1}
    ((at, value),) = series(store, "item-count")
    assert (at, value) == (early, 4.0)


def test_a_metric_kr_is_rebuilt_from_its_recorded_values(project: Project, store: Store) -> None:
    """Points start at the first day that ended after the metric's first recorded
    value; each day reads the latest value recorded by then."""
    conversion = project.kr("conversion").kr
    assert not can_backfill(conversion, store)  # nothing recorded yet
    store.record_metric("analytics", "conversion", utc("2027-01-02 12:00"), 1.5)
    store.record_metric("analytics", "conversion", utc("2027-01-04 06:00"), 1.8)
    assert can_backfill(conversion, store) and not can_backfill(conversion)

    assert backfill(project, store, AS_OF, ["conversion"]) == {"conversion": 5}
    assert series(store, "conversion") == [
        (utc("2027-01-02 23:00"), 1.5),
        (utc("2027-01-03 23:00"), 1.5),
        (utc("2027-01-04 23:00"), 1.8),
        (utc("2027-01-05 23:00"), 1.8),
        (AS_OF, 1.8),
    ]
    # (1.8 - 1) / (2 - 1)
    assert store.kr_history("conversion")[-1].progress == pytest.approx(0.8)
    assert all(point.data["warnings"] == [] for point in store.kr_history("conversion"))


def test_without_as_of_the_points_stop_at_the_last_day_end(project: Project, store: Store) -> None:
    """What a sync asks for: it records the value at as_of itself, as a run."""
    run_id = store.start_run("sync", AS_OF)
    assert backfill(project, store, AS_OF, ["done-count"], run_id=run_id, include_as_of=False) == {
        "done-count": 5
    }
    assert series(store, "done-count") == list(
        zip(DAY_ENDS, [0.0, 1.0, 1.0, 2.0, 3.0], strict=True)
    )
    assert {point.run_id for point in store.kr_history("done-count")} == {run_id}
    # Nothing to add before the cycle's first day ended: what was there stays.
    early = utc("2027-01-01 12:00")
    assert backfill(project, store, early, ["done-count"], include_as_of=False) == {"done-count": 0}
    assert len(store.kr_history("done-count")) == 5
