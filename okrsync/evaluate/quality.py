"""Data-quality warnings: what in the data, rather than in a measure, makes a KR's value
doubtful, said in sentences a champion can act on.

The evaluator already warns about what one measure leaves out (unestimated items, items
done without ever being in progress). These look across items, KRs and runs:

- a selection's query that matches no item existing at T;
- a selection whose size changed by more than half since the last recorded run;
- items in progress for longer than ``in_progress_age`` since they last entered that
  category (epics aside: they stay in progress while their stories move);
- a project none of whose measured items has an estimate (or the weighed field) at T,
  which usually means the field is missing from that project's screens;
- an item counted by two KRs of one objective, which moves the objective twice.

    snapshot = Snapshot(view, as_of)  # as_of: a UTC instant
    evaluation = evaluate_snapshot(files, snapshot, tz)
    add_quality_warnings(evaluation, files, snapshot, tz=tz, previous_sizes=sizes)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from okrsync.evaluate.context import (
    MeasureSpec,
    field_reader,
    is_estimate_field,
    plural,
    selecting_leaves,
)
from okrsync.evaluate.engine import collector_paused
from okrsync.evaluate.results import Evaluation, KrResult
from okrsync.evaluate.snapshot import DataView, Snapshot
from okrsync.evaluate.state import ItemAt, Timeline, parse_category
from okrsync.evaluate.warning import KrWarning
from okrsync.items import ItemType, StatusCategory, TrackedField
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import (
    AverageMeasure,
    KeyResult,
    MappingFile,
    MaxMeasure,
    MinMeasure,
    SumMeasure,
)

DEFAULT_IN_PROGRESS_AGE = timedelta(days=14)
# Warnings name at most this many items; the evidence lists every one.
KEYS_SHOWN = 10
# Measures whose value counts items one by one: an item two of them count moves the
# objective twice. Flow measures (cycle time, throughput, velocity) describe how the
# team works and naturally overlap with what it delivers.
_COUNTING = frozenset({"count", "done", "completion", "sum"})
_DAY = 86400.0
_Key = tuple[str, str]


def add_quality_warnings(
    evaluation: Evaluation,
    files: Sequence[MappingFile],
    data: DataView | Snapshot,
    *,
    tz: ZoneInfo,
    in_progress_age: timedelta = DEFAULT_IN_PROGRESS_AGE,
    previous_sizes: Mapping[str, int] | None = None,
) -> None:
    """Append data-quality warnings to the ``warnings`` of each affected KR result.

    ``files`` and ``data`` are what ``evaluation`` was computed from: pass the snapshot
    given to ``evaluate_snapshot`` and no item is rebuilt again. ``tz`` is the project's
    time zone (for ``scope: committed``); ``previous_sizes`` holds each KR's selection
    size at the last recorded run (see ``selection_sizes``). Warnings already present
    are not added twice.
    """
    if isinstance(data, Snapshot) and data.at == evaluation.as_of:
        snapshot = data
    else:
        snapshot = Snapshot(data.data if isinstance(data, Snapshot) else data, evaluation.as_of)
    results = {result.id: result for result in evaluation.key_results}
    placed = _place(files)
    found: dict[str, list[KrWarning]] = {kr_id: [] for kr_id in placed}
    with collector_paused():
        for kr_id, where in placed.items():
            result = results.get(kr_id)
            if result is None:
                continue
            found[kr_id] += _size_change(result, (previous_sizes or {}).get(kr_id))
            found[kr_id] += _item_warnings(where, snapshot, tz, in_progress_age)
        for kr_id, warnings in _overlaps(evaluation.key_results, placed).items():
            found[kr_id] += warnings
    for kr_id, warnings in found.items():
        result = results.get(kr_id)
        if result is not None:
            present = set(result.warnings)
            result.add_warnings(w for w in _unique(warnings) if w.text not in present)


def selection_sizes(key_results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Each KR's selection size in results shaped like ``plan --json``'s key results (the
    ``data`` of the store's recorded results), for ``previous_sizes``."""
    sizes: dict[str, int] = {}
    for result in key_results:
        evidence = result.get("evidence")
        counts = evidence.get("counts") if isinstance(evidence, Mapping) else None
        size = selection_size(counts) if isinstance(counts, Mapping) else None
        kr_id = result.get("id")
        if size is not None and isinstance(kr_id, str):
            sizes[kr_id] = size
    return sizes


def selection_size(counts: Mapping[str, Any]) -> int | None:
    """How many items the KR's queries returned: its ``selected`` count, or for a
    formula the total over its inputs (``fixed.selected`` + ``known.selected``)."""
    if isinstance(counts.get("selected"), int):
        return int(counts["selected"])
    parts = [v for k, v in counts.items() if k.endswith(".selected") and isinstance(v, int)]
    return sum(parts) if parts else None


