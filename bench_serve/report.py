"""The benchmark's report: one Markdown section per variant (in-process queue, broker)
in ``bench/SERVE_RESULTS.md``, each with its machine, its goals and its figures."""

from __future__ import annotations

import re
import statistics

from bench.machine import Machine
from bench_serve.run import Outcome

TITLE = "# okrsync serve under load"
INTRO = (
    "`make bench-serve` (`python -m bench_serve`): a real `okrsync serve` process against "
    "the Jira and GitHub sandboxes (one process of their own, 20 ms added to every "
    "request), one sync unit per team, webhook deliveries sent at a steady rate with "
    "duplicates (replayed delivery ids) and forged signatures mixed in. Each real delivery "
    "follows a real change (an item closed), so each has a result to write back: the time "
    "from sending it to the write landing in the sandbox's log is measured per delivery."
)
GOAL_P95 = 10.0
GOAL_SERVE_MB = 300.0


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} MB"


def _cpu(outcome: Outcome, cpu: float | None) -> str:
    """``cpu`` seconds of CPU time (serve's, the workers' or the sandboxes'), the share
    of one core it was over the load and settling, and the CPU time per run."""
    wall, runs = outcome.serve_wall_seconds, outcome.measured.runs
    if cpu is None:
        return "—"
    share = f", {cpu / wall:.0%} of one core over {wall:.0f} s" if wall > 0 else ""
    per_run = f", {cpu / runs:.2f} s a run" if runs else ""
    return f"{cpu:.1f} s{share}{per_run}"


def variant(outcome: Outcome) -> str:
    return "broker" if outcome.settings.broker else "in-process"


def goals(outcome: Outcome) -> list[tuple[str, str, str, bool]]:
    """(goal, target, measured, met) for each of the issue's goals."""
    m = outcome.measured
    lost = len(m.lost) + m.unanswered
    return [
        ("zero lost writes", "0", f"{lost}", lost == 0),
        ("zero duplicate writes", "0", f"{m.duplicate_writes}", m.duplicate_writes == 0),
        (
            "p95 delivery to write-back",
            f"< {GOAL_P95:g} s",
            _seconds(m.p95),
            m.p95 is not None and m.p95 < GOAL_P95,
        ),
        (
            "serve's peak memory",
            f"< {GOAL_SERVE_MB:g} MB",
            _mb(outcome.serve_peak_mb),
            outcome.serve_peak_mb is not None and outcome.serve_peak_mb < GOAL_SERVE_MB,
        ),
        (
            "every delivery answered as it should be",
            f"{m.sent:,}",
            f"{m.sent - m.unexpected:,}",
            m.unexpected == 0 and m.consistent,
        ),
    ]


