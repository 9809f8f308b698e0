"""The evaluation benchmark's figures as a Markdown section of ``bench/RESULTS.md``.

The section sits between markers, so the pull benchmark and the evaluation benchmark
can each be run alone (``--part``) and replace only their own part of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.eval_data import AS_OF, KRS_PER_TEAM, Scale
from bench.evaluation import GOAL_MB, GOAL_SECONDS, Backend, Measured
from bench.report import _seconds, _table

BEGIN = "<!-- evaluation benchmark -->"
END = "<!-- end of the evaluation benchmark -->"
# Figures of the code before evaluation was made to scale and after, measured back to
# back on this machine with the same data (the file says which commit and how).
BEFORE = Path(__file__).resolve().parent / "eval_before.json"


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _goals(backends: list[Backend]) -> list[str]:
    rows = []
    for backend in backends:
        plan = backend.plan
        rows.append(
            [
                f"{backend.name}: `plan --no-pull --json` under {GOAL_SECONDS:.0f} s",
                f"< {GOAL_SECONDS:.0f} s",
                _seconds(plan.seconds),
                _verdict(plan.seconds < GOAL_SECONDS),
            ]
        )
        rows.append(
            [
                f"{backend.name}: its peak memory under 1 GB",
                f"< {GOAL_MB:,.0f} MB",
                _mb(plan.peak_mb),
                _verdict(plan.peak_mb < GOAL_MB),
            ]
        )
    return _table(["goal", "target", "measured", "verdict"], rows, "lrrl")


def _figures(backends: list[Backend]) -> list[str]:
    header = ["", *(backend.name for backend in backends)]

    def row(label: str, values: list[str]) -> list[str]:
        return [label, *values]

    def timed(label: str, measured: list[Measured]) -> list[list[str]]:
        return [
            row(f"{label}: wall time", [_seconds(m.seconds) for m in measured]),
            row(f"{label}: CPU time", [_seconds(m.cpu_seconds) for m in measured]),
            row(f"{label}: peak memory", [_mb(m.peak_mb) for m in measured]),
        ]

    rows = [
        row("store seeded (driver bulk insert)", [_seconds(b.seed_seconds) for b in backends]),
        row("items / changes stored", [f"{b.items:,} / {b.changes:,}" for b in backends]),
        *timed("`plan --no-pull --json`", [b.plan for b in backends]),
        row("JSON written", [f"{b.plan_bytes / 1e6:,.0f} MB" for b in backends]),
        row("KRs / evidence", [f"{b.key_results} / {b.evidence_items:,}" for b in backends]),
        row("full evaluation, in process", [_seconds(b.evaluate_seconds) for b in backends]),
        row(
            f"one unit re-scored ({KRS_PER_TEAM} KRs)",
            [_seconds(b.rescore_seconds) for b in backends],
        ),
        row(
            "re-score vs full evaluation",
            [f"{b.evaluate_seconds / b.rescore_seconds:,.0f}× faster" for b in backends],
        ),
        row(
            "re-scored results equal the full evaluation's",
            ["yes" if b.same_results else "**no**" for b in backends],
        ),
        row(
            "`okrsync backfill` of every KR: CPU time",
            [_seconds(b.backfill.cpu_seconds) for b in backends],
        ),
        *timed(
            "then `plan --no-pull --json` (points recorded)", [b.recorded_plan for b in backends]
        ),
        row(
            "its JSON equals the never-synced plan's",
            ["yes" if b.recorded_same else "**no**" for b in backends],
        ),
    ]
    return _table(header, rows, "l" + "r" * len(backends))


def _before() -> list[str]:
    """The code before and after this work, run back to back on the same store."""
    if not BEFORE.exists():
        return []
    before: dict[str, Any] = json.loads(BEFORE.read_text())
    rows = []
    for name, old in before.items():
        if not isinstance(old, dict):
            continue
        rows += [
            [
                f"{name}: wall time",
                _seconds(old["seconds"]),
                _seconds(old["after_seconds"]),
                f"{old['seconds'] / old['after_seconds']:,.1f}× faster",
            ],
            [
                f"{name}: CPU time",
                _seconds(old["cpu_seconds"]),
                _seconds(old["after_cpu_seconds"]),
                f"{old['cpu_seconds'] / old['after_cpu_seconds']:,.1f}× less",
            ],
            [
                f"{name}: peak memory",
                _mb(old["peak_mb"]),
                _mb(old["after_peak_mb"]),
                f"{old['peak_mb'] / old['after_peak_mb']:,.1f}× less",
            ],
        ]
    return [
        "",
        f"`plan --no-pull --json` before this work (commit {before['commit']}) and after "
        f"({before['how']}):",
        "",
        *_table(["", "before", "after", "after vs before"], rows, "lrrr"),
    ]


Load = tuple[float, float, float]


def _load(values: Load) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def render_section(
    backends: list[Backend], scale: Scale, load: tuple[Load, Load] | None = None
) -> str:
    """The section; ``load`` is the machine's load average at the start and the end."""
    lines = [
        BEGIN,
        "## Evaluation at service scale",
        "",
        f"`python -m bench --part evaluate` — {scale.krs} KRs in {scale.teams} mapping files "
        f"(one sync unit each) over {scale.items:,} stored items, each KR selecting its "
        f"own project ({scale.per_kr:,} items); the KRs rotate through completion (by "
        "count and by story points), done, a sum of story points, median cycle time and a "
        f"filtered count. Evaluated as of {AS_OF} in cycle 2027-Q1.",
        "",
    ]
    if load is not None:
        lines += [
            f"Load average at the start: {_load(load[0])}; at the end: {_load(load[1])} "
            "(2 cores shared with other work: wall time beyond a process's CPU time is "
            "time it waited for a core).",
            "",
        ]
    lines += [
        *_goals(backends),
        "",
        *_figures(backends),
        *_before(),
        "",
        "- `plan --no-pull --json` runs as its own process with stdout to a file, timed "
        "from outside: interpreter start-up, the run lock and record, the evaluation, the "
        "data-quality warnings and the JSON. Peak memory is its `ru_maxrss`.",
        "- The service figures come from one process (`bench.eval_unit`) that evaluates "
        "everything (`runs.evaluate_project`) and then re-scores one unit after its sync "
        "(`runs.rescore_units`), keeping the other KRs' results, as `okrsync serve` does.",
        "- The goals are measured on a store that was never synced: every trend KR's "
        'daily points are rebuilt for its forecast. The rows "points recorded" show '
        "the steady state of a synced store, which is what `okrsync serve` re-scores "
        "after each webhook: `okrsync backfill` has recorded every KR's daily points (as "
        "a sync does after its first run), so no trend is rebuilt, and the plan's JSON "
        "must equal the never-synced one's.",
        "- PostgreSQL: a database of its own on the local server, created fresh.",
        END,
    ]
    return "\n".join(lines) + "\n"


def replace_section(text: str, section: str, begin: str = BEGIN, end: str = END) -> str:
    """``text`` with its section between ``begin`` and ``end`` (the evaluation's unless
    told) replaced by ``section``, or with ``section`` appended."""
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        return head + section.rstrip("\n") + tail
    return text.rstrip("\n") + "\n\n" + section


def section_of(text: str, begin: str = BEGIN, end: str = END) -> str:
    """The section of ``text`` between ``begin`` and ``end`` (the evaluation's unless
    told); empty if it has none."""
    if begin not in text or end not in text:
        return ""
    _, _, rest = text.partition(begin)
    inner, _, _ = rest.partition(end)
    return begin + inner + end + "\n"
