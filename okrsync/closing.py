"""Closing a cycle: its final results (every KR's and objective's value, score and
status at the cycle's end) frozen in the store with the team's notes, kept apart from
later history, so that a re-opened item after the close shows as drift and never
changes the final score. Closing twice is refused; re-opening is recorded too.

Closing reads the store only: run a sync after the cycle's end first, so that the last
changes of the cycle are in it.

In a plan of several cycles (``cycle: 2027-H1``) each cycle closes on its own: closing
2027-Q1 freezes every KR's and objective's Q1 result (the value at Q1's end against
its Q1 target, and the Q1 score), marked with the ``plan`` it belongs to; the plan runs
on. Closing the plan's label (2027-H1) freezes the results across the whole plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrsync.errors import ConfigError
from okrsync.evaluate.context import MeasureContext, MeasureSpec
from okrsync.evaluate.snapshot import Snapshot
from okrsync.forecast.history import SIMULATED_MEASURES, daily_history
from okrsync.mapping.cycle import Cycle
from okrsync.runs import evaluate_project
from okrsync.store._closures import ClosureRecord
from okrsync.store_view import StoreDataView

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store
    from okrsync.store.records import KrResult


def cycle_of(project: Project, label: str) -> Cycle:
    """The cycle of the loaded mapping files labelled ``label``: a file's own, or one
    of the cycles of a plan."""
    cycles: dict[str, Cycle] = {}
    for ref in project.key_results():
        cycles[ref.cycle.label] = ref.cycle
        cycles.update((part.label, part) for part in ref.cycle.parts)
    if label not in cycles:
        known = ", ".join(sorted(cycles)) or "none"
        raise ConfigError(f"no loaded mapping file is of cycle {label!r}; their cycles: {known}")
    return cycles[label]


def close_cycle(
    project: Project, store: Store, label: str, notes: Mapping[str, str], now: datetime
) -> ClosureRecord:
    """Freeze the final results of cycle ``label`` (as of its end) with ``notes`` by KR
    id; refuses a cycle still running, one closed already and notes on other KRs."""
    cycle = cycle_of(project, label)
    closed = store.closed_cycles().get(label)
    if closed is not None:
        raise ConfigError(
            f"cycle {label} was closed already (on {closed.at:%Y-%m-%d %H:%M} UTC): run "
            f"'okrsync close {label} --reopen' first to close it again"
        )
    end = cycle.end(project.timezone)
    if now < end:
        raise ConfigError(
            f"cycle {label} runs until {cycle.last_day.isoformat()}: close it after its end"
        )
    ids = [ref.id for ref in project.key_results() if in_cycle(ref.cycle, label)]
    unknown = sorted(set(notes) - set(ids))
    if unknown:
        raise ConfigError(
            f"--note names {', '.join(unknown)}, not a KR of cycle {label}: "
            f"its KRs are {', '.join(ids)}"
        )
    evaluation = evaluate_project(project, store, end).to_dict()
    results = {
        "key_results": _of_cycle(evaluation["key_results"], label),
        "objectives": _of_cycle(evaluation["objectives"], label),
        # What insights need later, when the cycle's file may be gone from the mappings.
        "mappings": mapping_texts(project, label),
        "facts": cycle_facts(project, store, label, end),
    }
    record = ClosureRecord(label, "close", now, end, results, dict(notes))
    store.record_closure(record)
    return record


def in_cycle(cycle: Cycle, label: str) -> bool:
    """Whether a file of ``cycle`` takes part in cycle ``label``: it is that cycle, or a
    plan with it among its cycles."""
    return cycle.label == label or cycle.part(label) is not None


def _of_cycle(results: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """The results of cycle ``label``: a plan's results as that cycle scored them."""
    found = []
    for result in results:
        if result["cycle"] == label:
            found.append(result)
            continue
        entry = next((c for c in result.get("cycles") or () if c["cycle"] == label), None)
        if entry is None:
            continue
        frozen = {k: v for k, v in result.items() if k != "cycles"}
        frozen.update(
            cycle=label,
            plan=result["cycle"],
            progress=entry["progress"],
            score=entry["score"],
            expected=entry["expected"],
            status=entry["status"],
        )
        if "target" in result:  # a KR: its value and target in the cycle
            frozen.update(
                value=entry["value"], target=entry["target"], computed_progress=entry["progress"]
            )
        found.append(frozen)
    return found


