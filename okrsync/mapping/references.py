"""What a key result names, each with its path inside the KR: its selections (its own
and its formula inputs'), its metrics, and the item fields its measures read.

The checks across files and ``validate --online`` walk the same places, so a problem
found either way points at the same ``FILE:LINE:COL``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from okrsync.mapping.models import (
    AverageMeasure,
    FormulaInput,
    FormulaMeasure,
    KeyResult,
    MaxMeasure,
    MetricMeasure,
    MetricSpec,
    MinMeasure,
    Selection,
    Selections,
    SumMeasure,
)

DataPath = tuple[Any, ...]


@dataclass(frozen=True)
class FieldRead:
    """An item field a measure reads, and the selections whose items it reads it from."""

    path: DataPath
    name: str
    selections: tuple[Selection, ...]


def selections_in(
    select: Selections | None, path: DataPath
) -> Iterator[tuple[DataPath, Selection]]:
    if isinstance(select, list):
        for index, selection in enumerate(select):
            yield (*path, "select", index), selection
    elif select is not None:
        yield (*path, "select"), select


def formula_inputs(kr: KeyResult) -> Iterator[tuple[DataPath, FormulaInput]]:
    if isinstance(kr.measure, FormulaMeasure):
        for name, value in (kr.measure.inputs or {}).items():
            yield ("measure", "inputs", name), value
    for name, value in (kr.inputs or {}).items():
        yield ("inputs", name), value


def selections_of(kr: KeyResult) -> Iterator[tuple[DataPath, Selection]]:
    """Every selection of the KR and of its formula inputs."""
    yield from selections_in(kr.select, ())
    for path, formula_input in formula_inputs(kr):
        yield from selections_in(formula_input.select, path)


def metrics_of(kr: KeyResult) -> Iterator[tuple[DataPath, MetricSpec]]:
    """Every ``metric:`` the KR measures, formula inputs included; the path is the
    metric's ``source``."""
    measures: list[tuple[DataPath, Any]] = [((), kr.measure)]
    measures += [(path, formula_input.measure) for path, formula_input in formula_inputs(kr)]
    for path, measure in measures:
        if isinstance(measure, MetricMeasure):
            yield (*path, "measure", "metric", "source"), measure.metric


def _field_of(measure: Any) -> tuple[str, str] | None:
    for kind, key in (
        (SumMeasure, "sum"),
        (AverageMeasure, "average"),
        (MinMeasure, "min"),
        (MaxMeasure, "max"),
    ):
        if isinstance(measure, kind):
            return key, getattr(measure, key)
    return None


def fields_of(kr: KeyResult) -> Iterator[FieldRead]:
    """Every item field the KR's measures and weights read (``sum: FIELD``,
    ``weight_by``), with the selections it is read from."""
    own = tuple(s for _, s in selections_in(kr.select, ()))
    holders: list[tuple[DataPath, Any, str | None, tuple[Selection, ...]]] = [
        ((), kr.measure, kr.weight_by, own)
    ]
    for path, formula_input in formula_inputs(kr):
        chosen = tuple(s for _, s in selections_in(formula_input.select, path))
        holders.append((path, formula_input.measure, formula_input.weight_by, chosen))
    for path, measure, weight_by, chosen in holders:
        read = _field_of(measure)
        if read is not None:
            yield FieldRead((*path, "measure", read[0]), read[1], chosen)
        if weight_by is not None:
            yield FieldRead((*path, "weight_by"), weight_by, chosen)
