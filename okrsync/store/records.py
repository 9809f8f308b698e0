"""What the store hands back about runs, results and writes (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from okrsync.connector import WriteReceipt

RunStatus = Literal["running", "ok", "partial", "failed"]


@dataclass(frozen=True)
class RunRecord:
    """One okrsync command run: ``status`` is ``running`` until ``finish_run``;
    ``partial`` when some KRs failed on their own (``pulled["failures"]``)."""

    id: int
    command: str
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    pulled: dict[str, Any]
    warnings: list[str]
    errors: list[str]
    # The mapping file of a unit run (okrsync serve, ``sync --unit``); None: every file.
    unit: str | None = None


@dataclass(frozen=True)
class KrResult:
    """One point of a KR's time series, recorded by a run or back-filled.

    The numeric columns are copied out of ``data``, the result exactly as it was
    recorded (the shape of ``plan --json``'s key results).
    """

    kr_id: str
    objective_id: str | None
    as_of: datetime
    value: float | None
    baseline: float | None
    target: float | None
    progress: float | None
    score: float | None
    expected: float | None
    status: str | None
    override: dict[str, Any] | None
    data: dict[str, Any]
    backfilled: bool
    run_id: int | None


@dataclass(frozen=True)
class ObjectiveResult:
    objective_id: str
    as_of: datetime
    score: float | None
    status: str | None
    data: dict[str, Any]
    run_id: int | None


@dataclass(frozen=True)
class WriteRecord:
    """One write okrsync made to a tool, with what the tool held before."""

    id: int
    run_id: int | None
    kr_id: str
    to: str
    target: str | None
    what: str
    old: Any
    new: Any
    receipt: WriteReceipt
    at: datetime
