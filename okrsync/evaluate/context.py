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
from okrsync.evaluate.warning import ItemRef, KrWarning, Warns
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


class NoteTexts:
    """The texts of one evaluation's evidence notes, each formatted once.

    Notes name the same instants and numbers again and again (an item's done date in
    every KR that lists it, a handful of estimates), and formatting a date in a zone
    costs more than looking it up. The texts belong to the evaluation that made them:
    they go when it does, and two evaluations (threads of a service) never share them.
    Bounded all the same: one over millions of items has about as many distinct
    instants and durations, and keeping a text of each would grow the evaluation's
    memory by a good part for few repeats; past the bound they are formatted anew."""

    KEPT = 200_000

    __slots__ = ("_dates", "_numbers")

    def __init__(self) -> None:
        self._dates: dict[tuple[datetime, ZoneInfo], str] = {}
        self._numbers: dict[float, str] = {}

    def local_date(self, instant: datetime, tz: ZoneInfo) -> str:
        key = (instant, tz)
        text = self._dates.get(key)
        if text is None:
            text = instant.astimezone(tz).date().isoformat()
            if len(self._dates) < self.KEPT:
                self._dates[key] = text
        return text

    def number(self, value: float) -> str:
        text = self._numbers.get(value)
        if text is None:
            text = number_text(value)
            if len(self._numbers) < self.KEPT:
                self._numbers[value] = text
        return text


@dataclass(frozen=True)
class MeasureContext:
    snapshot: Snapshot
    cycle: Cycle
    tz: ZoneInfo
    # Whether measures list what each item contributes. A value alone (a back-filled
    # point, a plan's ended cycle) skips it: building the entries was most of the cost
    # of rebuilding a trend day by day, and the point dropped them.
    with_evidence: bool = True
    # One evaluation's contexts share it (see NoteTexts); a context made alone has its own.
    texts: NoteTexts = field(default_factory=NoteTexts, compare=False, repr=False)

    @property
    def at(self) -> datetime:
        return self.snapshot.at

    @property
    def cycle_start(self) -> datetime:
        return self.cycle.start(self.tz)

    def local_date(self, instant: datetime) -> str:
        """The instant's day in the project's zone, ``2027-01-05``."""
        return self.texts.local_date(instant, self.tz)

    def number_text(self, value: float) -> str:
        """``number_text(value)``, for a note of the evidence."""
        return self.texts.number(value)


@dataclass
class MeasureResult(Warns):
    value: float | None
    unit: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    items: list[ItemEvidence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warned_items: list[tuple[ItemRef, ...]] = field(default_factory=list)


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


def listing(items: Sequence[ItemAt]) -> tuple[ItemRef, ...]:
    """The items ``keys_text`` names, in its order."""
    return tuple((i.source, i.key) for i in items[:KEYS_IN_WARNING])


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def number_text(value: float) -> str:
    """At most two decimals, no trailing zeros: 3, 4.2, 6.67."""
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
    warnings: list[KrWarning]


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
        warning = KrWarning(
            f"{plural(len(missing), 'unestimated item')} counted at the average "
            f"{spec.weight_by} of {number_text(fill)}: {keys_text(missing)}",
            listing(missing),
        )
        note = f"unestimated: counted at the average {number_text(fill)} {word}"
        entries: list[_Weighed] = [
            (item, w, None) if w is not None else (item, fill, note) for item, w in raw
        ]
        return Weights(entries, 0, [warning])
    why = " (no estimated item to average)" if spec.unestimated == "average" else ""
    warning = KrWarning(
        f"{plural(len(missing), 'unestimated item')} excluded{why}: {keys_text(missing)}",
        listing(missing),
    )
    entries = [(item, w, None if w is not None else "unestimated: excluded") for item, w in raw]
    return Weights(entries, len(missing), [warning])
