"""``python -m bench [--part pull|evaluate|github|redmine] [--forecast-only] [--issues N]
[--latency S] [--sample K] [--items N] [--krs K] [--github-issues N] [--github-sample K]
[--redmine-issues N] [--no-write]``."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from bench import eval_report, github_report, redmine_part
from bench.contender import ContenderFailed
from bench.eval_data import Scale
from bench.eval_report import render_section, replace_section, section_of
from bench.evaluation import GOAL_MB, GOAL_SECONDS, run_evaluation
from bench.forecast import forecast_section, forecast_timings, with_section
from bench.github_part import GitHubSettings, run_github
from bench.goals import all_goals
from bench.machine import describe
from bench.report import render
from bench.run import run
from bench.settings import Settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PARTS = ("pull", "evaluate", "github", "redmine")
# The sections each part keeps to itself, so that a part run alone keeps the others'.
_SECTIONS = (
    (eval_report.BEGIN, eval_report.END),
    (github_report.BEGIN, github_report.END),
    (redmine_part.BEGIN, redmine_part.END),
)


def _parser() -> argparse.ArgumentParser:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="okrsync's pulls (Jira, GitHub, Redmine) against user scripts, as ratios.",
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
    parser.add_argument(
        "--part",
        choices=("all", *PARTS),
        default="all",
        help="one part: Jira pull, evaluation, GitHub pull, Redmine pull; or all (default)",
    )
    github = GitHubSettings()
    parser.add_argument(
        "--github-issues",
        type=int,
        default=github.issues,
        help="issues with history in the GitHub sandbox's acme/load",
    )
    parser.add_argument(
        "--github-sample",
        type=int,
        default=github.sample,
        help="issues whose timeline the PyGithub script reads (the rest is extrapolated)",
    )
    parser.add_argument(
        "--redmine-issues",
        type=int,
        default=redmine_part.ISSUES,
        help="issues with journals seeded into the real Redmine",
    )
    scale = Scale()
    parser.add_argument(
        "--items", type=int, default=scale.items, help="stored items the evaluation reads"
    )
    parser.add_argument("--krs", type=int, default=scale.krs, help="KRs evaluated")
    parser.add_argument(
        "--stores",
        default="sqlite,postgresql",
        help="stores the evaluation runs on, comma-separated (sqlite, postgresql)",
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
    if min(args.github_issues, args.github_sample, args.redmine_issues) < 1:
        print(
            "error: --github-issues, --github-sample and --redmine-issues must be positive",
            file=sys.stderr,
        )
        return 2
    stores = tuple(name.strip() for name in args.stores.split(",") if name.strip())
    if args.items < 1 or args.krs < 1 or not set(stores) <= {"sqlite", "postgresql"}:
        print(
            "error: --items and --krs must be positive, --stores among sqlite,postgresql",
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
    if args.forecast_only:
        forecasts = forecast_section(forecast_timings(), command, machine.lines())
        print(forecasts)
        if not args.no_write:
            previous = args.results.read_text() if args.results.is_file() else ""
            args.results.write_text(with_section(previous, forecasts))
        return 0

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    previous = args.results.read_text() if args.results.is_file() else ""
    met = True
    text = previous
    if args.part in ("all", "pull"):
        forecasts = forecast_section(forecast_timings(), command, machine.lines())
        try:
            outcome = run(settings, progress)
        except ContenderFailed as failure:
            print(f"error: {failure}", file=sys.stderr)
            return 1
        # The pull report is the file's body with the forecasts; the other parts'
        # sections are kept.
        kept = "".join(section_of(previous, begin, end) for begin, end in _SECTIONS)
        body = render(outcome, machine, command) + "\n" + kept
        text = with_section(body, forecasts)
        met = all(goal.met for goal in all_goals(outcome))
    if args.part in ("all", "evaluate"):
        scale = Scale(items=args.items, krs=args.krs)
        started = os.getloadavg()
        backends = run_evaluation(scale, progress, stores)
        load = (started, os.getloadavg())
        text = replace_section(text, render_section(backends, scale, load))
        met = met and all(b.met(GOAL_SECONDS, GOAL_MB) for b in backends)
    if args.part in ("all", "github"):
        github = GitHubSettings(
            issues=args.github_issues, latency=args.latency, sample=args.github_sample
        )
        try:
            found = run_github(github, progress)
        except ContenderFailed as failure:
            print(f"error: {failure}", file=sys.stderr)
            return 1
        section = github_report.render_github(found, command)
        text = replace_section(text, section, github_report.BEGIN, github_report.END)
        met = met and found.check.agrees and found.done_total_agrees
    if args.part in ("all", "redmine"):
        section = redmine_part.run_section(args.redmine_issues, command, progress)
        text = replace_section(text, section, redmine_part.BEGIN, redmine_part.END)
    print(text)
    if not args.no_write:
        args.results.write_text(text)
        print(f"written to {args.results}", file=sys.stderr)
    if args.strict and not met:
        return 3
    return 0
