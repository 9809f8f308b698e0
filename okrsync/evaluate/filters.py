"""Normalized ``where`` filters, evaluated on items as they were at T.

A filter is compiled once per selection into a predicate, so that checking 100,000
items is a handful of set lookups each. Within one filter every named condition must
hold; within a condition any listed value may match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from okrsync.evaluate.state import ItemAt
from okrsync.items import Sprint
from okrsync.mapping.models import Where

Predicate = Callable[[ItemAt], bool]


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values)


def sprint_ids_for(names_or_ids: Sequence[str], sprints: Sequence[Sprint]) -> frozenset[str]:
    """The ids the values stand for: each value may be a sprint id or a sprint name."""
    wanted = _folded(names_or_ids)
    ids = {s.id for s in sprints if s.id.casefold() in wanted or s.name.casefold() in wanted}
    # A value that names no known sprint still matches an id stored on items, so a
    # filter keeps working while the sprint list is incomplete.
    ids.update(v.strip() for v in names_or_ids)
    return frozenset(ids)


def compile_where(where: Where, sprints: Sequence[Sprint] = ()) -> Predicate:
    """A predicate for one ``where`` block; ``sprints`` are the source's sprints."""
    checks: list[Predicate] = []
    if where.type is not None:
        types = _folded(where.type)
        # Enum members are str: membership needs no ``.value`` (a slow descriptor).
        checks.append(lambda i: i.type in types or i.type_name.casefold() in types)
    if where.status_category is not None:
        categories = frozenset(where.status_category)
        checks.append(lambda i: i.status_category in categories)
    if where.labels is not None:
        labels = frozenset(where.labels)
        checks.append(lambda i: not labels.isdisjoint(i.labels))
    if where.project is not None:
        projects = _folded(where.project)
        checks.append(lambda i: i.project.casefold() in projects)
    if where.parent is not None:
        parents = _folded(where.parent)
        checks.append(lambda i: i.parent is not None and i.parent.casefold() in parents)
    if where.sprint is not None:
        ids = sprint_ids_for(where.sprint, sprints)
        checks.append(lambda i: not ids.isdisjoint(i.sprints))
    if not checks:
        return lambda i: True
    if len(checks) == 1:
        return checks[0]
    return lambda i: all(check(i) for check in checks)


def compile_all(wheres: Iterable[Where | None], sprints: Sequence[Sprint] = ()) -> Predicate:
    """Every ``where`` must hold (a KR-level filter on top of a selection's own)."""
    predicates = [compile_where(w, sprints) for w in wheres if w is not None]
    if not predicates:
        return lambda i: True
    if len(predicates) == 1:
        return predicates[0]
    return lambda i: all(p(i) for p in predicates)


def needs_sprints(wheres: Iterable[Where | None]) -> bool:
    return any(w is not None and w.sprint is not None for w in wheres)
