"""Writing KR results back into Redmine: a number field, one note, the KR issue.

``read_target`` tells what Redmine holds now, in the form ``write_target`` takes.
Redmine answers 204 to a PUT even when it silently drops part of it (a field the
tracker lacks, a role without the field's permission), so every write is read back
and a value that did not stick is an error; and since a PUT that changes nothing still
moves ``updated_on``, nothing is sent when the value is there already.

okrsync finds its own writes again in Redmine itself: its note and its KR issue carry
the marker ``okrsync:kr=ID`` and are authored by the key's user, so a person's copy of
a note is never taken for okrsync's, and a lost store never makes a second one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from okrsync.connector import PushTarget, WriteReceipt
from okrsync.errors import (
    ConfigError,
    ConnectionFailed,
    FieldNotFound,
    NotFound,
    ProtocolError,
    ServerError,
    SourceConfigError,
    StaleMetadata,
)
from okrsync_redmine.catalog import Catalog
from okrsync_redmine.client import RedmineClient
from okrsync_redmine.normalize import custom_field

__all__ = ["DONE_RATIO", "marker", "read_target", "write_target", "written_number"]

DONE_RATIO = "done_ratio"
_UNANSWERED = (ConnectionFailed, ServerError)


def marker(kr_id: str) -> str:
    return f"okrsync:kr={kr_id}"


def _issue_id(target: PushTarget) -> str:
    issue = (target.issue or "").strip().lstrip("#")
    if not issue.isdigit():
        raise SourceConfigError(
            f"KR {target.kr_id!r} pushes to issue {target.issue!r}, which is not a Redmine "
            "issue id such as 123",
            source=target.to,
        )
    return issue


async def _issue(
    client: RedmineClient, issue: str, include: str | None = None
) -> Mapping[str, Any]:
    answer = await client.get(f"/issues/{issue}.json", {"include": include} if include else None)
    data = answer.get("issue") if isinstance(answer, Mapping) else None
    if not isinstance(data, Mapping):
        raise ProtocolError(f"Redmine answered issue {issue} without it", source=client.source)
    return data


async def read_target(client: RedmineClient, catalog: Catalog, target: PushTarget) -> Any:
    if target.what == "create":
        return await _find_created(client, catalog, target)
    if target.issue is None:
        return None
    issue = _issue_id(target)
    if target.what == "field":
        return _field_value(await _issue(client, issue), target, client.source)
    if target.what == "comment":
        owned = await _owned_note(client, issue, target.kr_id)
        return _text_of(owned["notes"], target.kr_id) if owned else None
    raise ConfigError(f"KR {target.kr_id!r}: Redmine takes no {target.what} push")


async def write_target(
    client: RedmineClient, catalog: Catalog, target: PushTarget, value: Any
) -> WriteReceipt:
    if target.what == "create":
        return await _create(client, catalog, target, value)
    if target.issue is None:
        raise ConfigError(
            f"KR {target.kr_id!r} has no Redmine issue to push its {target.describe()} to; "
            "give the push an `issue:` or a `create:`"
        )
    issue = _issue_id(target)
    if target.what == "field":
        return await _write_field(client, target, issue, value)
    if target.what == "comment":
        return await _write_note(client, issue, target.kr_id, str(value))
    raise ConfigError(f"KR {target.kr_id!r}: Redmine takes no {target.what} push")


# --- field -----------------------------------------------------------------------------


def _field_value(data: Mapping[str, Any], target: PushTarget, source: str) -> float | None:
    name = (target.field or "").strip()
    if name.lower() == DONE_RATIO:
        value = data.get(DONE_RATIO)
    else:
        found = custom_field(data, name)
        if found is None:
            listed = ", ".join(
                f"{f.get('name')!r} (cf_{f.get('id')})" for f in data.get("custom_fields") or []
            )
            raise FieldNotFound(
                f"issue {data.get('id')} has no custom field {name!r}"
                + (f"; its custom fields: {listed}" if listed else "")
                + "; enable the field for the issue's tracker and project, or use done_ratio",
                source=source,
            )
        value = found.get("value")
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldNotFound(
            f"field {name!r} of issue {data.get('id')} holds {value!r}, not a number: choose a "
            "float or integer custom field",
            source=source,
        ) from None
    return number


def _canonical(value: Any, whole: bool) -> str | int:
    """One written form per number: Redmine keeps a float field's text as sent."""
    number = float(value)
    if whole:
        return max(0, min(100, round(number)))
    return str(int(number)) if number.is_integer() else repr(round(number, 6))


