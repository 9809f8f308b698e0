"""The closed vocabulary of measures (mapping-language.md §3), evaluated as of T.

``compute`` selects the items (at T), runs the measure and returns its value with the
evidence behind it: counts, what each item contributes, and warnings for anything
left out. The flow measures (throughput, cycle and lead time, velocity) live in
``okrsync.evaluate.flow``.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from okrsync.evaluate import flow
from okrsync.evaluate.context import (
    KEYS_IN_WARNING,
    ItemMeasure,
    MeasureContext,
    MeasureResult,
    MeasureSpec,
    evidence,
    field_reader,
    field_unit,
    keys_text,
    listing,
    plural,
    weigh,
)
from okrsync.evaluate.formula import FormulaError, FormulaUndefined, check_names, parse_formula
from okrsync.evaluate.results import ItemEvidence
from okrsync.evaluate.snapshot import Selected
from okrsync.evaluate.state import ItemAt
from okrsync.mapping.models import (
    AverageMeasure,
    FormulaMeasure,
    MaxMeasure,
    Measure,
    MetricMeasure,
    MinMeasure,
    ScopeAddedMeasure,
    SumMeasure,
    measure_name,
)

# --- item measures --------------------------------------------------------------------


def _count(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    entries = [evidence(i, 1.0, "exists") for i in items] if ctx.with_evidence else []
    return MeasureResult(float(len(items)), "items", items=entries)


def _done(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    entries = (
        [evidence(i, 1.0 if i.done else 0.0, _done_note(i, ctx)) for i in items]
        if ctx.with_evidence
        else []
    )
    return MeasureResult(float(sum(i.done for i in items)), "items", items=entries)


def _done_note(item: ItemAt, ctx: MeasureContext) -> str:
    if item.done_at is not None:
        return f"done {ctx.local_date(item.done_at)}"
    return "not done"


def _completion(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    if spec.weight_by is None:
        result = _done(spec, items, ctx)
        result.unit = "%"
        if not items:
            result.value = None
            result.warn("no items selected at this instant: completion is undefined")
        elif result.value is not None:
            result.value = 100.0 * result.value / len(items)
        return result
    word = field_unit(spec.weight_by) or spec.weight_by
    weights = weigh(items, spec, word)
    total = done_total = 0.0
    entries: list[ItemEvidence] = []
    listed = ctx.with_evidence
    for item, weight, why in weights.entries:
        if weight is None:
            if listed:
                entries.append(evidence(item, None, why or ""))
            continue
        total += weight
        if item.done:
            done_total += weight
        if not listed:
            continue
        note = why or f"{ctx.number_text(weight)} {word}"
        status = _done_note(item, ctx)
        entries.append(evidence(item, weight if item.done else 0.0, f"{note}, {status}"))
    result = MeasureResult(None, "%", items=entries)
    result.add_warnings(weights.warnings)
    result.counts["excluded"] = weights.excluded
    if total > 0:
        result.value = 100.0 * done_total / total
    else:
        result.warn(f"the {spec.weight_by} total is 0: completion is undefined")
    return result


def _field_measure(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    measure = spec.measure
    name, fieldname = _field_of(measure)
    read = field_reader(fieldname)
    values: list[float] = []
    lacking: list[ItemAt] = []
    entries: list[ItemEvidence] = []
    listed = ctx.with_evidence
    for item in items:
        value = read(item)
        if value is None:
            lacking.append(item)
            if listed:
                entries.append(evidence(item, None, f"no {fieldname}: excluded"))
        else:
            values.append(value)
            if listed:
                entries.append(evidence(item, value, f"{fieldname} {ctx.number_text(value)}"))
    result = MeasureResult(None, field_unit(fieldname), items=entries)
    result.counts["excluded"] = len(lacking)
    if lacking:
        result.warn(
            f"{plural(len(lacking), 'item')} without a number in {fieldname} excluded: "
            f"{keys_text(lacking)}",
            listing(lacking),
        )
    if name == "sum":
        result.value = sum(values)
    elif not values:
        result.warn(f"no item has a number in {fieldname}: {name} is undefined")
    elif name == "average":
        result.value = sum(values) / len(values)
    elif name == "min":
        result.value = min(values)
    else:
        result.value = max(values)
    return result


def _field_of(measure: Measure) -> tuple[str, str]:
    if isinstance(measure, SumMeasure):
        return "sum", measure.sum
    if isinstance(measure, AverageMeasure):
        return "average", measure.average
    if isinstance(measure, MinMeasure):
        return "min", measure.min
    assert isinstance(measure, MaxMeasure)
    return "max", measure.max


def since_instant(since: Any, ctx: MeasureContext) -> datetime:
    """``cycle_start``, or the start of a date in the configured zone."""
    if since == "cycle_start":
        return ctx.cycle_start
    return datetime.combine(since, time(), ctx.tz)


def _scope_added(spec: MeasureSpec, items: list[ItemAt], ctx: MeasureContext) -> MeasureResult:
    assert isinstance(spec.measure, ScopeAddedMeasure)
    since = since_instant(spec.measure.scope_added.since, ctx)
    added = [i for i in items if i.created > since]
    if spec.weight_by is None:
        entries = (
            [evidence(i, 1.0, f"created {ctx.local_date(i.created)}") for i in added]
            if ctx.with_evidence
            else []
        )
        result = MeasureResult(float(len(added)), "items", items=entries)
        result.counts["added"] = len(added)
        return result
    word = field_unit(spec.weight_by) or spec.weight_by
    weights = weigh(added, spec, word)
    entries = []
    total = 0.0
    for item, weight, why in weights.entries:
        total += weight or 0.0
        if ctx.with_evidence:
            note = why or f"{ctx.number_text(weight or 0)} {word}"
            created = ctx.local_date(item.created)
            entries.append(evidence(item, weight, f"created {created}, {note}"))
    result = MeasureResult(total, field_unit(spec.weight_by), items=entries)
    result.add_warnings(weights.warnings)
    result.counts["added"] = len(added)
    result.counts["excluded"] = weights.excluded
    return result


# --- measures without items -----------------------------------------------------------


def _metric(spec: MeasureSpec, ctx: MeasureContext) -> MeasureResult:
    assert isinstance(spec.measure, MetricMeasure)
    metric = spec.measure.metric
    value = ctx.snapshot.metric(metric.source, metric.name)
    result = MeasureResult(value)
    if value is None:
        result.warn(
            f"metric {metric.name!r} of source {metric.source!r} has no value: "
            "check the source's settings and run a pull"
        )
    return result


def _formula(spec: MeasureSpec, ctx: MeasureContext) -> MeasureResult:
    assert isinstance(spec.measure, FormulaMeasure)
    result = MeasureResult(None)
    try:
        expr = parse_formula(spec.measure.formula)
        check_names(expr, spec.inputs)
    except FormulaError as error:
        result.warn(str(error))
        return result
    used = expr.names()
    values: dict[str, float] = {}
    for name, item in spec.inputs.items():
        if name not in used:
            continue
        sub = compute(spec.of_input(item), ctx)
        for count, number in sub.counts.items():
            result.counts[f"{name}.{count}"] = number
        for entry in sub.items:
            result.items.append({**entry, "note": f"{name}: {entry['note']}"})
        result.add_warnings(w.prefixed(f"{name}: ") for w in sub.named_warnings())
        if sub.value is None:
            result.warn(f"input {name!r} has no value, so the formula has none")
        else:
            values[name] = sub.value
    if len(values) == len(used):
        try:
            result.value = expr.evaluate(values)
        except FormulaUndefined as error:
            result.warn(f"the formula has no value: {error}")
    return result


# --- dispatch -------------------------------------------------------------------------

_ITEM_MEASURES: dict[str, ItemMeasure] = {
    "count": _count,
    "done": _done,
    "completion": _completion,
    "sum": _field_measure,
    "average": _field_measure,
    "min": _field_measure,
    "max": _field_measure,
    "scope_added": _scope_added,
    "throughput": flow.throughput,
    "cycle_time": flow.cycle_time,
    "lead_time": flow.lead_time,
    "velocity": flow.velocity,
}


def select_items(spec: MeasureSpec, ctx: MeasureContext) -> Selected:
    """The items the measure runs over at ``ctx.at`` (``scope: committed`` applied)."""
    committed = ctx.cycle_start if spec.scope == "committed" else None
    return ctx.snapshot.select(
        spec.selections, spec.wheres, spec.default_source, committed_before=committed
    )


def compute(spec: MeasureSpec, ctx: MeasureContext) -> MeasureResult:
    """The measure's value at ``ctx.at`` with its evidence."""
    name = measure_name(spec.measure)
    if name == "metric":
        return _metric(spec, ctx)
    if name == "formula":
        return _formula(spec, ctx)
    if not spec.selections:
        result = MeasureResult(None)
        result.warn(f"measure '{name}' needs 'select': which items to measure")
        return result
    committed = ctx.cycle_start if spec.scope == "committed" else None
    selected = select_items(spec, ctx)
    result = _ITEM_MEASURES[name](spec, selected.items, ctx)
    counts = dict(selected.counts)
    counts["done"] = sum(i.done for i in selected.items)
    counts.update(result.counts)
    result.counts = counts
    if selected.withdrawn:
        count = len(selected.withdrawn)
        result.warn(
            f"{plural(count, 'item')} closed as not planned or duplicate "
            f"{'is' if count == 1 else 'are'} not in the selection at this instant: "
            f"{keys_text([key for _, key in selected.withdrawn])}",
            tuple(selected.withdrawn[:KEYS_IN_WARNING]),
        )
    if committed is not None and counts.get("scope_added"):
        result.warn(
            f"scope: committed leaves out {plural(counts['scope_added'], 'item')} "
            "created after the cycle start (counted as scope_added)"
        )
    return result