def keys_text(keys: Sequence[str]) -> str:
    """``SHOP-1, SHOP-2, … and 12 more`` (at most ``KEYS_SHOWN`` keys)."""
    if len(keys) <= KEYS_SHOWN:
        return ", ".join(keys)
    return f"{', '.join(keys[:KEYS_SHOWN])}, … and {len(keys) - KEYS_SHOWN} more"


def _named(items: Sequence[_Key]) -> tuple[_Key, ...]:
    """The items ``keys_text`` shows."""
    return tuple(items[:KEYS_SHOWN])


# --- where each KR is and what it selects ---------------------------------------------


@dataclass(frozen=True)
class _Placed:
    kr: KeyResult
    objective: str
    cycle: Cycle
    default_source: str | None


def _place(files: Sequence[MappingFile]) -> dict[str, _Placed]:
    return {
        kr.id: _Placed(kr, objective.id, mapping.cycle_span, mapping.defaults.source)
        for mapping in files
        for objective in mapping.objectives
        for kr in objective.key_results
    }


def _unique(warnings: Iterable[KrWarning]) -> list[KrWarning]:
    """The first of the warnings with the same text (the same query under two formula
    inputs, say)."""
    first: dict[str, KrWarning] = {}
    for warning in warnings:
        first.setdefault(warning.text, warning)
    return list(first.values())


# --- checks on the items at T ---------------------------------------------------------


def _item_warnings(
    where: _Placed, snapshot: Snapshot, tz: ZoneInfo, in_progress_age: timedelta
) -> list[KrWarning]:
    warnings: list[KrWarning] = []
    measured: dict[_Key, ItemAt] = {}
    for label, spec in selecting_leaves(MeasureSpec.of_key_result(where.kr, where.default_source)):
        # The query is named: the same one under two formula inputs is said once.
        warnings += _empty_queries(spec, snapshot)
        committed = where.cycle.start(tz) if spec.scope == "committed" else None
        selected = snapshot.select(spec.selections, spec.wheres, spec.default_source, committed)
        for item in selected.items:
            measured.setdefault((item.source, item.key), item)
        weighed = _weighed_field(spec)
        if weighed is not None:
            warnings += [KrWarning(label + w) for w in _missing_field(selected.items, weighed)]
    stale = _in_progress_since(measured.values(), snapshot, in_progress_age)
    if stale:
        shown = [f"{item.key} ({plural(days, 'day')})" for item, days in stale]
        days = round(in_progress_age.total_seconds() / _DAY, 2)
        text = (
            f"{plural(len(stale), 'item')} in progress for more than {days:g} days, "
            f"oldest first: {keys_text(shown)}; "
            f"{'is it' if len(stale) == 1 else 'are they'} stuck, or done but not closed?"
        )
        warnings.append(KrWarning(text, _named([(i.source, i.key) for i, _ in stale])))
    return warnings


def _empty_queries(spec: MeasureSpec, snapshot: Snapshot) -> list[KrWarning]:
    warnings: list[str] = []
    for selection in spec.selections:
        source = selection.source or spec.default_source
        if source is None:
            continue
        found = snapshot.query(source, selection.query)
        if found.states:
            continue
        if found.withdrawn:
            warnings.append(
                f"every item the query {selection.query!r} matches at this instant was "
                f"closed as not planned or duplicate ({plural(len(found.withdrawn), 'item')})"
            )
        elif found.later:
            warnings.append(
                f"the query {selection.query!r} matches no item that existed yet at this "
                f"instant ({plural(len(found.later), 'item')} created later)"
            )
        else:
            warnings.append(
                f"the query {selection.query!r} of {source!r} matches no item: check it in "
                "the tool, and that a pull has run since it was written"
            )
    return [KrWarning(text) for text in warnings]


def _weighed_field(spec: MeasureSpec) -> str | None:
    """The numeric field the measure reads from every item, if any."""
    measure = spec.measure
    if measure == "completion":
        return spec.weight_by
    if isinstance(measure, SumMeasure):
        return measure.sum
    if isinstance(measure, AverageMeasure):
        return measure.average
    if isinstance(measure, MinMeasure):
        return measure.min
    if isinstance(measure, MaxMeasure):
        return measure.max
    return None


def _missing_field(items: Sequence[ItemAt], name: str) -> list[str]:
    """A project where no measured item has the field: rather a missing field on its
    screens than a team that never estimates."""
    read = field_reader(name)
    seen: dict[str, bool] = {}
    for item in items:
        seen[item.project] = seen.get(item.project, False) or read(item) is not None
    lacking = sorted(project for project, has_value in seen.items() if not has_value)
    if is_estimate_field(name):
        return [
            f"no item of project {project} has an estimate: is the story points field "
            "on its screens?"
            for project in lacking
        ]
    return [
        f"no item of project {project} has a number in {name}: is the {name} field on its "
        "screens, and is it pulled?"
        for project in lacking
    ]


