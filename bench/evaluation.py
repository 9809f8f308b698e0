"""The evaluation benchmark: ``plan --no-pull`` over 500 KRs and 1,000,000 stored items,
on SQLite and on PostgreSQL, and one unit's re-score against the full evaluation.

Each measurement is its own process, so its peak memory is its own:

- ``okrsync plan --no-pull --json`` (stdout to a file), timed from the outside: what a
  user or a cron job waits for, interpreter start-up and the JSON included;
- ``bench.eval_unit``: the full evaluation and then one unit's re-score in one process,
  as a service holding its last evaluation runs them;
- then ``okrsync backfill`` records every KR's daily points (what a sync does after
  its first run), and ``plan --no-pull --json`` runs again: the steady state of a
  synced store, where no trend is rebuilt. The never-synced figure stays the goal's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.eval_data import AS_OF, Scale, seed, write_project

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
POSTGRES_DATABASE = "okrsync_bench_evaluate"
GOAL_SECONDS = 10.0
GOAL_MB = 1024.0

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Backend:
    name: str
    seed_seconds: float
    items: int
    changes: int
    plan: Measured
    plan_bytes: int
    key_results: int
    evidence_items: int
    evaluate_seconds: float
    rescore_seconds: float
    unit_krs: int
    same_results: bool
    # After ``okrsync backfill`` recorded the daily points: the back-fill itself, the
    # plan again, and whether that plan's JSON is byte for byte the first one's.
    backfill: Measured
    recorded_plan: Measured
    recorded_same: bool

    def met(self, seconds: float, megabytes: float) -> bool:
        return self.plan.seconds < seconds and self.plan.peak_mb < megabytes


def _timed(command: list[str], stdout: Path) -> Measured:
    """Run ``command`` to completion; its wall time, CPU time and peak memory."""
    started = time.perf_counter()
    with stdout.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.PIPE)
        assert process.stderr is not None
        with process.stderr:
            error = process.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = "\n".join(error.strip().splitlines()[-10:])
        raise RuntimeError(f"{' '.join(command[:4])} failed ({process.returncode}):\n{tail}")
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _okrsync(*args: str) -> list[str]:
    return [sys.executable, "-c", "from okrsync.cli import main; main()", *args]


def _postgres_url() -> str:
    """A fresh database of its own on the server, so no test's tables are touched."""
    import psycopg

    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    base = POSTGRES_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{POSTGRES_DATABASE}"


def measure(name: str, url: str, scale: Scale, folder: Path, progress: Progress) -> Backend:
    progress(f"{name}: seeding {scale.items:,} items for {scale.krs} KRs")
    started = time.perf_counter()
    items, changes = seed(url, scale)
    seeded = time.perf_counter() - started
    config = write_project(folder, url, scale)
    progress(f"{name}: seeded in {seeded:.1f}s; okrsync plan --no-pull --json")
    output = folder / "plan.json"
    plan_args = ("--config", str(config), "plan", "--no-pull", "--as-of", AS_OF, "--json")
    plan = _timed(_okrsync(*plan_args), output)
    document = json.loads(output.read_text())
    progress(f"{name}: plan took {plan.seconds:.1f}s; the full evaluation, then one unit's")
    unit_result = folder / "unit.json"
    unit_args = ["--config", str(config), "--unit", "0", "--out", str(unit_result)]
    _timed([sys.executable, "-m", "bench.eval_unit", *unit_args], folder / "unit.log")
    unit: dict[str, Any] = json.loads(unit_result.read_text())
    progress(f"{name}: okrsync backfill, then plan again over the recorded points")
    backfill_args = ("--config", str(config), "backfill", "--as-of", AS_OF)
    backfill = _timed(_okrsync(*backfill_args), folder / "backfill.log")
    recorded_output = folder / "plan-recorded.json"
    recorded_plan = _timed(_okrsync(*plan_args), recorded_output)
    krs = document["key_results"]
    return Backend(
        name=name,
        seed_seconds=seeded,
        items=items,
        changes=changes,
        plan=plan,
        plan_bytes=output.stat().st_size,
        key_results=len(krs),
        evidence_items=sum(len(kr["evidence"]["items"]) for kr in krs),
        evaluate_seconds=float(unit["evaluate_seconds"]),
        rescore_seconds=float(unit["rescore_seconds"]),
        unit_krs=int(unit["unit_krs"]),
        same_results=bool(unit["same_results"]),
        backfill=backfill,
        recorded_plan=recorded_plan,
        recorded_same=recorded_output.read_bytes() == output.read_bytes(),
    )


def run_evaluation(scale: Scale, progress: Progress, backends: tuple[str, ...]) -> list[Backend]:
    measured = []
    for name in backends:
        with tempfile.TemporaryDirectory(prefix="okrsync-bench-eval-") as scratch:
            folder = Path(scratch)
            url = f"sqlite:///{folder / 'store.db'}" if name == "sqlite" else _postgres_url()
            measured.append(measure(name, url, scale, folder, progress))
    return measured
