"""Sandbox records in Jira's JSON shapes: Cloud's, or Data Center's (see ``dialect``).

Timestamps are shown the way Jira shows them to the calling user: in the user's time
zone with a colon-less offset (``2027-01-05T10:00:00.000+0100``). Agile sprint dates
use ISO 8601 in UTC (``2027-01-05T09:00:00.000Z``) as the Agile API does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property, partial
from typing import Any
from zoneinfo import ZoneInfo

from okrsync_sandbox import catalog, dialect
from okrsync_sandbox.model import (
    Comment,
    FieldDef,
    History,
    Issue,
    IssueType,
    Priority,
    Project,
    Resolution,
    Sprint,
    Status,
    StatusCategory,
    User,
)
from okrsync_sandbox.richtext import as_adf, as_wiki
from okrsync_sandbox.state import SandboxState

_MISSING = object()
INLINE_CHANGELOG_LIMIT = 40  # what expand=changelog returns on Cloud
ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
_SYSTEM_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "project",
    "created",
    "updated",
    "resolutiondate",
    "resolution",
    "priority",
    "labels",
    "assignee",
    "reporter",
    "description",
    "comment",
    "subtasks",
    "statuscategorychangedate",
)


@dataclass
class View:
    """Who is looking, and from where: self links and time zones depend on it.

    A view lives for one request, during which the site does not change (handlers hold
    ``state.lock``), so what every issue of a page shares (its status, project, parent)
    is rendered once per view and the same object reused."""

    base: str
    viewer: User
    state: SandboxState
    version: int = 3  # the REST API version asked for: 2 shows rich text as strings
    _shared: dict[tuple[str, object], Any] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.viewer.time_zone)

    def shared(self, kind: str, ident: object, build: Callable[[], Any]) -> Any:
        """``build()``'s result, built once per view for each (kind, ident)."""
        key = (kind, ident)
        found = self._shared.get(key, _MISSING)
        if found is _MISSING:
            found = self._shared[key] = build()
        return found

    @cached_property
    def custom_fields(self) -> list[FieldDef]:
        return [f for f in self.state.fields.values() if f.custom]

    @property
    def cloud(self) -> bool:
        return self.state.is_cloud

    def text(self, body: Any) -> Any:
        """A rich text body (description, comment) in this API version's form."""
        return as_wiki(body) if self.version == 2 else as_adf(body)

    def api(self, path: str) -> str:
        return f"{self.base}/rest/api/{self.version}/{path}"


def timestamp(moment: datetime | None, tz: ZoneInfo) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(tz)
    # isoformat is several times faster than strftime; only the offset's colon differs
    # ("+01:00" there, "+0100" in Jira), unless the offset has seconds (old LMT zones).
    text = local.isoformat(timespec="milliseconds")
    if text[-3] == ":" and text[-6] in "+-":
        return text[:-3] + text[-2:]
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + local.strftime("%z")
    )


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def avatars(kind: str, ident: str) -> dict[str, str]:
    base = f"https://avatars.example.invalid/{kind}/{ident}"
    return {f"{n}x{n}": f"{base}?size={n}" for n in (48, 24, 16, 32)}


def user(u: User | None, view: View) -> dict[str, Any] | None:
    if u is None:
        return None
    if not view.cloud:
        # Data Center identifies people by user name and key; it has no account ids.
        return {
            "self": view.api(f"user?username={u.username}"),
            "name": u.username,
            "key": u.username,
            "emailAddress": u.email,
            "avatarUrls": avatars("user", u.username),
            "displayName": u.display_name,
            "active": u.active,
            "timeZone": u.time_zone,
        }
    return {
        "self": view.api(f"user?accountId={u.account_id}"),
        "accountId": u.account_id,
        "emailAddress": u.email,
        "avatarUrls": avatars("user", u.account_id),
        "displayName": u.display_name,
        "active": u.active,
        "timeZone": u.time_zone,
        "accountType": "atlassian",
    }


def myself(u: User, view: View) -> dict[str, Any]:
    body = user(u, view) or {}
    body.update(
        {
            "locale": u.locale,
            "groups": {"size": 1, "items": []},
            "applicationRoles": {"size": 1, "items": []},
            "expand": "groups,applicationRoles",
        }
    )
    return body


def category(c: StatusCategory, view: View) -> dict[str, Any]:
    return {
        "self": view.api(f"statuscategory/{c.id}"),
        "id": c.id,
        "key": c.key,
        "colorName": c.color,
        "name": c.name,
    }