def written_number(target: PushTarget, value: Any) -> Any:
    """A field push's number as Redmine will hold it once written (others: as given)."""
    if target.what != "field" or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(_canonical(value, _is_done_ratio(target)))


def _is_done_ratio(target: PushTarget) -> bool:
    return (target.field or "").strip().lower() == DONE_RATIO


async def _write_field(
    client: RedmineClient, target: PushTarget, issue: str, value: Any
) -> WriteReceipt:
    name = (target.field or "").strip()
    whole = _is_done_ratio(target)
    wanted = _canonical(value, whole)
    before = await _issue(client, issue)
    held = _field_value(before, target, client.source)
    if held is not None and math.isclose(held, float(wanted), abs_tol=1e-9):
        return WriteReceipt(issue=issue, ref=name)  # there already: a PUT would move updated_on
    if whole:
        body: dict[str, Any] = {DONE_RATIO: wanted}
    else:
        found = custom_field(before, name)
        assert found is not None  # _field_value raised otherwise
        body = {"custom_fields": [{"id": found["id"], "value": wanted}]}
    await client.put(f"/issues/{issue}.json", {"issue": body})
    after = _field_value(await _issue(client, issue), target, client.source)
    if after is None or not math.isclose(after, float(wanted), abs_tol=1e-9):
        raise SourceConfigError(
            f"Redmine accepted the write of {name!r} on issue {issue} but kept {after!r}: "
            "check that the field is enabled for the issue's tracker and that the account's "
            "role may edit it (workflow field permissions)",
            source=client.source,
        )
    return WriteReceipt(issue=issue, ref=name)


# --- note ------------------------------------------------------------------------------


def _note(text: str, kr_id: str) -> str:
    return f"{text.rstrip()}\n\n{marker(kr_id)}"


def _text_of(note: str, kr_id: str) -> str:
    return note.removesuffix(marker(kr_id)).rstrip("\n").rstrip()


async def _owned_note(client: RedmineClient, issue: str, kr_id: str) -> Mapping[str, Any] | None:
    """okrsync's note on the issue: written by the key's user, ending in the marker."""
    me = (await client.check_key())["id"]
    data = await _issue(client, issue, "journals")
    for journal in data.get("journals") or []:
        notes = journal.get("notes") or ""
        if (journal.get("user") or {}).get("id") == me and notes.rstrip().endswith(marker(kr_id)):
            return journal
    return None


async def _write_note(client: RedmineClient, issue: str, kr_id: str, text: str) -> WriteReceipt:
    full = _note(text, kr_id)
    owned = await _owned_note(client, issue, kr_id)
    if owned is not None:
        if owned.get("notes") == full:
            return WriteReceipt(issue=issue, ref=str(owned["id"]))
        try:
            await client.put(f"/journals/{owned['id']}.json", {"journal": {"notes": full}})
        except NotFound:
            owned = None  # Redmine before 5.0 cannot edit notes: a new one says it
        else:
            edited = await _owned_note(client, issue, kr_id)
            if edited is None or edited.get("notes") != full:
                raise SourceConfigError(
                    f"Redmine accepted the edit of okrsync's note on issue {issue} but kept the "
                    "old text: give the account's role the permission to edit its own notes",
                    source=client.source,
                )
            return WriteReceipt(issue=issue, ref=str(owned["id"]))
    try:
        await client.put(f"/issues/{issue}.json", {"issue": {"notes": full}})
    except _UNANSWERED:
        if await _owned_note(client, issue, kr_id) is None:
            raise
    added = await _owned_note(client, issue, kr_id)
    if added is None:
        raise SourceConfigError(
            f"Redmine accepted okrsync's note on issue {issue} but did not keep it: give the "
            "account's role the permission to add notes",
            source=client.source,
        )
    return WriteReceipt(issue=issue, ref=str(added["id"]))


