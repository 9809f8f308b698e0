"""What okrsync wrote to the tools, and what it must remember to write idempotently:
the issue it created for a KR and the comment it owns on an issue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Row

from okrsync.connector import PushWhat, WriteReceipt
from okrsync.store import _tables as t
from okrsync.store._base import StoreBase, utcnow
from okrsync.store._bulk import upsert
from okrsync.store._types import plain
from okrsync.store.records import WriteRecord


def _write_record(row: Row[Any]) -> WriteRecord:
    return WriteRecord(
        id=row.id,
        run_id=row.run_id,
        kr_id=row.kr_id,
        to=row.to_instance,
        target=row.target,
        what=row.what,
        old=row.old_value,
        new=row.new_value,
        receipt=WriteReceipt(issue=row.receipt_issue, ref=row.receipt_ref),
        at=row.at,
    )


class Ledger(StoreBase):
    def record_write(
        self,
        *,
        run_id: int | None,
        kr_id: str,
        to: str,
        target: str | None,
        what: PushWhat,
        old: Any,
        new: Any,
        receipt: WriteReceipt | None = None,
        at: datetime | None = None,
    ) -> int:
        """Record one write made to instance ``to`` at issue ``target``; returns its id.
        ``old`` and ``new`` are JSON values; ``at`` defaults to now."""
        receipt = receipt or WriteReceipt()
        row = {
            "run_id": run_id,
            "kr_id": kr_id,
            "to_instance": to,
            "target": target,
            "what": what,
            "old_value": plain(old),
            "new_value": plain(new),
            "receipt_issue": receipt.issue,
            "receipt_ref": receipt.ref,
            "at": at or utcnow(),
        }
        with self._transaction(write=True) as connection:
            key = connection.execute(insert(t.writes).values(row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def writes(self, run_id: int | None = None) -> list[WriteRecord]:
        """Recorded writes in the order they were made, of one run or of all."""
        statement = select(t.writes).order_by(t.writes.c.id)
        if run_id is not None:
            statement = statement.where(t.writes.c.run_id == run_id)
        with self._transaction() as connection:
            return [_write_record(row) for row in connection.execute(statement).all()]

    def write_counts(self, run_ids: Iterable[int]) -> dict[int, int]:
        """How many writes each of these runs made (runs without writes are left out)."""
        c = t.writes.c
        wanted = sorted(set(run_ids))
        if not wanted:
            return {}
        statement = select(c.run_id, func.count()).where(c.run_id.in_(wanted)).group_by(c.run_id)
        with self._transaction() as connection:
            return {int(run): int(count) for run, count in connection.execute(statement).all()}

    def created_issue(self, kr_id: str, to: str) -> str | None:
        """The key of the issue okrsync created for the KR in instance ``to``, if any."""
        c = t.created_issues.c
        statement = select(c.issue_key).where(c.kr_id == kr_id, c.to_instance == to)
        with self._transaction() as connection:
            key: str | None = connection.execute(statement).scalar()
        return key

    def remember_created_issue(self, kr_id: str, to: str, issue_key: str) -> None:
        row = {"kr_id": kr_id, "to_instance": to, "issue_key": issue_key, "created_at": utcnow()}
        with self._transaction(write=True) as connection:
            upsert(connection, t.created_issues, [row])

    def owned_comment(self, to: str, issue: str) -> str | None:
        """The id of the comment okrsync owns on ``issue`` in instance ``to``, if any."""
        c = t.owned_comments.c
        statement = select(c.comment_id).where(c.to_instance == to, c.issue == issue)
        with self._transaction() as connection:
            comment: str | None = connection.execute(statement).scalar()
        return comment

    def remember_owned_comment(self, to: str, issue: str, comment_id: str) -> None:
        row = {"to_instance": to, "issue": issue, "comment_id": comment_id, "updated_at": utcnow()}
        with self._transaction(write=True) as connection:
            upsert(connection, t.owned_comments, [row])