def status(s: Status, view: View) -> dict[str, Any]:
    return {
        "self": view.api(f"status/{s.id}"),
        "description": s.description,
        "iconUrl": f"{view.base}/images/icons/statuses/generic.png",
        "name": s.name,
        "id": s.id,
        "statusCategory": category(s.category, view),
    }


def issuetype(t: IssueType, view: View) -> dict[str, Any]:
    return {
        "self": view.api(f"issuetype/{t.id}"),
        "id": t.id,
        "description": t.description,
        "iconUrl": f"{view.base}/images/icons/issuetypes/{t.name.lower().replace(' ', '')}.svg",
        "name": t.name,
        "subtask": t.subtask,
        "avatarId": 10300 + int(t.id) % 100,
        "hierarchyLevel": t.hierarchy_level,
    }


def project_ref(p: Project, view: View) -> dict[str, Any]:
    return {
        "self": view.api(f"project/{p.id}"),
        "id": p.id,
        "key": p.key,
        "name": p.name,
        "projectTypeKey": "software",
        "simplified": False,
        "avatarUrls": avatars("project", p.id),
    }


def project_full(p: Project, view: View) -> dict[str, Any]:
    body = project_ref(p, view)
    body.update(
        {
            "description": "",
            "lead": user(p.lead, view),
            "components": [],
            "issueTypes": [issuetype(t, view) for t in p.issue_types],
            "assigneeType": "UNASSIGNED",
            "versions": [],
            "roles": {},
            "style": "classic",
            "isPrivate": False,
            "properties": {},
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        }
    )
    return body


def priority(p: Priority | None, view: View) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "self": view.api(f"priority/{p.id}"),
        "iconUrl": f"{view.base}/images/icons/priorities/{p.name.lower()}.svg",
        "name": p.name,
        "id": p.id,
    }


def resolution(r: Resolution | None, view: View) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "self": view.api(f"resolution/{r.id}"),
        "id": r.id,
        "description": r.description,
        "name": r.name,
    }


def sprint_field(s: Sprint) -> dict[str, Any]:
    """A sprint as the Sprint custom field holds it on Cloud."""
    body: dict[str, Any] = {"id": s.id, "name": s.name, "state": s.state, "boardId": s.board_id}
    body["goal"] = s.goal
    for name, moment in (("startDate", s.start), ("endDate", s.end), ("completeDate", s.complete)):
        if moment is not None:
            body[name] = iso_utc(moment)
    return body


def sprint(s: Sprint, base: str) -> dict[str, Any]:
    """A sprint as the Agile API returns it."""
    body: dict[str, Any] = {
        "id": s.id,
        "self": f"{base}/rest/agile/1.0/sprint/{s.id}",
        "state": s.state,
        "name": s.name,
    }
    for name, moment in (("startDate", s.start), ("endDate", s.end), ("completeDate", s.complete)):
        if moment is not None:
            body[name] = iso_utc(moment)
    body["originBoardId"] = s.board_id
    body["goal"] = s.goal
    return body


def history(h: History, view: View) -> dict[str, Any]:
    # Only Cloud names the field's id in changelog items; Data Center gives its name.
    with_ids = view.cloud
    items = []
    for i in h.items:
        item: dict[str, Any] = {"field": i.field, "fieldtype": i.fieldtype}
        if i.field_id and with_ids:
            item["fieldId"] = i.field_id
        item["from"] = i.from_
        item["fromString"] = i.from_string
        item["to"] = i.to
        item["toString"] = i.to_string
        items.append(item)
    return {
        "id": str(h.id),
        "author": _user(h.author, view),
        "created": timestamp(h.created, view.tz),
        "items": items,
    }


def comment(c: Comment, issue: Issue, view: View) -> dict[str, Any]:
    body = {
        "self": view.api(f"issue/{issue.id}/comment/{c.id}"),
        "id": str(c.id),
        "author": _user(c.author, view),
        "body": view.text(c.body),
        "updateAuthor": _user(c.update_author, view),
        "created": timestamp(c.created, view.tz),
        "updated": timestamp(c.updated, view.tz),
    }
    if view.cloud:
        body["jsdPublic"] = True
    return body


def field_details(f: FieldDef) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f.id,
        "key": f.id,
        "name": f.name,
        "custom": f.custom,
        "orderable": f.orderable,
        "navigable": f.navigable,
        "searchable": f.searchable,
        "clauseNames": list(f.clause_names),
    }
    if f.schema:
        body["schema"] = dict(f.schema)
    return body


