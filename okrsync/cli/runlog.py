"""``okrsync runs``: what each recent run did, in a line a cron user can scan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okrsync.store import RunRecord

WRITING_COMMANDS = ("apply", "sync")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def did(record: RunRecord, writes: int) -> str:
    """``pulled 9 items from 1 query; 1 metric value; 10 writes``, with what a failed
    run did not do."""
    pulled = record.pulled
    # A sync unit's run (sync --unit, okrsync serve) says which file it synced.
    parts = [f"unit {record.unit}"] if record.unit else []
    if "queries" in pulled:
        parts.append(
            f"pulled {_count(int(pulled.get('items_fetched', 0)), 'item')} from "
            f"{_count(int(pulled['queries']), 'query', 'queries')}"
        )
    not_stored = pulled.get("queries_not_stored") or []
    if not_stored:
        parts.append(f"{_count(len(not_stored), 'query', 'queries')} not stored")
    if pulled.get("metrics"):
        parts.append(_count(int(pulled["metrics"]), "metric value"))
    if "writes_planned" in pulled:
        parts.append(f"{writes} of {_count(int(pulled['writes_planned']), 'planned write')} made")
    elif writes or record.command in WRITING_COMMANDS:
        parts.append(_count(writes, "write"))
    backfilled = pulled.get("backfilled") or {}
    if backfilled:
        parts.append(f"back-filled {_count(len(backfilled), 'KR')}")
    return "; ".join(parts) or "—"


def run_rows(records: Sequence[RunRecord], writes: Mapping[int, int]) -> list[dict[str, Any]]:
    """One JSON-ready row per run, newest first as given."""
    return [
        {
            "id": record.id,
            "command": record.command,
            "unit": record.unit,
            "status": record.status,
            "started_at": record.started_at.isoformat(),
            "finished_at": None if record.finished_at is None else record.finished_at.isoformat(),
            "as_of": record.as_of.isoformat(),
            "did": did(record, writes.get(record.id, 0)),
            "writes": writes.get(record.id, 0),
            "pulled": record.pulled,
            "warnings": record.warnings,
            "errors": record.errors,
            "error": record.errors[0] if record.errors else None,
        }
        for record in records
    ]
