"""What the load did, from three independent records: the answers serve gave, the
writes the sandboxes received, and the runs serve logged.

A write is matched to the deliveries it answers by its value: a unit's k-th change
moves its KR to ``progress_after(k)``, so the first write of at least that value to the
unit's KR issue is where that change's result landed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_serve.layout import progress_after
from bench_serve.load import DUPLICATE, FORGED, REAL, Delivery

EXPECTED_STATUS = {REAL: 202, DUPLICATE: 200, FORGED: 401}


@dataclass(frozen=True)
class Write:
    tool: str
    target: str
    value: float | None  # None: a write that is no KR progress (then target is its path)
    at: float


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``share`` of all at or
    below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Measured:
    sent: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    accepted: int = 0  # 202
    refused: int = 0  # 4xx but 404
    deduplicated: int = 0  # 200
    failed: int = 0  # no answer, 5xx or anything else
    unexpected: int = 0  # answered otherwise than its kind should be
    send_seconds: float = 0.0
    runs: int = 0
    runs_by_outcome: Counter[str] = field(default_factory=Counter)
    kr_writes: int = 0
    other_writes: int = 0
    krs_changed: int = 0
    krs_written: int = 0
    duplicate_writes: int = 0  # a KR written again with a value it already had
    unchanged_written: int = 0  # writes to KRs of units no change touched
    lost: list[str] = field(default_factory=list)  # KRs whose last change never landed
    latencies: list[float] = field(default_factory=list)  # per real delivery, seconds
    unanswered: int = 0  # real deliveries whose result never landed

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies, 0.50)

    @property
    def p95(self) -> float | None:
        return percentile(self.latencies, 0.95)

    @property
    def consistent(self) -> bool:
        return self.accepted + self.refused + self.deduplicated + self.failed == self.sent


def classify(deliveries: list[Delivery], measured: Measured) -> None:
    measured.sent = len(deliveries)
    for delivery in deliveries:
        measured.by_kind[delivery.kind] += 1
        status = delivery.status
        if status == 202:
            measured.accepted += 1
        elif status == 200:
            measured.deduplicated += 1
        elif status is not None and 400 <= status < 500:
            measured.refused += 1
        else:
            measured.failed += 1
        if status != EXPECTED_STATUS[delivery.kind]:
            measured.unexpected += 1
    if deliveries:
        measured.send_seconds = max(d.sent for d in deliveries) - min(d.sent for d in deliveries)


def match_writes(
    deliveries: list[Delivery], writes: list[Write], targets: dict[int, str], m: Measured
) -> None:
    kr_writes = [w for w in writes if w.value is not None]
    m.kr_writes, m.other_writes = len(kr_writes), len(writes) - len(kr_writes)
    by_target: dict[str, list[Write]] = defaultdict(list)
    for write in kr_writes:
        by_target[write.target].append(write)
    for found in by_target.values():
        seen = Counter(w.value for w in found)
        m.duplicate_writes += sum(n - 1 for n in seen.values())
    real = [d for d in deliveries if d.kind == REAL]
    last: dict[int, int] = {}
    for delivery in real:
        last[delivery.unit.index] = max(last.get(delivery.unit.index, 0), delivery.changes)
    changed_targets = {targets[unit] for unit in last}
    m.krs_changed = len(changed_targets)
    m.krs_written = len(changed_targets & set(by_target))
    m.unchanged_written = sum(len(w) for t, w in by_target.items() if t not in changed_targets)
    for unit, changes in sorted(last.items()):
        written = [w.value for w in by_target.get(targets[unit], []) if w.value is not None]
        if not written or max(written) < progress_after(changes):
            m.lost.append(targets[unit])
    for delivery in real:
        wanted = progress_after(delivery.changes)
        landed = [
            w.at
            for w in by_target.get(targets[delivery.unit.index], [])
            if w.value is not None and w.value >= wanted
        ]
        if landed:
            m.latencies.append(min(landed) - delivery.sent)
        else:
            m.unanswered += 1


def count_runs(log_lines: list[dict[str, Any]], m: Measured) -> None:
    for line in log_lines:
        if line.get("event") == "run":
            m.runs += 1
            m.runs_by_outcome[str(line.get("outcome"))] += 1


def measure(
    deliveries: list[Delivery],
    writes: list[Write],
    targets: dict[int, str],
    log_lines: list[dict[str, Any]],
) -> Measured:
    measured = Measured()
    classify(deliveries, measured)
    match_writes(deliveries, writes, targets, measured)
    count_runs(log_lines, measured)
    return measured


def peak_rss_mb(pid: int) -> float | None:
    """A live process's peak resident memory (VmHWM), in MB; None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (a worker's pool, say)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return found