# --- issues -------------------------------------------------------------------------------


def issue_field_ids(issue: Issue, state: SandboxState) -> list[str]:
    """Fields an issue carries: the system ones, parent if set, custom fields in context."""
    ids = list(_SYSTEM_FIELDS)
    if _has_parent_field(issue, state):
        ids.append("parent")
    screen = issue.project.screens.get(issue.issuetype.name, frozenset())
    ids.extend(
        f.id
        for f in state.fields.values()
        if f.custom and (f.id in screen or issue.custom.get(f.id) is not None)
    )
    return ids


def _has_parent_field(issue: Issue, state: SandboxState) -> bool:
    # On Data Center only subtasks have a parent; a story names its epic in Epic Link.
    return issue.parent is not None and (state.is_cloud or issue.issuetype.subtask)


def select_fields(requested: list[str], issue: Issue, state: SandboxState) -> list[str]:
    """Apply a resolved field request (see ``FieldRequest``) to one issue."""
    present = issue_field_ids(issue, state)
    return [f for f in present if f in requested]


def _chosen_fields(requested: Collection[str], issue: Issue, view: View) -> list[str]:
    """``select_fields`` for one issue of a page: the same fields in the same order,
    without listing every field the issue carries first."""
    chosen = [f for f in _SYSTEM_FIELDS if f in requested]
    if "parent" in requested and _has_parent_field(issue, view.state):
        chosen.append("parent")
    screen = issue.project.screens.get(issue.issuetype.name, frozenset())
    custom = issue.custom
    chosen.extend(
        f.id
        for f in view.custom_fields
        if f.id in requested and (f.id in screen or custom.get(f.id) is not None)
    )
    return chosen


def ref(issue: Issue, view: View) -> dict[str, Any]:
    """The short form used for ``parent`` and ``subtasks``."""
    return {
        "id": str(issue.id),
        "key": issue.key,
        "self": view.api(f"issue/{issue.id}"),
        "fields": {
            "summary": issue.summary,
            "status": _status(issue.status, view),
            "priority": _priority(issue.priority, view),
            "issuetype": _issuetype(issue.issuetype, view),
        },
    }


# What every issue of a page may share, rendered once per view (see ``View.shared``).


def _status(s: Status, view: View) -> dict[str, Any]:
    found: dict[str, Any] = view.shared("status", s.id, lambda: status(s, view))
    return found


def _issuetype(t: IssueType, view: View) -> dict[str, Any]:
    found: dict[str, Any] = view.shared("issuetype", t.id, lambda: issuetype(t, view))
    return found


def _priority(p: Priority | None, view: View) -> dict[str, Any] | None:
    if p is None:
        return None
    found: dict[str, Any] = view.shared("priority", p.id, lambda: priority(p, view))
    return found


def _user(u: User | None, view: View) -> dict[str, Any] | None:
    if u is None:
        return None
    found: dict[str, Any] = view.shared("user", u.account_id, lambda: user(u, view))
    return found


def _parent(issue: Issue, view: View) -> dict[str, Any] | None:
    parent = issue.parent
    if parent is None:
        return None
    found: dict[str, Any] = view.shared("ref", parent.id, lambda: ref(parent, view))
    return found


def _comments(issue: Issue, view: View) -> dict[str, Any]:
    return {
        "comments": [comment(c, issue, view) for c in issue.comments],
        "self": view.api(f"issue/{issue.id}/comment"),
        "maxResults": len(issue.comments),
        "total": len(issue.comments),
        "startAt": 0,
    }


_FIELD_VALUES: dict[str, Callable[[Issue, View], Any]] = {
    "summary": lambda issue, view: issue.summary,
    "status": lambda issue, view: _status(issue.status, view),
    "issuetype": lambda issue, view: _issuetype(issue.issuetype, view),
    "project": lambda issue, view: view.shared(
        "project", issue.project.id, lambda: project_ref(issue.project, view)
    ),
    "created": lambda issue, view: timestamp(issue.created, view.tz),
    "updated": lambda issue, view: timestamp(issue.updated, view.tz),
    "resolutiondate": lambda issue, view: timestamp(issue.resolutiondate, view.tz),
    "statuscategorychangedate": lambda issue, view: timestamp(issue.status_changed, view.tz),
    "resolution": lambda issue, view: resolution(issue.resolution, view),
    "priority": lambda issue, view: _priority(issue.priority, view),
    "labels": lambda issue, view: list(issue.labels),
    "assignee": lambda issue, view: _user(issue.assignee, view),
    "reporter": lambda issue, view: _user(issue.reporter, view),
    "description": lambda issue, view: view.text(issue.description),
    "parent": _parent,
    "subtasks": lambda issue, view: [
        ref(c, view) for c in view.state.children.get(issue.id, []) if c.issuetype.subtask
    ],
    "comment": _comments,
}