# --- create ----------------------------------------------------------------------------


def _create_spec(catalog: Catalog, target: PushTarget) -> tuple[int, int]:
    spec = target.create or {}
    project, tracker = str(spec.get("project") or ""), str(spec.get("type") or "")
    project_id = catalog.project_id(project)
    tracker_id = catalog.trackers.get(tracker.lower())
    if (project_id is None or tracker_id is None) and catalog.kept:
        # Created since an earlier run read the catalog, maybe.
        raise StaleMetadata(
            f"Redmine project {project!r} or tracker {tracker!r} is not among those read earlier",
            source=catalog.source,
        )
    if project_id is None:
        known = ", ".join(sorted(catalog.project_ids)) or "none visible"
        raise ConfigError(
            f"KR {target.kr_id!r}: `create:` names project {project!r}, which Redmine does not "
            f"show the account (projects: {known})"
        )
    if tracker_id is None:
        known = ", ".join(sorted(catalog.trackers))
        raise ConfigError(
            f"KR {target.kr_id!r}: `create:` names tracker {tracker!r}, which Redmine does not "
            f"have (trackers: {known})"
        )
    return project_id, tracker_id


async def _find_created(client: RedmineClient, catalog: Catalog, target: PushTarget) -> str | None:
    project_id, _ = _create_spec(catalog, target)
    answer = await client.get(
        "/issues.json",
        {
            "project_id": project_id,
            "status_id": "*",
            "author_id": "me",
            "description": f"~{marker(target.kr_id)}",
            "sort": "id",
            "limit": 10,
        },
    )
    issues = answer.get("issues") if isinstance(answer, Mapping) else None
    if not isinstance(issues, list):
        raise ProtocolError("Redmine answered the issue list without issues", source=client.source)
    mark = marker(target.kr_id)
    for issue in issues:
        # The filter matches "contains": okrsync:kr=a also contains okrsync:kr=a-b.
        if any(line.strip() == mark for line in str(issue.get("description") or "").splitlines()):
            return str(issue["id"])
    return None


async def _create(
    client: RedmineClient, catalog: Catalog, target: PushTarget, value: Any
) -> WriteReceipt:
    existing = await _find_created(client, catalog, target)
    if existing is not None:
        return WriteReceipt(issue=existing)
    project_id, tracker_id = _create_spec(catalog, target)
    spec = value if isinstance(value, Mapping) else {"summary": str(value)}
    description = str(spec.get("description") or "").rstrip()
    body = {
        "project_id": project_id,
        "tracker_id": tracker_id,
        "subject": str(spec.get("summary") or f"KR {target.kr_id}"),
        "description": f"{description}\n\n{marker(target.kr_id)}".lstrip(),
    }
    try:
        created = await client.post("/issues.json", {"issue": body})
    except _UNANSWERED:
        # Redmine may have created it before the answer was lost: its marker tells.
        found = await _find_created(client, catalog, target)
        if found is None:
            raise
        return WriteReceipt(issue=found)
    issue = created.get("issue") if isinstance(created, Mapping) else None
    if not isinstance(issue, Mapping) or "id" not in issue:
        raise ProtocolError(
            f"Redmine created KR {target.kr_id!r}'s issue but did not return its id",
            source=client.source,
        )
    return WriteReceipt(issue=str(issue["id"]))