def mapping_texts(project: Project, label: str) -> list[str]:
    """The YAML of the cycle's mapping files, as written."""
    paths = {ref.doc.path for ref in project.key_results() if in_cycle(ref.cycle, label)}
    return [path.read_text(encoding="utf-8") for path in sorted(p for p in paths if p)]


def cycle_facts(project: Project, store: Store, label: str, end: datetime) -> dict[str, Any]:
    """Each KR's team, and for item KRs the scope at the end and how much of it was
    added during the cycle (in the KR's unit of items or estimate)."""
    snapshot = Snapshot(StoreDataView(store, end), end)
    facts: dict[str, Any] = {}
    for ref in project.key_results():
        if not in_cycle(ref.cycle, label):
            continue
        fact: dict[str, Any] = {"team": ref.mapping.team}
        if ref.kr.measure_name in SIMULATED_MEASURES and ref.kr.selections():
            spec = MeasureSpec.of_key_result(ref.kr, ref.default_source)
            # In a plan: the scope added during that cycle of it.
            cycle = ref.cycle.part(label) or ref.cycle
            history = daily_history(spec, MeasureContext(snapshot, cycle, project.timezone))
            fact |= {"scope_total": history.total, "scope_added": sum(history.added)}
        facts[ref.id] = fact
    return facts


def reopen_cycle(store: Store, label: str, now: datetime) -> ClosureRecord:
    closed = store.closed_cycles().get(label)
    if closed is None:
        raise ConfigError(f"cycle {label} is not closed: nothing to re-open")
    record = ClosureRecord(label, "reopen", now, closed.as_of, {}, {})
    store.record_closure(record)
    return record


def drift(closure: ClosureRecord, latest: Mapping[str, KrResult]) -> list[dict[str, Any]]:
    """The KRs of a closed cycle whose latest recorded value, evaluated after the close,
    differs from the final one: what changed in the tools since."""
    moved = []
    for final in closure.results.get("key_results", []):
        now = latest.get(final["id"])
        if now is None or now.as_of <= closure.at:
            continue
        value = _value_in(now, closure.cycle) if final.get("plan") else now.value
        if value == final["value"]:
            continue
        moved.append(
            {
                "id": final["id"],
                "unit": final.get("unit") or "",
                "final": final["value"],
                "now": value,
                "as_of": now.as_of.isoformat(),
            }
        )
    return moved


def _value_in(result: KrResult, label: str) -> float | None:
    """What a plan KR's latest result makes of cycle ``label``'s value: for an ended
    cycle, the value at its end read again, which moves only if the tools' past did."""
    for entry in result.data.get("cycles") or ():
        if isinstance(entry, dict) and entry.get("cycle") == label:
            value = entry.get("value")
            return None if value is None else float(value)
    return result.value


def closures_document(store: Store) -> list[dict[str, Any]]:
    """Every cycle closed now, with its final results, notes and drift since, for
    ``status --json``."""
    _, krs, _ = store.latest_results()
    latest = {kr.kr_id: kr for kr in krs}
    return [
        {
            "cycle": cycle,
            "closed_at": closure.at.isoformat(),
            "as_of": closure.as_of.isoformat(),
            "key_results": closure.results.get("key_results", []),
            "objectives": closure.results.get("objectives", []),
            "notes": closure.notes,
            "drift": drift(closure, latest),
        }
        for cycle, closure in store.closed_cycles().items()
    ]
