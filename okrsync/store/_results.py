"""Runs and the KR and objective results they recorded: the time series behind
``okrsync status`` and ``okrsync history``."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from okrsync.errors import StoreError
from okrsync.secrets import redact
from okrsync.store import _tables as t
from okrsync.store._base import StoreBase, utcnow
from okrsync.store._types import number, plain
from okrsync.store.records import KrResult, ObjectiveResult, RunRecord, RunStatus

# ``partial``: some KRs failed on their own (okrsync.failures); the others were done.
FINAL_STATUSES = ("ok", "partial", "failed")
# The numeric columns copied out of a KR result.
_NUMBERS = ("value", "baseline", "target", "progress", "score", "expected")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _kr_row(
    result: Mapping[str, Any],
    *,
    as_of: datetime,
    run_id: int | None,
    backfilled: bool,
    kr_id: str | None = None,
) -> dict[str, Any]:
    data = plain(dict(result))
    kr = kr_id or _text(data.get("id")) or _text(data.get("kr_id"))
    if not kr:
        raise ValueError("a KR result needs its KR's 'id'")
    override = data.get("override")
    return {
        "run_id": run_id,
        "kr_id": kr,
        "objective_id": _text(data.get("objective")) or _text(data.get("objective_id")),
        "as_of": as_of,
        **{name: number(data.get(name)) for name in _NUMBERS},
        "status": _text(data.get("status")),
        "override": override if isinstance(override, dict) else None,
        "data": data,
        "backfilled": backfilled,
        "recorded_at": utcnow(),
    }


def _objective_row(result: Mapping[str, Any], *, as_of: datetime, run_id: int) -> dict[str, Any]:
    data = plain(dict(result))
    objective = _text(data.get("id")) or _text(data.get("objective_id"))
    if not objective:
        raise ValueError("an objective result needs its objective's 'id'")
    return {
        "run_id": run_id,
        "objective_id": objective,
        "as_of": as_of,
        "score": number(data.get("score")),
        "status": _text(data.get("status")),
        "data": data,
        "recorded_at": utcnow(),
    }


def _kr_result(row: Row[Any]) -> KrResult:
    return KrResult(
        kr_id=row.kr_id,
        objective_id=row.objective_id,
        as_of=row.as_of,
        value=row.value,
        baseline=row.baseline,
        target=row.target,
        progress=row.progress,
        score=row.score,
        expected=row.expected,
        status=row.status,
        override=row.override,
        data=row.data,
        backfilled=bool(row.backfilled),
        run_id=row.run_id,
    )


def _objective_result(row: Row[Any]) -> ObjectiveResult:
    return ObjectiveResult(
        objective_id=row.objective_id,
        as_of=row.as_of,
        score=row.score,
        status=row.status,
        data=row.data,
        run_id=row.run_id,
    )


def _run_record(row: Row[Any]) -> RunRecord:
    return RunRecord(
        id=row.id,
        command=row.command,
        as_of=row.as_of,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=cast(RunStatus, row.status),
        pulled=row.pulled,
        warnings=row.warnings,
        errors=row.errors,
        unit=row.unit,
    )


def _latest(connection: Connection, table: Table, group: str, *where: Any) -> list[Row[Any]]:
    """Per ``group`` value, the row with the latest ``as_of`` (the last recorded on a tie)."""
    c = table.c
    rank = func.row_number().over(partition_by=c[group], order_by=(c.as_of.desc(), c.id.desc()))
    ranked = select(c.id, rank.label("rank")).where(*where).subquery()
    statement = (
        select(table).join(ranked, ranked.c.id == c.id).where(ranked.c.rank == 1).order_by(c[group])
    )
    return list(connection.execute(statement).all())


class RunRecords(StoreBase):
    # --- runs ---------------------------------------------------------------------------

    def start_run(
        self, command: str, as_of: datetime | None = None, unit: str | None = None
    ) -> int:
        """Record that ``command`` started, evaluating as of ``as_of`` (default: its start
        time), for one unit (mapping file) or every file; returns the run's id."""
        started = utcnow()
        row: dict[str, Any] = {
            "command": command,
            "unit": unit,
            "as_of": as_of or started,
            "started_at": started,
            "status": "running",
            "pulled": {},
            "warnings": [],
            "errors": [],
        }
        with self._transaction(write=True) as connection:
            key = connection.execute(insert(t.runs).values(row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_run(
        self,
        run_id: int,
        status: RunStatus,
        pulled: Mapping[str, Any],
        warnings: Iterable[str],
        errors: Iterable[str],
    ) -> None:
        """Close the run with its outcome: ``pulled`` holds its numbers (per source)."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"a run finishes 'ok', 'partial' or 'failed', not {status!r}")
        values = {
            "status": status,
            "finished_at": utcnow(),
            "pulled": plain(dict(pulled)),
            # Messages may quote tool responses: mask secrets before they are kept.
            "warnings": [redact(w) for w in warnings],
            "errors": [redact(e) for e in errors],
        }
        with self._transaction(write=True) as connection:
            done = connection.execute(update(t.runs).where(t.runs.c.id == run_id).values(values))
        if done.rowcount != 1:
            raise StoreError(f"run {run_id} is not in the state database; it cannot be finished")

    def fail_abandoned_runs(self, holder: str, unit: str | None = None) -> list[int]:
        """Mark failed every run still ``running`` (of ``unit`` only, if given); returns
        their ids. Call it holding the run lock (of that unit) only: then no live process
        can be running those runs, since the lock dies with its process (a crash,
        ``kill -9``, a lost machine)."""
        c = t.runs.c
        running = c.status == "running"
        if unit is not None:
            running = running & (c.unit == unit)
        error = (
            "the run's process ended before the run finished (it was killed or crashed); "
            f"marked failed by the next run ({holder})"
        )
        with self._transaction(write=True) as connection:
            ids = [int(row.id) for row in connection.execute(select(c.id).where(running)).all()]
            if ids:
                connection.execute(
                    update(t.runs)
                    .where(c.id.in_(ids))
                    .values(status="failed", finished_at=utcnow(), errors=[error])
                )
        return ids

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        statement = select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)
        with self._transaction() as connection:
            return [_run_record(row) for row in connection.execute(statement).all()]

    def assessing_runs(self, after: int = 0) -> list[tuple[int, list[dict[str, Any]]]]:
        """Runs after run ``after`` that assessed KRs and finished (``ok`` or
        ``partial``), newest first, each with the KR failures it recorded."""
        c = t.runs.c
        statement = (
            select(c.id, c.pulled)
            .where(c.id > after, c.status.in_(("ok", "partial")))
            .order_by(c.id.desc())
        )
        with self._transaction() as connection:
            rows = connection.execute(statement).all()
        return [
            (int(row.id), [f for f in row.pulled["failures"] if isinstance(f, dict)])
            for row in rows
            if isinstance(row.pulled, dict) and isinstance(row.pulled.get("failures"), list)
        ]

    # --- results ------------------------------------------------------------------------

    def record_results(
        self,
        run_id: int,
        as_of: datetime,
        kr_results: Iterable[Mapping[str, Any]],
        objective_results: Iterable[Mapping[str, Any]],
    ) -> None:
        """Record a run's results; recording a KR or objective again for the same run
        replaces its earlier result.

        Each KR result is a dict shaped like ``plan --json``'s key results: ``id``,
        ``objective``, ``value``, ``baseline``, ``target``, ``progress``, ``score``,
        ``expected``, ``status``, ``override`` and anything else (evidence, warnings),
        all kept in ``data``. Objective results carry ``id``, ``score`` and ``status``.
        """
        krs = [_kr_row(r, as_of=as_of, run_id=run_id, backfilled=False) for r in kr_results]
        objectives = [_objective_row(r, as_of=as_of, run_id=run_id) for r in objective_results]
        k, o = t.kr_results.c, t.objective_results.c
        with self._transaction(write=True) as connection:
            kr_ids = sorted({row["kr_id"] for row in krs})
            objective_ids = sorted({row["objective_id"] for row in objectives})
            connection.execute(delete(t.kr_results).where(k.run_id == run_id, k.kr_id.in_(kr_ids)))
            connection.execute(
                delete(t.objective_results).where(
                    o.run_id == run_id, o.objective_id.in_(objective_ids)
                )
            )
            if krs:
                connection.execute(insert(t.kr_results), krs)
            if objectives:
                connection.execute(insert(t.objective_results), objectives)

    def record_backfill(
        self,
        kr_id: str,
        points: Iterable[tuple[datetime, Mapping[str, Any]]],
        *,
        run_id: int | None = None,
    ) -> None:
        """Replace the KR's back-filled points with ``points`` (as_of, result dict)."""
        rows = [
            _kr_row(result, as_of=as_of, run_id=run_id, backfilled=True, kr_id=kr_id)
            for as_of, result in points
        ]
        k = t.kr_results.c
        with self._transaction(write=True) as connection:
            connection.execute(delete(t.kr_results).where(k.kr_id == kr_id, k.backfilled.is_(True)))
            if rows:
                connection.execute(insert(t.kr_results), rows)

    def latest_results(
        self, at_or_before: datetime | None = None, kr_ids: Collection[str] | None = None
    ) -> tuple[datetime | None, list[KrResult], list[ObjectiveResult]]:
        """The latest recorded (not back-filled) result of every KR and objective, by
        id, and the latest ``as_of`` among them (None when nothing was recorded).

        With ``at_or_before``, only results evaluated as of that instant or earlier
        count: what a run evaluating that instant compares itself with. With
        ``kr_ids``, only those KRs' results, and no objective's (what one sync unit's
        run compares itself with)."""
        k, o = t.kr_results.c, t.objective_results.c
        kr_where: list[ColumnElement[bool]] = [k.backfilled.is_(False)]
        objective_where: list[ColumnElement[bool]] = []
        if at_or_before is not None:
            kr_where.append(k.as_of <= at_or_before)
            objective_where.append(o.as_of <= at_or_before)
        if kr_ids is not None:
            kr_where.append(k.kr_id.in_(list(kr_ids)))
        with self._transaction() as connection:
            krs = [_kr_result(row) for row in _latest(connection, t.kr_results, "kr_id", *kr_where)]
            objectives = (
                []
                if kr_ids is not None
                else [
                    _objective_result(row)
                    for row in _latest(
                        connection, t.objective_results, "objective_id", *objective_where
                    )
                ]
            )
        instants = [r.as_of for r in krs] + [r.as_of for r in objectives]
        return (max(instants) if instants else None), krs, objectives

    def backfilled_kr_ids(self, kr_ids: Iterable[str]) -> set[str]:
        """Those of ``kr_ids`` that have at least one back-filled point."""
        wanted = sorted(set(kr_ids))
        if not wanted:
            return set()
        k = t.kr_results.c
        statement = select(k.kr_id).where(k.backfilled.is_(True), k.kr_id.in_(wanted)).distinct()
        with self._transaction() as connection:
            return set(connection.execute(statement).scalars())

    def kr_history(self, kr_id: str) -> list[KrResult]:
        """Every recorded and back-filled point of the KR, oldest ``as_of`` first."""
        k = t.kr_results.c
        statement = select(t.kr_results).where(k.kr_id == kr_id).order_by(k.as_of, k.id)
        with self._transaction() as connection:
            return [_kr_result(row) for row in connection.execute(statement).all()]
