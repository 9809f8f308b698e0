"""Apply: perform exactly the planned writes, and record each one in the ledger.

Writes of one KR run in plan order: the KR issue is created first, and the writes
after it go to the issue it produced. Every successful write is recorded as soon as
it happens, so a crash never loses the memory of a write that was made.

A saved plan (``apply --plan FILE``) is checked first, as Terraform checks a saved
plan: each target is read again. One that holds the plan's value already is
*current* (no request, not a write); one that holds what it held when the plan was
made gets its write; one that holds anything else is *stale*, and then the whole plan
is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from okrsync.connector import Connector, PushTarget
from okrsync.plan import PlannedWrite, same_value

if TYPE_CHECKING:
    from okrsync.store import Store


@dataclass
class AppliedWrite:
    write: PlannedWrite
    issue: str | None


@dataclass
class SavedPlanCheck:
    """A saved plan's writes, by what their targets hold now."""

    to_make: list[PlannedWrite] = field(default_factory=list)
    current: list[PlannedWrite] = field(default_factory=list)  # hold the plan's value
    stale: list[tuple[PlannedWrite, Any]] = field(default_factory=list)  # and what they hold


async def check_saved_plan(
    writes: list[PlannedWrite], store: Store, connector_for: Callable[[str], Connector]
) -> SavedPlanCheck:
    """Read every target of a saved plan again (the read ``plan`` makes) and sort its
    writes into those to make, those already current and those gone stale."""
    check = SavedPlanCheck()
    created: dict[tuple[str, str], str] = {}  # (kr, instance) -> the KR issue, if it exists
    for write in writes:
        target = write.target
        key = (target.kr_id, target.to)
        connector = connector_for(target.to)
        if target.what == "create":
            remembered = store.created_issue(*key)
            found = await connector.read(replace(target, issue=remembered))
            if found is None:
                check.to_make.append(write)
                continue
            # Created since the plan was made (by another apply): its writes go there.
            created[key] = found
            if found != remembered:
                store.remember_created_issue(*key, found)
            check.current.append(write)
            continue
        issue = target.issue or created.get(key) or store.created_issue(*key)
        holds = await connector.read(replace(target, issue=issue)) if issue else None
        if same_value(holds, write.new):
            check.current.append(write)
        elif same_value(holds, write.old):
            check.to_make.append(write)
        else:
            check.stale.append((write, holds))
    return check


def held_text(target: PushTarget, value: Any) -> str:
    """What a target holds, short: a field's number, else whether there is anything."""
    if value is None:
        return "nothing"
    if target.what == "field":
        return f"{value:g}" if isinstance(value, int | float) else str(value)
    return f"another {target.what}"  # texts and documents are too long for one line


async def apply_writes(
    writes: list[PlannedWrite],
    store: Store,
    connector_for: Callable[[str], Connector],
    run_id: int,
    progress: Callable[[AppliedWrite], None] | None = None,
) -> list[AppliedWrite]:
    applied: list[AppliedWrite] = []
    created: dict[tuple[str, str], str] = {}  # (kr, instance) -> issue created in this run
    for write in writes:
        target = write.target
        issue = target.issue or created.get((target.kr_id, target.to))
        if issue is None and target.what != "create":
            issue = store.created_issue(target.kr_id, target.to)
        if issue != target.issue:
            target = replace(target, issue=issue)
        connector = connector_for(target.to)
        if target.what == "create" and issue is not None:
            continue  # created earlier in this run or found since the plan was made
        receipt = await connector.write(target, write.new)
        if target.what == "create":
            issue = receipt.issue
            assert issue is not None, "a create write must return the new issue key"
            created[(target.kr_id, target.to)] = issue
            store.remember_created_issue(target.kr_id, target.to, issue)
            target = replace(target, issue=issue)
        store.record_write(
            run_id=run_id,
            kr_id=target.kr_id,
            to=target.to,
            target=issue or "",
            what=target.what,
            old=write.old,
            new=write.new,
            receipt=receipt,
        )
        done = AppliedWrite(replace(write, target=target), issue)
        applied.append(done)
        if progress:
            progress(done)
    return applied