def _sprints_value(issue: Issue, view: View) -> Any:
    value = issue.custom.get(catalog.SPRINT)
    if not value:
        return None
    sprints = [view.state.sprints[s] for s in value]
    if not view.cloud:
        return [view.shared("sprint-text", s.id, partial(dialect.sprint_text, s)) for s in sprints]
    return [view.shared("sprint", s.id, partial(sprint_field, s)) for s in sprints]


@cache
def field_renderer(field_id: str) -> Callable[[Issue, View], Any]:
    """What renders one field's value of an issue. Found once per field id: a page of
    100 issues with a dozen fields would otherwise look it up 1,200 times."""
    system = _FIELD_VALUES.get(field_id)
    if system is not None:
        return system
    if field_id == catalog.SPRINT:
        return _sprints_value
    return lambda issue, view: issue.custom.get(field_id)


def inline_changelog(issue: Issue, view: View) -> dict[str, Any]:
    """Cloud's truncated changelog: the 40 most recent histories, newest first.

    Data Center has no other way to read history, and gives all of it, oldest first."""
    if not view.cloud:
        every = issue.histories
        return {
            "startAt": 0,
            "maxResults": len(every),
            "total": len(every),
            "histories": [history(h, view) for h in every],
        }
    newest = list(reversed(issue.histories))[:INLINE_CHANGELOG_LIMIT]
    return {
        "startAt": 0,
        "maxResults": len(newest),
        "total": len(issue.histories),
        "histories": [history(h, view) for h in newest],
    }


def issue(
    item: Issue,
    view: View,
    *,
    fields: list[str] | None,
    expand: Collection[str] = (),
    properties: Sequence[str] = (),
) -> dict[str, Any]:
    """An IssueBean; ``fields=None`` gives Cloud's id-only form."""
    if not fields and not expand and not properties:
        # Ids or keys only: what a search for members asks, thousands of issues a page.
        if fields is None:
            return {"id": str(item.id)}
        return {
            "expand": ISSUE_EXPAND,
            "id": str(item.id),
            "self": view.api(f"issue/{item.id}"),
            "key": item.key,
            "fields": {},
        }
    state = view.state
    chosen = _chosen_fields(frozenset(fields or ()), item, view)
    body: dict[str, Any] = {
        "expand": ISSUE_EXPAND,
        "id": str(item.id),
        "self": view.api(f"issue/{item.id}"),
        "key": item.key,
    }
    if "renderedfields" in expand:
        body["renderedFields"] = {}
    if "names" in expand:
        body["names"] = {f: state.fields[f].name for f in chosen}
    if "schema" in expand:
        body["schema"] = {f: state.fields[f].schema for f in chosen if state.fields[f].schema}
    if "transitions" in expand:
        body["transitions"] = transitions(item, view)
    if "editmeta" in expand:
        body["editmeta"] = editmeta(item, view)
    if properties:
        body["properties"] = {k: item.properties[k] for k in properties if k in item.properties}
    body["fields"] = {f: field_renderer(f)(item, view) for f in chosen}
    if "changelog" in expand:
        body["changelog"] = inline_changelog(item, view)
    return body


def transitions(item: Issue, view: View) -> list[dict[str, Any]]:
    """Every status of the workflow is reachable (a simplified, all-to-all workflow)."""
    return [
        {
            "id": transition_id(item.project, s),
            "name": s.name,
            "to": status(s, view),
            "hasScreen": False,
            "isGlobal": True,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "looped": False,
        }
        for s in item.project.workflow
        if s.id != item.status.id
    ]


def transition_id(project: Project, target: Status) -> str:
    return str(11 + 10 * project.workflow.index(target))


def editmeta(item: Issue, view: View) -> dict[str, Any]:
    screen = item.project.screens.get(item.issuetype.name, frozenset())
    state = view.state
    return {
        "fields": {
            f: {
                "required": f == "summary",
                "schema": state.fields[f].schema,
                "name": state.fields[f].name,
                "key": f,
                "operations": ["set"],
            }
            for f in state.fields
            if f in screen
        }
    }