def _in_progress_since(
    items: Iterable[ItemAt], snapshot: Snapshot, age: timedelta
) -> list[tuple[ItemAt, int]]:
    """(item, whole days) of items in progress at T that entered that category more than
    ``age`` before T, the longest first."""
    at = snapshot.at
    stale: list[tuple[float, str, ItemAt]] = []
    for item in items:
        # An epic is in progress for as long as its stories are: that is no warning.
        if item.status_category is not StatusCategory.IN_PROGRESS or item.type is ItemType.EPIC:
            continue
        # The first start bounds the last one: most items are quickly ruled out.
        if item.started is not None and at - item.started <= age:
            continue
        timeline = snapshot.timeline(item.source, item.key)
        entered = item.created if timeline is None else _entered_in_progress(timeline, at)
        if entered is not None and at - entered > age:
            stale.append(((at - entered).total_seconds(), item.key, item))
    stale.sort(key=lambda entry: (-entry[0], entry[1]))
    return [(item, int(seconds // _DAY)) for seconds, _, item in stale]


def _entered_in_progress(timeline: Timeline, at: datetime) -> datetime | None:
    """The last entry into the in-progress category at or before ``at``; the creation
    instant for an item that was in progress from the start."""
    category_changes = [c for c in timeline.changes if c.field == TrackedField.STATUS_CATEGORY]
    if category_changes:
        category = parse_category(category_changes[0].from_value) or StatusCategory.TODO
    else:
        category = timeline.item.status_category
    entered = timeline.item.created if category is StatusCategory.IN_PROGRESS else None
    for change in category_changes:
        if change.at > at:
            break
        new = parse_category(change.to_value) or StatusCategory.TODO
        if new is StatusCategory.IN_PROGRESS and category is not StatusCategory.IN_PROGRESS:
            entered = change.at
        category = new
    return entered if category is StatusCategory.IN_PROGRESS else None


# --- checks across KRs and runs -------------------------------------------------------


_SINCE_LAST_RUN = "since the last recorded run"


def _size_change(result: KrResult, previous: int | None) -> list[KrWarning]:
    size = selection_size(result.evidence["counts"])
    if previous is None or size is None or previous == 0 or abs(size - previous) * 2 <= previous:
        return []
    way = "grew" if size > previous else "shrank"
    return [
        KrWarning(
            f"the selection {way} from {previous} to {plural(size, 'item')} {_SINCE_LAST_RUN}: "
            "check that its query still matches what it should (an edited query, a moved "
            "project, lost permissions?)"
        )
    ]


def compares_runs(warning: str) -> bool:
    """Whether a warning compares this run with the previous one (a selection's size).

    Such a warning holds for one run only: the next run, with nothing changed, no longer
    has it. What okrsync pushes into a tool leaves it out, or a comment would change back
    and forth between runs (a second apply must send no write); plans, status, history
    and the report still show it."""
    return warning.startswith("the selection ") and _SINCE_LAST_RUN in warning


def _overlaps(
    results: Sequence[KrResult], placed: Mapping[str, _Placed]
) -> dict[str, list[KrWarning]]:
    """For each counting KR, the items another counting KR of its objective counts too."""
    counting = [r for r in results if r.id in placed and placed[r.id].kr.measure_name in _COUNTING]
    shared_objectives = Counter(placed[r.id].objective for r in counting)
    counted: dict[str, list[_Key]] = {}
    for result in counting:
        if shared_objectives[placed[result.id].objective] < 2:
            continue
        entries = result.evidence["items"]
        pairs = ((e["source"], e["key"]) for e in entries if e["contributes"] is not None)
        counted[result.id] = list(dict.fromkeys(pairs))
    # Each KR's set is built once, not once for every other KR of its objective.
    sets = {kr_id: set(keys) for kr_id, keys in counted.items()}
    warnings: dict[str, list[KrWarning]] = {}
    for kr_id, mine in counted.items():
        objective = placed[kr_id].objective
        for other, theirs in sets.items():
            if other == kr_id or placed[other].objective != objective:
                continue
            shared = [pair for pair in mine if pair in theirs]
            if shared:
                text = (
                    f"{plural(len(shared), 'item')} also counted by KR {other} of objective "
                    f"{objective}, so {'it moves' if len(shared) == 1 else 'they move'} the "
                    f"objective twice: {keys_text([key for _, key in shared])}"
                )
                warnings.setdefault(kr_id, []).append(KrWarning(text, _named(shared)))
    return warnings


__all__ = [
    "DEFAULT_IN_PROGRESS_AGE",
    "add_quality_warnings",
    "compares_runs",
    "keys_text",
    "selection_size",
    "selection_sizes",
]
