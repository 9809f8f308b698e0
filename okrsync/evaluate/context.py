"""What every measure works with: its spec (measure plus selection), the instant and
cycle it is evaluated in, its result, and helpers for evidence and numeric fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from okrsync.evaluate.results import ItemEvidence
from okrsync.evaluate.snapshot import Snapshot
from okrsync.evaluate.state import ItemAt
from okrsync.items import StatusCategory, is_estimate_field
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import (
    FormulaInput,
    FormulaMeasure,
    KeyResult,
    MappingFile,
    Measure,
    Selection,
    Where,
)

# Warnings name at most this many items; the evidence lists every one.
KEYS_IN_WARNING = 20


@dataclass(frozen=True)
class MeasureSpec:
    """A measure and the items it runs over: a KR's, or one formula input's."""

    measure: Measure
    selections: tuple[Selection, ...] = ()
    wheres: tuple[Where, ...] = ()  # on top of every selection's own ``where``
    default_source: str | None = None
    weight_by: str | None = None
    unestimated: Literal["exclude", "average"] = "exclude"
    scope: Literal["all", "committed"] = "all"
    inputs: Mapping[str, FormulaInput] = field(default_factory=dict)

    @classmethod
    def of_key_result(cls, kr: KeyResult, default_source: str | None) -> MeasureSpec:
        return cls(
            measure=kr.measure,
            selections=tuple(kr.selections()),
            wheres=() if kr.where is None else (kr.where,),
            default_source=default_source,
            weight_by=kr.weight_by,
            unestimated=kr.unestimated,
            scope=kr.scope,
            inputs=kr.formula_inputs(),
        )

    def of_input(self, item: FormulaInput) -> MeasureSpec:
        """An input measures its own selection, or else its formula's; the filters of
        the enclosing KR apply to every selection, an input's own ``where`` on top."""
        if item.select is None:
            selections = self.selections
        elif isinstance(item.select, list):
            selections = tuple(item.select)
        else:
            selections = (item.select,)
        nested = item.measure.inputs if isinstance(item.measure, FormulaMeasure) else None
        return MeasureSpec(
            measure=item.measure,
            selections=selections,
            wheres=self.wheres + (() if item.where is None else (item.where,)),
            default_source=self.default_source,
            weight_by=item.weight_by,
            unestimated=item.unestimated,
            scope=item.scope,
            inputs=nested or {},
        )


def selecting_leaves(spec: MeasureSpec, label: str = "") -> Iterator[tuple[str, MeasureSpec]]:
    """The measures that select items, each with the prefix its formula input gives
    its warnings (``fixed: ``), like the evaluator's own."""
    if isinstance(spec.measure, FormulaMeasure):
        for name, item in spec.inputs.items():
            yield from selecting_leaves(spec.of_input(item), f"{label}{name}: ")
    elif spec.selections:
        yield label, spec


def queries_read(mapping: MappingFile) -> set[tuple[str, str]]:
    """(source, query) of every selection the file's KRs measure, formula inputs
    included."""
    found: set[tuple[str, str]] = set()
    for objective in mapping.objectives:
        for kr in objective.key_results:
            spec = MeasureSpec.of_key_result(kr, mapping.defaults.source)
            for _, leaf in selecting_leaves(spec):
                for selection in leaf.selections:
                    source = selection.source or leaf.default_source
                    if source is not None:
                        found.add((source, selection.query))
    return found


@dataclass(frozen=True)
class MeasureContext:
    snapshot: Snapshot
    cycle: Cycle
    tz: ZoneInfo
    # Whether measures list what each item contributes. A value alone (a back-filled
    # point, a plan's ended cycle) skips it: building the entries was most of the cost
    # of rebuilding a trend day by day, and the point dropped them.
    with_evidence: bool = True

    @property
    def at(self) -> datetime:
        return self.snapshot.at

    @property
    def cycle_start(self) -> datetime:
        return self.cycle.start(self.tz)

    def local_date(self, instant: datetime) -> str:
        key = (instant, self.tz)
        text = _LOCAL_DATES.get(key)
        if text is None:
            if len(_LOCAL_DATES) >= _TEXTS_KEPT:
                _LOCAL_DATES.clear()
            text = _LOCAL_DATES[key] = instant.astimezone(self.tz).date().isoformat()
        return text


