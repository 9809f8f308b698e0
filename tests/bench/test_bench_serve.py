"""``python -m bench_serve`` at a tiny size (4 units, 20 deliveries over 4 s): every
process real (the sandbox host, okrsync serve), so this checks that the benchmark's
counts agree with each other and with its plan. Timings are not asserted.

The plan, the matching of writes to deliveries and the results file are checked on
hand-made data first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.machine import describe
from bench_serve import cli
from bench_serve.layout import ITEMS, Unit, progress_after
from bench_serve.load import DUPLICATE, FORGED, REAL, Delivery, plan
from bench_serve.measure import Write, measure, percentile
from bench_serve.report import TITLE, goals, section, with_section
from bench_serve.run import Settings, run


def test_the_plan_has_the_shares_and_replays_only_earlier_real_deliveries() -> None:
    made = plan(deliveries=100, seconds=10, units=10, duplicates=0.3, forged=0.1)
    assert made.counts == {REAL: 60, DUPLICATE: 30, FORGED: 10}
    assert made.interval == pytest.approx(0.1)
    # A replay is of a real delivery at least a second (10 ticks) before it, or of the
    # earliest real ones when the load has just begun.
    for position, original in made.replays.items():
        assert made.kinds[original] == REAL and original < position
        assert made.units[position] == made.units[original]
    real_units = [u for u, kind in zip(made.units, made.kinds, strict=True) if kind == REAL]
    # 60 changes over 10 units: 6 each, within each unit's 20 items.
    assert sorted(real_units) == [n for n in range(10) for _ in range(6)]


def test_a_plan_needing_more_items_than_the_units_have_is_refused() -> None:
    with pytest.raises(ValueError, match="more than 2 units' items"):
        plan(deliveries=2 * ITEMS + 1, seconds=1, units=2, duplicates=0, forged=0)


def _delivery(kind: str, unit: int, changes: int, sent: float, status: int) -> Delivery:
    return Delivery(kind, Unit(unit), f"{kind}-{sent}", changes=changes, sent=sent, status=status)


def test_writes_are_matched_to_the_changes_they_carry() -> None:
    deliveries = [
        _delivery(REAL, 0, 1, 100.0, 202),
        _delivery(REAL, 0, 2, 101.0, 202),
        _delivery(REAL, 1, 1, 102.0, 202),
        _delivery(DUPLICATE, 1, 0, 103.0, 200),
        _delivery(FORGED, 0, 0, 104.0, 401),
    ]
    targets = {0: "OKR-1", 1: "acme/okrs#2"}
    writes = [
        # Unit 0's two changes joined in one run: one write of 10.0 (2 of 20 items).
        Write("jira", "OKR-1", progress_after(2), 104.5),
        # Unit 1 written twice with the same value: one duplicate.
        Write("github", "acme/okrs#2", progress_after(1), 106.0),
        Write("github", "acme/okrs#2", progress_after(1), 107.0),
        Write("jira", "PUT /rest/api/3/issue/OKR-9/properties/okrsync", None, 108.0),
    ]
    runs = [{"event": "run", "outcome": "ok"}] * 3 + [{"event": "delivery"}]
    m = measure(deliveries, writes, targets, runs)
    assert (m.sent, m.accepted, m.deduplicated, m.refused, m.failed) == (5, 3, 1, 1, 0)
    assert m.consistent and m.unexpected == 0
    assert (m.kr_writes, m.other_writes, m.duplicate_writes) == (3, 1, 1)
    assert (m.krs_changed, m.krs_written, m.lost, m.unanswered) == (2, 2, [], 0)
    assert m.runs == 3
    # 104.5 - 100, 104.5 - 101, 106 - 102.
    assert m.latencies == pytest.approx([4.5, 3.5, 4.0])
    assert m.p50 == pytest.approx(4.0) and m.p95 == pytest.approx(4.5)
    # Without unit 0's write, both its changes are unanswered and its KR lost.
    short = measure(deliveries, writes[1:], targets, runs)
    assert (short.lost, short.unanswered) == (["OKR-1"], 2)


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 10.0  # the 10th of 20
    assert percentile(values, 0.95) == 19.0  # the 19th of 20
    assert percentile([], 0.5) is None


def test_broker_without_a_shared_store_is_a_usage_error(tmp_path: Path) -> None:
    results = tmp_path / "SERVE_RESULTS.md"
    assert cli.main(["--broker", "redis://127.0.0.1:6379/0", "--results", str(results)]) == 2
    assert cli.main(["--units", "0", "--results", str(results)]) == 2
    assert not results.exists()


@pytest.mark.slow
def test_a_tiny_run_counts_consistently(tmp_path: Path) -> None:
    settings = Settings(units=4, deliveries=20, seconds=4, latency=0.0, debounce="0.5s")
    outcome = run(settings)
    m = outcome.measured
    # 20 deliveries: 30% (6) replayed, 10% (2) forged, 12 real.
    assert dict(m.by_kind) == {REAL: 12, DUPLICATE: 6, FORGED: 2}
    assert m.consistent and m.unexpected == 0
    assert (m.accepted, m.deduplicated, m.refused, m.failed) == (12, 6, 2, 0)
    # Every changed KR written, each change's result landed, no value written twice,
    # nothing written to a KR no change touched.
    assert m.krs_written == m.krs_changed == 4
    assert (m.lost, m.unanswered, m.duplicate_writes, m.unchanged_written) == ([], 0, 0, 0)
    assert len(m.latencies) == 12
    # A run writes a KR at most once, and joined deliveries make fewer runs than changes.
    assert m.krs_changed <= m.kr_writes <= m.runs <= 12
    assert outcome.serve_peak_mb is not None and outcome.serve_peak_mb > 0
    text = with_section("", section(outcome, describe(), "python -m bench_serve --units 4"))
    assert text.startswith(TITLE) and "## In-process queue" in text
    assert "| zero lost writes | 0 | 0 | met |" in text
    assert len(goals(outcome)) == 5


def test_a_section_replaces_its_own_and_keeps_the_other() -> None:
    first = f"{TITLE}\n\nintro\n\n## In-process queue\n\nold\n\n## Broker workers\n\nkept\n"
    new = "## In-process queue\n\nnew\n"
    text = with_section(first, new)
    assert "old" not in text and "new" in text and "kept" in text and "intro" in text
    assert text.index("new") < text.index("## Broker workers")


@pytest.mark.slow
def test_a_tiny_run_on_two_worker_processes_counts_consistently() -> None:
    """The broker variant: serve only schedules and receives; two ``okrsync worker``
    processes make the runs over PostgreSQL and Redis. Every change still lands once."""
    # The worker tests' helpers: PostgreSQL and the broker checked, a schema of its own.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))
    from workers_harness import fresh_schema, require_services

    broker = "redis://127.0.0.1:6379/12"
    require_services(broker=broker)
    with fresh_schema() as store:
        settings = Settings(
            units=4,
            deliveries=20,
            seconds=4,
            latency=0.0,
            debounce="0.5s",
            workers=2,
            store=store,
            broker=broker,
        )
        outcome = run(settings)
    m = outcome.measured
    assert (m.accepted, m.deduplicated, m.refused, m.failed) == (12, 6, 2, 0)
    assert m.krs_written == m.krs_changed == 4
    assert (m.lost, m.unanswered, m.duplicate_writes, m.unchanged_written) == ([], 0, 0, 0)
    # The runs are logged by the workers, not by serve: 12 real deliveries make at
    # least one run per changed unit and at most one per delivery.
    assert 4 <= m.runs <= 12 and m.runs_by_outcome["ok"] == m.runs
    assert len(outcome.worker_peak_mb) == 2
    assert all(peak is not None and peak > 0 for peak in outcome.worker_peak_mb)
