"""``python -m bench_serve [--units N] [--deliveries N] [--seconds S] [--duplicates F]
[--forged F] [--latency S] [--workers N] [--concurrency N] [--debounce D] [--store URL]
[--broker URL] [--results FILE] [--no-write] [--strict]``."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from dataclasses import fields
from pathlib import Path

from bench.machine import describe
from bench_serve.processes import BenchFailed
from bench_serve.report import figures, goals, section, table, with_section
from bench_serve.run import Settings, run

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "SERVE_RESULTS.md"


def _parser() -> argparse.ArgumentParser:
    d = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m bench_serve",
        description="okrsync serve under a minute of webhook deliveries, measured.",
    )
    add = parser.add_argument
    add("--units", type=int, default=d.units, help="sync units (mapping files), half on each tool")
    add("--deliveries", type=int, default=d.deliveries, help="webhook deliveries sent")
    add("--seconds", type=float, default=d.seconds, help="over how long they are sent")
    add("--duplicates", type=float, default=d.duplicates, help="share replaying a delivery id")
    add("--forged", type=float, default=d.forged, help="share with a wrong or no signature")
    add("--latency", type=float, default=d.latency, help="seconds added to each sandbox request")
    add("--workers", type=int, default=d.workers, help="worker threads (or processes: --broker)")
    add("--concurrency", type=int, default=d.concurrency, help="each worker's threads (--broker)")
    add("--debounce", default=d.debounce, help="serve.debounce, such as 2s")
    add("--store", default=None, help="an empty store's URL (default: a new SQLite file)")
    add("--broker", default=None, help="run the runs on `okrsync worker` processes over it")
    add("--results", type=Path, default=RESULTS, help="the results file to update")
    add("--no-write", action="store_true", help="print the report only")
    add("--strict", action="store_true", help="exit with status 3 when a goal is not met")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if (
        min(args.units, args.deliveries, args.workers, args.concurrency) < 1
        or args.seconds <= 0
        or args.latency < 0
        or not 0 <= args.duplicates < 1
        or not 0 <= args.forged < 1
    ):
        print(
            "error: --units, --deliveries, --workers and --concurrency must be positive, "
            "--seconds too, --latency not negative and --duplicates, --forged shares in [0, 1)",
            file=sys.stderr,
        )
        return 2
    if args.broker and not (args.store or "").startswith("postgresql"):
        print("error: --broker needs a shared store: --store postgresql://...", file=sys.stderr)
        return 2
    settings = Settings(**{f.name: getattr(args, f.name) for f in fields(Settings)})
    # Stopped (SIGTERM), the benchmark still stops the processes it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    machine = describe()
    command = shlex.join(["python", "-m", "bench_serve", *(sys.argv[1:] if argv is None else argv)])
    try:
        outcome = run(settings, lambda message: print(message, file=sys.stderr, flush=True))
    except (BenchFailed, ValueError) as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    print(table(figures(outcome)))
    print()
    print(
        table(
            [(g, f"{v} (goal {t}): {'met' if ok else 'NOT MET'}") for g, t, v, ok in goals(outcome)]
        )
    )
    if not args.no_write:
        previous = args.results.read_text() if args.results.is_file() else ""
        args.results.write_text(with_section(previous, section(outcome, machine, command)))
        print(f"written to {args.results}", file=sys.stderr)
    if args.strict and not all(met for *_, met in goals(outcome)):
        return 3
    return 0
