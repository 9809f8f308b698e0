"""``python -m bench [--issues N] [--latency S] [--sample K] [--no-write]``."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from bench.contender import ContenderFailed
from bench.forecast import forecast_section, forecast_timings, with_section
from bench.goals import goals
from bench.machine import describe
from bench.report import render
from bench.run import run
from bench.settings import Settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _parser() -> argparse.ArgumentParser:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="okrsync's Jira pull against a script on the jira library, as ratios.",
    )
    parser.add_argument(
        "--issues", type=int, default=defaults.issues, help="issues in the sandbox's project BULK"
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=defaults.latency,
        help="seconds the sandbox adds to every request",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=defaults.sample,
        help="issues whose changelog the jira script reads (the rest is extrapolated)",
    )
    parser.add_argument(
        "--changed",
        type=float,
        default=defaults.changed_fraction,
        help="share of the issues changed before the incremental pull",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where to write the report (default: bench/RESULTS.md)",
    )
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument(
        "--forecast-only",
        action="store_true",
        help="time the forecasts only, and replace just their section of the report",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 3 when a goal is not met"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.issues < 1 or args.sample < 1 or args.latency < 0 or not 0 < args.changed <= 1:
        print(
            "error: --issues and --sample must be positive, --latency not negative and "
            "--changed in (0, 1]",
            file=sys.stderr,
        )
        return 2
    settings = Settings(
        issues=args.issues,
        latency=args.latency,
        sample=args.sample,
        changed_fraction=args.changed,
    )
    machine = describe()
    command = shlex.join(["python", "-m", "bench", *(argv if argv is not None else sys.argv[1:])])
    forecasts = forecast_section(forecast_timings(), command, machine.lines())
    if args.forecast_only:
        print(forecasts)
        if not args.no_write:
            previous = args.results.read_text() if args.results.is_file() else ""
            args.results.write_text(with_section(previous, forecasts))
        return 0

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        outcome = run(settings, progress)
    except ContenderFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    text = with_section(render(outcome, machine, command), forecasts)
    print(text)
    if not args.no_write:
        args.results.write_text(text)
        print(f"written to {args.results}", file=sys.stderr)
    if args.strict and not all(goal.met for goal in goals(outcome)):
        return 3
    return 0
