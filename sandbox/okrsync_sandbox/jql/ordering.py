"""ORDER BY: one stable sort per key, empty values last ascending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from okrsync_sandbox.jql.context import Context, lookup_field
from okrsync_sandbox.jql.syntax import Query
from okrsync_sandbox.model import Issue

_SORTERS: dict[str, Callable[[Issue], Any]] = {
    "issuekey": lambda i: (i.project.key, i.number),
    "created": lambda i: i.created,
    "updated": lambda i: i.updated,
    "resolutiondate": lambda i: i.resolutiondate,
    "statuscategorychangedate": lambda i: i.status_changed,
    "summary": lambda i: i.summary.lower(),
    "status": lambda i: i.status.name.lower(),
    "priority": lambda i: int(i.priority.id) if i.priority else None,
    "issuetype": lambda i: i.issuetype.name.lower(),
    "project": lambda i: i.project.key,
    "assignee": lambda i: i.assignee.display_name.lower() if i.assignee else None,
    "reporter": lambda i: i.reporter.display_name.lower() if i.reporter else None,
    "resolution": lambda i: i.resolution.name.lower() if i.resolution else None,
}


def compile_order(query: Query, ctx: Context) -> Callable[[list[Issue]], list[Issue]]:
    keys: list[tuple[Callable[[Issue], Any], bool]] = []
    if not query.has_order_by:
        # Without ORDER BY, newest first (ids break ties so pages stay stable).
        keys = [(lambda i: (i.created, i.id), True)]
    for sort_key in query.order_by:
        definition = lookup_field(sort_key.field, ctx)
        if definition is None:
            ctx.errors.append(
                f"Field '{sort_key.field.name}' does not exist or you do not have permission "
                "to view it."
            )
            continue
        getter: Callable[[Issue], Any] | None = _SORTERS.get(definition.id)
        if definition.kind == "number":
            field_id = definition.id
            getter = lambda i, f=field_id: i.custom.get(f)  # noqa: E731
        elif definition.id == "customfield_10019":
            getter = lambda i: i.id  # noqa: E731 - Rank: creation order in the sandbox
        if getter is None or not definition.orderable:
            ctx.errors.append(f"Field '{sort_key.field.name}' does not support sorting.")
            continue
        keys.append((getter, bool(sort_key.descending)))

    def order(issues: list[Issue]) -> list[Issue]:
        result = list(issues)
        for getter, descending in reversed(keys):
            # Empty values sort after every value ascending, before them descending.
            result.sort(key=_nulls_last(getter), reverse=descending)
        return result

    return order


def _nulls_last(getter: Callable[[Issue], Any]) -> Callable[[Issue], tuple[bool, Any]]:
    def key(issue: Issue) -> tuple[bool, Any]:
        value = getter(issue)
        return (value is None, value if value is not None else 0)

    return key
