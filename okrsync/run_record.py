"""A run as the store records it: when it started, what it pulled, read and wrote,
its warnings, and — when it gives up — what was and was not done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from okrsync.apply import AppliedWrite
from okrsync.connector import PushTarget
from okrsync.failures import KrFailure
from okrsync.http import run_deadline
from okrsync.plan import PlannedWrite
from okrsync.secrets import redact

if TYPE_CHECKING:
    from okrsync.project import Project
    from okrsync.store import Store

# Commands that write to the tools: a failed one says whether it wrote anything.
WRITING_COMMANDS = frozenset({"apply", "sync"})
# A failure summary names at most this many queries or writes that were not done.
NAMES_SHOWN = 3
QUERY_WIDTH = 50


@dataclass
class RunProgress:
    """How far a run got: what a failed run's record says was done and not done."""

    stage: str = "starting"
    queries: list[str] = field(default_factory=list)  # every query the run pulls
    stored: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)  # every metric the run reads
    recorded: list[str] = field(default_factory=list)
    planned: list[PlannedWrite] | None = None  # None: the run got no plan to apply
    made: list[AppliedWrite] = field(default_factory=list)

    def not_stored(self) -> list[str]:
        return _missing(self.queries, self.stored)

    def not_recorded(self) -> list[str]:
        return _missing(self.metrics, self.recorded)

    def not_made(self) -> list[str]:
        made = Counter(_write_key(a.write.target) for a in self.made)
        missing = []
        for write in self.planned or []:
            key = _write_key(write.target)
            if made[key]:
                made[key] -= 1
            else:
                missing.append(describe_write(write.target))
        return missing

    def as_record(self) -> dict[str, Any]:
        """What the run's ``pulled`` field keeps about a failure."""
        record: dict[str, Any] = {"stopped_while": self.stage}
        if self.queries:
            record["queries_stored"] = len(self.stored)
            record["queries_not_stored"] = self.not_stored()
        if self.metrics:
            record["metrics_not_recorded"] = self.not_recorded()
        if self.planned is not None:
            record["writes_planned"] = len(self.planned)
            record["writes_made"] = len(self.made)
            record["writes_not_made"] = self.not_made()
        return record

    def summary(self, run_id: int, command: str) -> str:
        """One line: where the run stopped, what it had done and what not."""
        parts = []
        if self.queries:
            parts.append(
                f"{len(self.stored)} of {len(self.queries)} queries stored"
                + _not_done("not stored", self.not_stored())
            )
        if self.metrics:
            parts.append(
                f"{len(self.recorded)} of {len(self.metrics)} metric values recorded"
                + _not_done("not recorded", self.not_recorded())
            )
        if self.planned is not None:
            parts.append(
                f"{len(self.made)} of {len(self.planned)} planned writes made"
                + _not_done("not made", self.not_made())
            )
        elif command in WRITING_COMMANDS:
            parts.append("no write made")
        done = "; ".join(parts) or "nothing done yet"
        return f"run {run_id} ({command}) failed while {self.stage}: {done}"


def run_deadline_of(project: Project) -> AbstractContextManager[None]:
    """The project's ``run_timeout`` over everything a run asks the tools."""
    days = project.config.run_timeout
    if days is None:
        return run_deadline(None)
    seconds = days * 86400
    return run_deadline(seconds, shown=f"run_timeout ({_duration(seconds)})")


def _duration(seconds: float) -> str:
    """``30m``, ``2h``, ``3s``: the largest unit that shows the length exactly."""
    for unit, length in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= length and round(seconds / length, 6).is_integer():
            return f"{round(seconds / length)}{unit}"
    return f"{seconds:g}s"


def _missing(wanted: Sequence[str], done: Sequence[str]) -> list[str]:
    left = Counter(done)
    missing = []
    for name in wanted:
        if left[name]:
            left[name] -= 1
        else:
            missing.append(name)
    return missing


def _not_done(label: str, names: Sequence[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:NAMES_SHOWN])
    more = f", … and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
    return f" ({label}: {shown}{more})"


def _write_key(target: PushTarget) -> tuple[str, str, str, str | None]:
    # Not the issue: a write after a create goes to the issue the create made.
    return (target.kr_id, target.to, target.what, target.field)


def describe_write(target: PushTarget) -> str:
    """``OKR-12 field KR Progress``, ``create Key Result in OKR``."""
    if target.what == "create":
        return target.describe()
    return f"{target.issue or 'the new issue'} {target.describe()}"


def describe_query(source: str, query: str) -> str:
    text = f"{source}: {query}"
    return text if len(text) <= QUERY_WIDTH else text[: QUERY_WIDTH - 1] + "…"


@dataclass
class RunRecorder:
    """Collects what a run did, and records it when the run ends.

    ``started`` is the run's "now": the evaluation's default instant and the instant
    its metric values are recorded at. A run that fails records (and attaches to the
    exception as a note) a one-line summary of what it did and did not do. A run in
    which some KRs failed on their own (``failures``) is recorded as ``partial``, with
    one error per failed KR; ``failures`` is None in a run that assessed no KR."""

    store: Store
    command: str
    as_of: datetime | None
    run_id: int = 0
    pulled: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    progress: RunProgress = field(default_factory=RunProgress)
    failures: list[KrFailure] | None = None
    # The mapping file a unit run syncs (see ``okrsync.units``); None: every file.
    unit: str | None = None

    def assess(self) -> list[KrFailure]:
        """The run assesses KRs from now on: its failures, empty so far."""
        if self.failures is None:
            self.failures = []
        return self.failures

    def fail(self, failure: KrFailure) -> None:
        """Leave a KR out of the rest of the run; its first failure is the one kept."""
        failures = self.assess()
        if all(f.kr_id != failure.kr_id for f in failures):
            failures.append(failure)

    @property
    def failed(self) -> frozenset[str]:
        """The KRs failed so far."""
        return frozenset(f.kr_id for f in self.failures or ())

    def __enter__(self) -> RunRecorder:
        self.run_id = self.store.start_run(self.command, self.as_of or self.started, self.unit)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        pulled = dict(self.pulled)
        if self.failures is not None:
            pulled["failures"] = [f.to_dict() for f in self.failures]
        if exc is None:
            self.store.finish_run(
                self.run_id,
                "partial" if self.failures else "ok",
                pulled=pulled,
                warnings=self.warnings,
                errors=[str(f) for f in self.failures or ()],
            )
            return
        summary = redact(self.progress.summary(self.run_id, self.command))
        self.store.finish_run(
            self.run_id,
            "failed",
            pulled={**pulled, **self.progress.as_record()},
            warnings=self.warnings,
            errors=[redact(str(exc) or type(exc).__name__), summary],
        )
        exc.add_note(summary)
