"""Validate issue field values sent in JSON and turn them into record values.

Every problem is collected per field, as Jira reports them in ``errors``; nothing is
changed unless all fields are valid.
"""

from __future__ import annotations

from typing import Any

from okrsync_sandbox import catalog
from okrsync_sandbox.model import Issue, Project
from okrsync_sandbox.state import SandboxState

NOT_ON_SCREEN = "Field '{field}' cannot be set. It is not on the appropriate screen, or unknown."
NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
NOT_NUMBER = "Operation value must be a number"
NOT_STRING = "Operation value must be a string"
NOT_PARENT = "Field 'parent' cannot be set. Only subtasks have a parent; use Epic Link."


def is_adf(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


def stored_wiki(text: str) -> str:
    """A wiki markup text as Jira Data Center stores it: one kind of line ending, spaces
    at the end of every line and of the whole text removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip()


def convert(
    state: SandboxState,
    project: Project,
    type_name: str,
    fields: dict[str, Any],
    errors: dict[str, str],
    *,
    issue: Issue | None = None,
    wiki: bool = False,
) -> dict[str, Any]:
    """Python values for ``fields`` on the screen of (project, type); fills ``errors``.

    ``wiki``: the request came through REST v2, which takes rich text as strings."""
    screen = project.screens.get(type_name, frozenset())
    values: dict[str, Any] = {}
    for field_id, raw in fields.items():
        definition = state.fields.get(field_id)
        if definition is None or field_id not in screen:
            errors[field_id] = NOT_ON_SCREEN.format(field=field_id)
            continue
        if field_id == "parent" and not state.is_cloud and type_name != catalog.SUBTASK.name:
            errors[field_id] = NOT_PARENT
            continue
        try:
            values[field_id] = _value(state, definition.kind, field_id, raw, issue, wiki)
        except ValueError as problem:
            errors[field_id] = str(problem)
    return values


def _value(
    state: SandboxState, kind: str, field_id: str, raw: Any, issue: Issue | None, wiki: bool
) -> Any:
    if field_id == "summary":
        if not isinstance(raw, str):
            raise ValueError(NOT_STRING)
        if not raw.strip():
            raise ValueError("You must specify a summary of the issue.")
        if len(raw) > 255:
            raise ValueError("Summary must be less than 255 characters.")
        return raw
    if field_id == "description":
        if wiki:
            if raw is not None and not isinstance(raw, str):
                raise ValueError(NOT_STRING)
            return raw
        if raw is not None and not is_adf(raw):
            raise ValueError(NOT_ADF)
        return raw
    if kind == "number":
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
            raise ValueError(NOT_NUMBER)
        return raw
    if kind == "labels":
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ValueError("Operation value must be a list of strings")
        for label in raw:
            if " " in label:
                raise ValueError(f"The label '{label}' contains spaces which is invalid.")
        return raw
    if kind == "user":
        if raw is None:
            return None
        account = raw.get("accountId") if isinstance(raw, dict) else None
        if account not in state.users:
            raise ValueError(f"Specify a valid value for {field_id}")
        return state.users[account]
    if field_id == "priority":
        wanted = (raw.get("id") or raw.get("name")) if isinstance(raw, dict) else None
        for p in state.priorities:
            if wanted in (p.id, p.name):
                return p
        raise ValueError("Specify the Priority (id or name) in the string format")
    if field_id == "parent":
        if raw is None:
            return None
        ref = (raw.get("key") or raw.get("id")) if isinstance(raw, dict) else None
        parent = state.issue(str(ref)) if ref is not None else None
        if parent is None:
            raise ValueError("Could not find issue by id or key.")
        if issue is not None and parent.id == issue.id:
            raise ValueError("An issue cannot be its own parent.")
        return parent
    if kind == "sprint":
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("Number value expected as the Sprint id.")
        sprint = state.sprints.get(raw)
        if sprint is None:
            raise ValueError(f"Sprint with id {raw} does not exist.")
        if sprint.state == "closed":
            raise ValueError("Issue can be assigned only active or future sprints.")
        return raw
    if kind == "epiclink":
        if raw is None:
            return None
        epic = state.issue(str(raw)) if isinstance(raw, str) else None
        if epic is None or epic.issuetype.name != catalog.EPIC.name:
            raise ValueError(f"Epic with key {raw} does not exist.")
        return epic
    raise ValueError(NOT_ON_SCREEN.format(field=field_id))


def apply_update_ops(issue: Issue, update: dict[str, Any], fields: dict[str, Any]) -> None:
    """Fold ``update`` operations (set/add/remove) into plain ``fields`` values."""
    for field_id, operations in update.items():
        if not isinstance(operations, list):
            fields[field_id] = operations
            continue
        current: Any = list(issue.labels) if field_id == "labels" else fields.get(field_id)
        for operation in operations:
            if not isinstance(operation, dict):
                continue
            if "set" in operation:
                current = operation["set"]
            elif "add" in operation and isinstance(current, list):
                current = [*current, operation["add"]]
            elif "remove" in operation and isinstance(current, list):
                current = [v for v in current if v != operation["remove"]]
        fields[field_id] = current
