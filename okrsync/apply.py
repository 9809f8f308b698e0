"""Apply: perform exactly the planned writes, and record each one in the ledger.

Writes of one KR run in plan order: the KR issue is created first, and the writes
after it go to the issue it produced. Every successful write is recorded as soon as
it happens, so a crash never loses the memory of a write that was made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from okrsync.connector import Connector
from okrsync.plan import PlannedWrite

if TYPE_CHECKING:
    from okrsync.store import Store


@dataclass
class AppliedWrite:
    write: PlannedWrite
    issue: str | None


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