def figures(outcome: Outcome) -> list[tuple[str, str]]:
    m, s = outcome.measured, outcome.settings
    runs = ", ".join(f"{n} {name}" for name, n in sorted(m.runs_by_outcome.items()))
    durations = outcome.run_seconds
    workers = (
        ", ".join(_mb(w) for w in outcome.worker_peak_mb)
        if s.broker
        else f"in serve ({s.workers} threads)"
    )
    changed = max(m.krs_changed, 1)
    return [
        ("deliveries sent", f"{m.sent:,} in {m.send_seconds:.1f} s"),
        ("accepted (202)", f"{m.accepted:,} (real: {m.by_kind['real']:,})"),
        ("refused (401)", f"{m.refused:,} (forged: {m.by_kind['forged']:,})"),
        ("de-duplicated (200)", f"{m.deduplicated:,} (replayed: {m.by_kind['duplicate']:,})"),
        ("no answer or 5xx", f"{m.failed:,}"),
        ("runs made", f"{m.runs:,}" + (f" ({runs})" if runs else "")),
        (
            "run duration: median, p95",
            "—"
            if not durations
            else f"{statistics.median(durations):.2f} s, "
            f"{sorted(durations)[max(0, round(0.95 * len(durations)) - 1)]:.2f} s",
        ),
        ("KRs changed / written", f"{m.krs_changed:,} / {m.krs_written:,}"),
        (
            "KR writes made",
            f"{m.kr_writes:,} ({m.kr_writes / changed:.2f} per changed KR; "
            f"{m.duplicate_writes} with a value already written; "
            f"{m.unchanged_written} to unchanged KRs; {m.other_writes} other writes)",
        ),
        (
            "changes whose result never landed",
            f"{m.unanswered:,} (KRs short of their last change: {len(m.lost)})",
        ),
        ("delivery to write-back: p50", _seconds(m.p50)),
        ("delivery to write-back: p95", _seconds(m.p95)),
        (
            "delivery to write-back: max",
            _seconds(max(m.latencies) if m.latencies else None),
        ),
        ("last delivery to the last result landing", _seconds(outcome.settle_seconds)),
        ("serve's peak memory (VmHWM)", _mb(outcome.serve_peak_mb)),
        ("workers' peak memory", workers),
        ("serve's CPU time, load and settling", _cpu(outcome, outcome.serve_cpu_seconds)),
        *(
            [("workers' CPU time, together", _cpu(outcome, outcome.workers_cpu_seconds))]
            if s.broker
            else []
        ),
        ("the sandboxes' CPU time", _cpu(outcome, outcome.sandboxes_cpu_seconds)),
        (
            "requests to the sandboxes (load and settling)",
            ", ".join(f"{k} {v:,}" for k, v in sorted(outcome.requests.items())),
        ),
        ("first sync of every unit (before the load)", _seconds(outcome.initial_sync_seconds)),
    ]


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def section(outcome: Outcome, machine: Machine, command: str, notes: str = "") -> str:
    s = outcome.settings
    one, five, fifteen = outcome.load_after
    runners = (
        f"{s.workers} worker processes of {s.concurrency} threads"
        if s.broker
        else f"{s.workers} worker threads"
    )
    lines = [
        f"## {variant(outcome).capitalize()} {'workers' if s.broker else 'queue'}",
        "",
        f"Command: `{command}`",
        "",
        f"{s.units} units ({s.units - s.units // 2} on Jira, {s.units // 2} on GitHub), "
        f"{s.deliveries:,} deliveries over {s.seconds:g} s ({s.duplicates:.0%} duplicates, "
        f"{s.forged:.0%} forged), {s.latency * 1000:g} ms latency, {runners}, debounce "
        f"{s.debounce}, store {s.store or 'SQLite (a file)'}"
        + (f", broker {s.broker}" if s.broker else "")
        + ".",
        "",
        "### Machine",
        "",
        *[f"- {line}" for line in machine.lines()],
        f"- Load average at the end: {one:.2f}, {five:.2f}, {fifteen:.2f} "
        "(other work shares the machine's cores)",
        "",
        "### Goals",
        "",
        "| goal | target | measured | verdict |",
        "|---|---:|---:|---|",
        *[
            f"| {goal} | {target} | {value} | {'met' if met else '**NOT MET**'} |"
            for goal, target, value, met in goals(outcome)
        ],
        "",
        "### Figures",
        "",
        "| | |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in figures(outcome)],
    ]
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"


_SECTION = re.compile(r"^## (In-process queue|Broker workers)\n.*?(?=^## |\Z)", re.M | re.S)


def with_section(previous: str, new: str) -> str:
    """The results file with ``new`` in place of the section of the same title (or added);
    the other variant's section and any notes outside the sections are kept."""
    title = new.splitlines()[0]
    body = previous if previous.startswith(TITLE) else f"{TITLE}\n\n{INTRO}\n\n"
    for match in _SECTION.finditer(body):
        if match.group(0).splitlines()[0] == title:
            return body[: match.start()] + new + "\n" + body[match.end() :].lstrip("\n")
    return body.rstrip("\n") + "\n\n" + new
