"""Field changes and the changelog items Jira writes for them.

Each function changes the issue and returns the items of the history to record, in
Jira's conventions: ids in ``from``/``to`` and names in ``fromString``/``toString``;
number fields keep ``from``/``to`` null; sprints are ids joined with ``", "``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrsync_sandbox import catalog
from okrsync_sandbox.model import ChangeItem, Issue, Priority, Status, User

if TYPE_CHECKING:
    from okrsync_sandbox.state import SandboxState


def number_text(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def set_status(state: SandboxState, issue: Issue, status: Status, at: datetime) -> list[ChangeItem]:
    old = issue.status
    if old.id == status.id:
        return []
    items = [ChangeItem("status", "jira", "status", old.id, old.name, status.id, status.name)]
    issue.status = status
    if old.category.key != status.category.key:
        issue.status_changed = at
    entering_done = status.category.key == "done"
    if entering_done and issue.resolution is None:
        resolution = issue.project.done_resolution
        items.append(
            ChangeItem(
                "resolution", "jira", "resolution", None, None, resolution.id, resolution.name
            )
        )
        issue.resolution = resolution
    elif not entering_done and issue.resolution is not None:
        old_res = issue.resolution
        items.append(
            ChangeItem("resolution", "jira", "resolution", old_res.id, old_res.name, None, None)
        )
        issue.resolution = None
    # Jira stamps the resolution date on every transition into done, re-opens included.
    issue.resolutiondate = at if entering_done else None
    return items


def assign(state: SandboxState, issue: Issue, field_id: str, value: Any) -> list[ChangeItem]:
    """Set ``field_id`` to a Python-level value and return the changelog items."""
    definition = state.fields[field_id]
    kind = definition.kind
    if field_id == "summary":
        old_text, issue.summary = issue.summary, str(value)
        return _text_item("summary", old_text, issue.summary)
    if field_id == "description":
        old_desc, issue.description = issue.description, value
        if old_desc == value:
            return []
        return [
            ChangeItem(
                "description",
                "jira",
                "description",
                None,
                plain_text(old_desc),
                None,
                plain_text(value),
            )
        ]
    if field_id == "labels":
        old_labels, issue.labels = issue.labels, sorted(str(v) for v in (value or []))
        if old_labels == issue.labels:
            return []
        return [
            ChangeItem(
                "labels",
                "jira",
                "labels",
                None,
                " ".join(old_labels) or None,
                None,
                " ".join(issue.labels) or None,
            )
        ]
    if kind == "user":
        return _set_user(state, issue, field_id, value)
    if field_id == "priority":
        return _set_priority(state, issue, value)
    if field_id == "parent":
        return set_parent(state, issue, _issue_ref(state, value))
    if kind == "sprint":
        return set_sprints(state, issue, value)
    if kind == "epiclink":
        epic = _issue_ref(state, value)
        if not state.is_cloud:
            # On Data Center, Epic Link is the story's one link to its epic.
            state.reparent(issue, epic)
        return _set_epic_link(state, issue, epic)
    if kind == "number":
        old_num = issue.custom.get(field_id)
        new_num = None if value is None else float(value)
        issue.custom[field_id] = new_num
        if old_num == new_num:
            return []
        return [
            ChangeItem(
                definition.name,
                "custom",
                field_id,
                None,
                number_text(old_num),
                None,
                number_text(new_num),
            )
        ]
    raise ValueError(f"the sandbox cannot set field {field_id!r}")


def set_parent(state: SandboxState, issue: Issue, parent: Issue | None) -> list[ChangeItem]:
    old = issue.parent
    if (old.id if old else None) == (parent.id if parent else None):
        return []
    state.reparent(issue, parent)
    if not state.is_cloud and not issue.issuetype.subtask:
        # Data Center has no parent above subtasks: the move is an Epic Link change.
        return _set_epic_link(state, issue, parent)
    # Cloud keeps the Epic Link value in step with an epic parent, without a changelog item.
    if issue.issuetype.hierarchy_level == 0 and catalog.EPIC_LINK in _screen(issue):
        is_epic = parent is not None and parent.issuetype.hierarchy_level == 1
        issue.custom[catalog.EPIC_LINK] = parent.key if is_epic and parent else None
    return [
        ChangeItem(
            "IssueParentAssociation",
            "jira",
            "parent",
            str(old.id) if old else None,
            old.key if old else None,
            str(parent.id) if parent else None,
            parent.key if parent else None,
        )
    ]


def _set_epic_link(state: SandboxState, issue: Issue, epic: Issue | None) -> list[ChangeItem]:
    old_key = issue.custom.get(catalog.EPIC_LINK)
    new_key = epic.key if epic else None
    issue.custom[catalog.EPIC_LINK] = new_key
    if old_key == new_key:
        return []
    old_epic = state.issue(old_key) if old_key else None
    return [
        ChangeItem(
            "Epic Link",
            "custom",
            catalog.EPIC_LINK,
            str(old_epic.id) if old_epic else None,
            old_key,
            str(epic.id) if epic else None,
            new_key,
        )
    ]


def set_sprints(state: SandboxState, issue: Issue, value: Any) -> list[ChangeItem]:
    """A list sets the sprints exactly; one id moves the issue like Jira does.

    Moving keeps the closed sprints the issue was in (they are history) and replaces
    its open sprint; ``None`` takes it out of its open sprint.
    """
    old: list[int] = list(issue.custom.get(catalog.SPRINT) or [])
    if isinstance(value, list | tuple):
        new = sorted({int(v) for v in value})
    else:
        closed = [s for s in old if state.sprints[s].state == "closed"]
        new = sorted(set(closed) | ({int(value)} if value is not None else set()))
    issue.custom[catalog.SPRINT] = new or None
    if old == new:
        return []

    def names(ids: list[int]) -> str | None:
        return ", ".join(state.sprints[i].name for i in ids) or None

    def joined(ids: list[int]) -> str | None:
        return ", ".join(str(i) for i in ids) or None

    return [
        ChangeItem(
            "Sprint", "custom", catalog.SPRINT, joined(old), names(old), joined(new), names(new)
        )
    ]


def _set_user(state: SandboxState, issue: Issue, field_id: str, value: Any) -> list[ChangeItem]:
    user = value if value is None or isinstance(value, User) else state.users[str(value)]
    old: User | None = getattr(issue, field_id)
    setattr(issue, field_id, user)
    if (old.account_id if old else None) == (user.account_id if user else None):
        return []
    return [
        ChangeItem(
            field_id,
            "jira",
            field_id,
            old.account_id if old else None,
            old.display_name if old else None,
            user.account_id if user else None,
            user.display_name if user else None,
        )
    ]


def _set_priority(state: SandboxState, issue: Issue, value: Any) -> list[ChangeItem]:
    if isinstance(value, Priority):
        new = value
    else:
        new = next(p for p in state.priorities if str(value) in (p.id, p.name))
    old = issue.priority
    issue.priority = new
    if old is not None and old.id == new.id:
        return []
    return [
        ChangeItem(
            "priority",
            "jira",
            "priority",
            old.id if old else None,
            old.name if old else None,
            new.id,
            new.name,
        )
    ]


def _text_item(field_id: str, old: str, new: str) -> list[ChangeItem]:
    if old == new:
        return []
    return [ChangeItem(field_id, "jira", field_id, None, old, None, new)]


def _issue_ref(state: SandboxState, value: Any) -> Issue | None:
    if value is None or isinstance(value, Issue):
        return value
    return state.get(str(value))


def _screen(issue: Issue) -> frozenset[str]:
    return issue.project.screens.get(issue.issuetype.name, frozenset())


def plain_text(doc: Any) -> str | None:
    """The text of an ADF document (changelogs show descriptions as text)."""
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                parts.append(str(node.get("text", "")))
            for child in node.get("content", []) or []:
                walk(child)

    walk(doc)
    return "".join(parts)
