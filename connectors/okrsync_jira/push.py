"""Writing KR results back into Jira: a number field, one comment, an entity property,
and the KR issue itself.

``read_target`` tells what Jira holds now, in the form ``write_target`` takes, and never
writes. ``write_target`` is idempotent: repeating it leaves Jira as one call would.
Everything okrsync needs to find its own writes again lives in Jira itself (the
comment's marker, the created issue's entity property), so a lost store never causes a
second comment or a second issue.

A POST that got no answer (the connection dropped, a gateway timed out) may still have
been carried out. It is never sent again blindly: okrsync looks for what it would have
made, adopts it when it is there, and otherwise reports the failure, so that the next
run, which looks first too, makes it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any

from okrsync.connector import PushTarget, WriteReceipt
from okrsync.errors import (
    ConfigError,
    ConnectionFailed,
    FieldNotFound,
    NotFound,
    PermissionDenied,
    ProtocolError,
    ServerError,
    SourceConfigError,
)
from okrsync_jira import adf
from okrsync_jira.client import JiraClient
from okrsync_jira.comment import (
    CLOUD,
    DATA_CENTER,
    CommentFormat,
    find_owned,
    read_comment,
    write_comment,
)
from okrsync_jira.fields import FieldCatalog, JiraField
from okrsync_jira.search import dc_search

__all__ = [
    "CREATED_PROPERTY",
    "PROPERTY_KEY",
    "PROPERTY_LIMIT",
    "created_label",
    "created_mark",
    "fit_property",
    "read_target",
    "write_target",
]

PROPERTY_KEY = "okrsync"
# An issue key (project key, a dash, a number) or a numeric issue id.
_ISSUE_REF = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$")
# Failures after which a write may or may not have been carried out.
_UNANSWERED = (ConnectionFailed, ServerError)
# Jira refuses entity property values longer than 32,768 characters; bytes are counted
# so that non-ASCII text never tips a value over the limit.
PROPERTY_LIMIT = 32_768


# The entity property okrsync sets on the issue it creates for a KR, in the create
# request itself. A label is text anyone can type on any issue; a property is never
# typed in Jira's screens, only set through its REST API, so it is what proves the
# issue is okrsync's. (Not the result's ``okrsync`` property: a ``property`` push
# rewrites that one.)
CREATED_PROPERTY = "okrsync-kr"
# How many labelled issues are checked for the property: more than any site holds
# unless someone copies the label around.
_CANDIDATES = 50


def created_label(kr_id: str) -> str:
    """The label on the issue okrsync created for a KR: it finds the candidates (Jira
    cannot search properties that no app indexes); ``created_mark`` decides."""
    return f"okrsync-kr-{kr_id}"


def created_mark(kr_id: str) -> dict[str, Any]:
    """The value of ``CREATED_PROPERTY`` on the issue okrsync created for a KR."""
    return {"kr": kr_id, "created": True}


def comment_format(client: JiraClient) -> CommentFormat:
    return CLOUD if client.is_cloud else DATA_CENTER


async def read_target(client: JiraClient, catalog: FieldCatalog, target: PushTarget) -> Any:
    """What Jira holds at ``target`` now: ``field`` a float or None, ``comment`` the
    okrsync comment's text or None, ``property`` its JSON or None, ``create`` the key of
    the issue okrsync created for the KR or None."""
    _check_issue(target)
    if target.what == "create":
        return await _find_created(client, target)
    if target.issue is None:
        return None  # the KR's issue does not exist yet, so it holds nothing
    if target.what == "field":
        return await _read_field(client, catalog, target, target.issue)
    if target.what == "comment":
        return await read_comment(client, comment_format(client), target.issue, target.kr_id)
    return await _read_property(client, target.issue)


async def write_target(
    client: JiraClient, catalog: FieldCatalog, target: PushTarget, value: Any
) -> WriteReceipt:
    """Make Jira hold ``value`` at ``target``."""
    _check_issue(target)
    if target.what == "create":
        return await _create(client, target, value)
    if target.issue is None:
        raise ConfigError(
            f"KR {target.kr_id!r} has no Jira issue to push its {target.describe()} to; "
            "give the push an `issue:` or a `create:`"
        )
    if target.what == "field":
        return await _write_field(client, catalog, target, target.issue, value)
    if target.what == "comment":
        text = value if isinstance(value, str) else str(value)
        return await _write_comment(client, target.issue, target.kr_id, text)
    return await _write_property(client, target.issue, value)


def _check_issue(target: PushTarget) -> None:
    """The issue is a key or an id: anything else would not name an issue, and could
    even steer the request to another path (``OKR-1/properties/x``)."""
    if target.issue is not None and not _ISSUE_REF.match(target.issue):
        raise SourceConfigError(
            f"KR {target.kr_id!r} pushes to issue {target.issue!r}, which is not a Jira "
            "issue key such as OKR-12 (nor an issue id such as 10042)",
            source=target.to,
        )


def _api(client: JiraClient) -> str:
    return comment_format(client).api_root


# --- field -----------------------------------------------------------------------------


def _number_field(catalog: FieldCatalog, target: PushTarget, source: str) -> JiraField:
    wanted = (target.field or "").strip()
    found = catalog.find(wanted) if wanted else None
    if found is None:
        raise FieldNotFound(_unknown_field_message(catalog, wanted), source=source)
    if not found.is_number:
        kind = found.schema_type or "non-number"
        raise FieldNotFound(
            f"field {found.name!r} ({found.id}) is a {kind} field, but okrsync writes "
            f"numbers: choose a number field for KR {target.kr_id!r}",
            source=source,
        )
    return found


def _unknown_field_message(catalog: FieldCatalog, wanted: str) -> str:
    by_name: dict[str, JiraField] = {}
    for field in catalog.fields:
        by_name.setdefault(field.name.lower(), field)
    close = difflib.get_close_matches(wanted.lower(), list(by_name), n=5, cutoff=0.6)
    # Prefer number fields: only they can take a KR's progress.
    close.sort(key=lambda name: not by_name[name].is_number)
    if close:
        listed = ", ".join(f"{by_name[n].name!r} ({by_name[n].id})" for n in close)
        return f"Jira has no field named {wanted!r}; similar fields: {listed}"
    numbers = [f for f in catalog.fields if f.is_number][:5]
    if numbers:
        listed = ", ".join(f"{f.name!r} ({f.id})" for f in numbers)
        return f"Jira has no field named {wanted!r}; number fields on this site include {listed}"
    return f"Jira has no field named {wanted!r}, and no number field; ask an admin to add one"


def _not_settable(field: JiraField, issue: str, source: str) -> FieldNotFound:
    return FieldNotFound(
        f"field {field.name!r} ({field.id}) cannot be set on {issue}: add it to the "
        "issue's edit screen, or choose another field",
        source=source,
        status=400,
    )


def _check_editable(data: Mapping[str, Any], field: JiraField, issue: str, source: str) -> None:
    """Fail during planning, before anything is written, when the field cannot be set
    on the issue (Jira's edit metadata lists only what PUT /issue may set)."""
    editmeta = data.get("editmeta")
    if not isinstance(editmeta, Mapping) or not isinstance(editmeta.get("fields"), Mapping):
        return  # no edit metadata in the answer: the write itself will tell
    editable = editmeta["fields"]
    if not editable:
        raise PermissionDenied(
            f"the Jira account may not edit {issue}: grant it the Edit issues permission "
            "in the issue's project, or use another account",
            source=source,
        )
    if field.id not in editable:
        raise _not_settable(field, issue, source)


async def _read_field(
    client: JiraClient, catalog: FieldCatalog, target: PushTarget, issue: str
) -> float | None:
    field = _number_field(catalog, target, client.source)
    data = await client.get(
        f"{_api(client)}/issue/{issue}", params={"fields": field.id, "expand": "editmeta"}
    )
    fields = data.get("fields") if isinstance(data, Mapping) else None
    if not isinstance(fields, Mapping):
        raise ProtocolError(f"Jira answered issue {issue} without fields", source=client.source)
    _check_editable(data, field, issue, client.source)
    value = fields.get(field.id)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(
            f"field {field.name!r} ({field.id}) of {issue} holds {type(value).__name__} "
            "instead of a number",
            source=client.source,
        )
    return float(value)


async def _write_field(
    client: JiraClient, catalog: FieldCatalog, target: PushTarget, issue: str, value: Any
) -> WriteReceipt:
    field = _number_field(catalog, target, client.source)
    try:
        await client.put(f"{_api(client)}/issue/{issue}", {"fields": {field.id: value}})
    except SourceConfigError as error:
        # The body names one field only, so a 400 means that field cannot be set here
        # (Jira: "not on the appropriate screen, or unknown").
        if error.status != 400:
            raise
        raise _not_settable(field, issue, client.source) from error
    return WriteReceipt(issue=issue, ref=field.id)


# --- comment ---------------------------------------------------------------------------


async def _write_comment(client: JiraClient, issue: str, kr_id: str, text: str) -> WriteReceipt:
    fmt = comment_format(client)
    try:
        return await write_comment(client, fmt, issue, kr_id, text)
    except _UNANSWERED:
        # The comment may have been added before the answer was lost. Jira lists
        # comments from its database, not a search index, so such a comment shows now:
        # then the write is finished by editing it, if need be. Otherwise the failure
        # stands, and the next run, which reads the comments first, adds it.
        if not await find_owned(client, fmt, issue, kr_id):
            raise
        return await write_comment(client, fmt, issue, kr_id, text)


# --- property --------------------------------------------------------------------------


async def _read_property(client: JiraClient, issue: str) -> Any:
    try:
        data = await client.get(f"{_api(client)}/issue/{issue}/properties/{PROPERTY_KEY}")
    except NotFound:
        return None
    if not isinstance(data, Mapping) or "value" not in data:
        raise ProtocolError(
            f"Jira answered property {PROPERTY_KEY!r} of {issue} without a value",
            source=client.source,
        )
    return data["value"]


async def _write_property(client: JiraClient, issue: str, value: Any) -> WriteReceipt:
    await client.put(f"{_api(client)}/issue/{issue}/properties/{PROPERTY_KEY}", fit_property(value))
    return WriteReceipt(issue=issue, ref=PROPERTY_KEY)


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


Path = tuple[str, ...]


def _lists(node: Any, path: Path = ()) -> list[Path]:
    """Paths of the lists inside nested objects (lists themselves are not entered)."""
    if isinstance(node, list):
        return [path]
    if isinstance(node, Mapping):
        return [p for key, child in node.items() for p in _lists(child, (*path, str(key)))]
    return []


def _cap(value: Mapping[str, Any], paths: list[Path], keep: int) -> tuple[Any, dict[str, Any]]:
    # Copies only the objects on the way to each list; the rest is shared, not mutated.
    capped = dict(value)
    trimmed: dict[str, Any] = {}
    for path in paths:
        parent = capped
        for key in path[:-1]:
            parent[key] = dict(parent[key])
            parent = parent[key]
        items = parent[path[-1]]
        if len(items) > keep:
            parent[path[-1]] = items[:keep]
            trimmed[".".join(path)] = {"kept": keep, "total": len(items)}
    return capped, trimmed


def _capped(value: Any, paths: list[Path], keep: int, limit: int) -> Any:
    capped, trimmed = _cap(value, paths, keep)
    capped["truncated"] = {
        "reason": f"lists trimmed to fit Jira's {limit // 1024} KB limit for entity properties",
        "lists": trimmed,
    }
    return capped


def _fits(value: Any, paths: list[Path], keep: int, limit: int) -> bool:
    return _size(_capped(value, paths, keep, limit)) <= limit


def fit_property(value: Any, limit: int = PROPERTY_LIMIT) -> Any:
    """``value`` if it fits Jira's property limit; else a copy with the evidence lists
    (then, if need be, every list) trimmed as little as possible, saying so under
    ``truncated``. The same input always gives the same output."""
    if _size(value) <= limit:
        return value
    if not isinstance(value, Mapping):
        return {"truncated": {"reason": "the value was too large for a Jira entity property"}}
    value = dict(value)
    evidence = [p for p in _lists(value) if p[0] == "evidence"]
    for paths in (evidence, _lists(value)):
        if not paths or not _fits(value, paths, 0, limit):
            continue
        # The largest per-list length that fits, by bisection: ``low`` always fits.
        low, high = 0, max(len(_get(value, p)) for p in paths)
        while low < high:
            middle = (low + high + 1) // 2
            if _fits(value, paths, middle, limit):
                low = middle
            else:
                high = middle - 1
        return _capped(value, paths, low, limit)
    # Still too big without any list item: keep the scalars that fit, in order.
    kept: dict[str, Any] = {
        "truncated": {"reason": "the full result was too large for a Jira entity property"}
    }
    for key, item in value.items():
        if not isinstance(item, list | Mapping) and _size({**kept, key: item}) <= limit:
            kept[key] = item
    return kept


def _get(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


# --- create ----------------------------------------------------------------------------


def _create_spec(target: PushTarget) -> tuple[str, str]:
    spec = target.create or {}
    project, issue_type = spec.get("project"), spec.get("type")
    if not project or not issue_type:
        raise ConfigError(
            f"KR {target.kr_id!r}: `create:` needs both `project` and `type` "
            "(e.g. {project: OKR, type: Key Result})"
        )
    return str(project), str(issue_type)


def jql_string(text: str) -> str:
    """A JQL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _find_created(client: JiraClient, target: PushTarget) -> str | None:
    project, _ = _create_spec(target)
    jql = (
        f"project = {jql_string(project)} AND labels = {jql_string(created_label(target.kr_id))}"
        " ORDER BY created ASC"
    )
    body = {"jql": jql, "fields": ["key"], "maxResults": _CANDIDATES}
    if client.is_cloud:
        page = await client.post("/rest/api/3/search/jql", body, query=True, idempotent=True)
    else:
        page = await dc_search(client, body)
    issues = page.get("issues") if isinstance(page, Mapping) else None
    if not isinstance(issues, list):
        raise ProtocolError("Jira's search answered without issues", source=client.source)
    for issue in issues:
        key = str(issue["key"])
        if await _is_marked(client, key, target.kr_id):
            return key
    if target.issue is not None:
        # Known from the store but unlabelled (someone removed the label): it still
        # counts as created as long as it exists.
        try:
            await client.get(f"{_api(client)}/issue/{target.issue}", params={"fields": "key"})
        except NotFound:
            return None
        return target.issue
    return None


async def _is_marked(client: JiraClient, issue: str, kr_id: str) -> bool:
    """Whether okrsync created ``issue`` for the KR: it carries okrsync's mark."""
    try:
        data = await client.get(f"{_api(client)}/issue/{issue}/properties/{CREATED_PROPERTY}")
    except NotFound:
        return False  # labelled by a person, or by hand: not okrsync's
    return isinstance(data, Mapping) and data.get("value") == created_mark(kr_id)


def _reference(value: str) -> dict[str, str]:
    # Jira accepts either; digits alone are an id (project keys start with a letter).
    return {"id": value} if value.isdigit() else {"key": value}


async def _create(client: JiraClient, target: PushTarget, value: Any) -> WriteReceipt:
    existing = await _find_created(client, target)
    if existing is not None:
        return WriteReceipt(issue=existing)
    project, issue_type = _create_spec(target)
    spec = value if isinstance(value, Mapping) else {"summary": str(value)}
    fields: dict[str, Any] = {
        "project": _reference(project),
        "issuetype": {"id": issue_type} if issue_type.isdigit() else {"name": issue_type},
        "summary": str(spec.get("summary") or f"KR {target.kr_id}"),
        "labels": [created_label(target.kr_id)],
    }
    if description := spec.get("description"):
        text = str(description)
        fields["description"] = adf.from_text(text) if client.is_cloud else text
    path = f"{_api(client)}/issue"
    try:
        properties = [{"key": CREATED_PROPERTY, "value": created_mark(target.kr_id)}]
        created = await client.post(path, {"fields": fields, "properties": properties})
    except _UNANSWERED:
        # Jira may have created the issue before the answer was lost: its mark tells.
        # Not found (or not indexed yet), it is not created again here; the next run
        # looks for it first too.
        found = await _find_created(client, target)
        if found is None:
            raise
        return WriteReceipt(issue=found)
    except SourceConfigError as error:
        if error.status != 400:
            raise
        raise SourceConfigError(
            _create_refused(target, project, issue_type, error, path),
            source=client.source,
            status=400,
        ) from error
    if not isinstance(created, Mapping) or "key" not in created:
        raise ProtocolError(
            f"Jira created KR {target.kr_id!r}'s issue but did not return its key",
            source=client.source,
        )
    return WriteReceipt(issue=str(created["key"]), ref=str(created.get("id") or "") or None)


def _create_refused(
    target: PushTarget, project: str, issue_type: str, error: SourceConfigError, path: str
) -> str:
    detail = _jira_detail(error, f"Jira rejected POST {path}")
    where = f"a {issue_type!r} issue in project {project!r}"
    if "labels" in detail.lower():
        return (
            f"cannot create {where} for KR {target.kr_id!r}: add the Labels field to its "
            f"create screen (okrsync labels the issue so it never creates two) — Jira: {detail}"
        )
    return (
        f"cannot create {where} for KR {target.kr_id!r}: check the project key and issue "
        f"type in `create:` — Jira: {detail}"
    )


def _jira_detail(error: SourceConfigError, lead: str) -> str:
    """Jira's own words from a client error ("<lead> (<detail>)"), else its message."""
    message = str(error).removeprefix(f"{error.source}: " if error.source else "")
    if message.startswith(lead + " (") and message.endswith(")"):
        return message[len(lead) + 2 : -1]
    return message