# Evidence notes name the same instants and numbers again and again (each item's done
# date in every KR and on every day a trend is rebuilt, a handful of estimates): their
# texts are kept, up to a bound, instead of formatted anew each time.
_TEXTS_KEPT = 200_000
_LOCAL_DATES: dict[tuple[datetime, ZoneInfo], str] = {}
_NUMBER_TEXTS: dict[float, str] = {}


@dataclass
class MeasureResult:
    value: float | None
    unit: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    items: list[ItemEvidence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# Plain strings in the evidence; a dict lookup is much cheaper than ``Enum.value``.
_CATEGORY_TEXT = {category: category.value for category in StatusCategory}


def evidence(item: ItemAt, contributes: float | None, note: str) -> ItemEvidence:
    return {
        "key": item.key,
        "source": item.source,
        "status": item.status,
        "status_category": _CATEGORY_TEXT[item.status_category],
        "done": item.done,
        "contributes": contributes,
        "note": note,
    }


def keys_text(items: Sequence[ItemAt] | Sequence[str]) -> str:
    keys = [i if isinstance(i, str) else i.key for i in items[:KEYS_IN_WARNING]]
    more = len(items) - len(keys)
    return ", ".join(keys) + (f" and {more} more (see the evidence)" if more else "")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def number_text(value: float) -> str:
    """At most two decimals, no trailing zeros: 3, 4.2, 6.67."""
    text = _NUMBER_TEXTS.get(value)
    if text is None:
        if len(_NUMBER_TEXTS) >= _TEXTS_KEPT:
            _NUMBER_TEXTS.clear()
        text = _NUMBER_TEXTS[value] = _number_text(value)
    return text


def _number_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


# --- numeric fields -------------------------------------------------------------------


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def field_reader(name: str) -> Callable[[ItemAt], float | None]:
    """Story points come from history (their value at T); other fields are current."""
    if is_estimate_field(name):
        return lambda item: item.estimate
    return lambda item: as_number(item.fields.get(name))


def field_unit(name: str) -> str:
    return "points" if is_estimate_field(name) else ""


ItemMeasure = Callable[[MeasureSpec, list[ItemAt], MeasureContext], MeasureResult]


_Weighed = tuple[ItemAt, float | None, str | None]


@dataclass
class Weights:
    """Each item's weight for ``weight_by``, with unestimated items resolved."""

    # (item, weight or None when left out, why an unestimated item weighs what it does)
    entries: list[_Weighed]
    excluded: int
    warnings: list[str]


def weigh(items: Sequence[ItemAt], spec: MeasureSpec, word: str) -> Weights:
    assert spec.weight_by is not None
    read = field_reader(spec.weight_by)
    raw = [(item, read(item)) for item in items]
    known = [w for _, w in raw if w is not None]
    missing = [item for item, w in raw if w is None]
    if not missing:
        return Weights([(item, w, None) for item, w in raw], 0, [])
    if spec.unestimated == "average" and known:
        fill = sum(known) / len(known)
        warning = (
            f"{plural(len(missing), 'unestimated item')} counted at the average "
            f"{spec.weight_by} of {number_text(fill)}: {keys_text(missing)}"
        )
        note = f"unestimated: counted at the average {number_text(fill)} {word}"
        entries: list[_Weighed] = [
            (item, w, None) if w is not None else (item, fill, note) for item, w in raw
        ]
        return Weights(entries, 0, [warning])
    why = " (no estimated item to average)" if spec.unestimated == "average" else ""
    warning = f"{plural(len(missing), 'unestimated item')} excluded{why}: {keys_text(missing)}"
    entries = [(item, w, None if w is not None else "unestimated: excluded") for item, w in raw]
    return Weights(entries, len(missing), [warning])
