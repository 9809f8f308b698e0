"""Command-line interface. Each command is a thin shell around ``okrsync.runs``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from okrsync import runs
from okrsync.cli.progress import pull_progress
from okrsync.cli.tables import history_table, results_table, writes_table
from okrsync.cli.timeparse import parse_as_of
from okrsync.errors import ConfigError, OkrsyncError, ValidationFailed
from okrsync.plan import Plan, PlannedWrite, writes_from_document
from okrsync.secrets import redact

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Turn the work your teams finish in Jira into scored, explained OKR progress.",
)
# Piped output (cron mail, CI logs) gets room for the tables instead of 80 columns.
_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "120"))
out = Console(width=_WIDTH)
err = Console(stderr=True)

EXIT_PENDING = 2


@dataclass
class Options:
    config: str | None
    debug: bool


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        str | None, typer.Option("--config", "-c", help="config file (default: okrsync.yaml)")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    ctx.obj = Options(config, debug)


@contextmanager
def _errors(ctx: typer.Context, *, problems_on_stdout: bool = False) -> Iterator[None]:
    """One short message and exit 1 for anything that goes wrong; a traceback only
    with --debug.

    Validation problems are one line each, ``FILE:LINE:COL: error: message``: the
    output of ``validate`` (stdout, with a count on stderr), an error of any other
    command (stderr)."""
    options: Options = ctx.obj
    try:
        yield
    except ValidationFailed as failure:
        where = out if problems_on_stdout else err
        for problem in failure.problems:
            where.print(redact(str(problem)), markup=False, highlight=False, soft_wrap=True)
        if problems_on_stdout:
            count = len(failure.problems)
            err.print(f"{count} problem{'s' if count != 1 else ''} found", style="red")
        raise typer.Exit(1) from None
    except OkrsyncError as error:
        if options.debug:
            raise
        err.print(f"error: {redact(str(error))}", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted", style="red")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:
        if options.debug:
            raise
        err.print(
            f"internal error: {redact(type(error).__name__ + ': ' + str(error))} "
            "(run again with --debug for the traceback)",
            style="red",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def _load(ctx: typer.Context) -> Any:
    from okrsync.project import load_project

    return load_project(ctx.obj.config)


def _open_store(project: Any) -> Any:
    from okrsync.store import Store

    return Store.open(project.database_url)


@app.command()
def validate(ctx: typer.Context) -> None:
    """Load the config and every mapping file; print every problem."""
    with _errors(ctx, problems_on_stdout=True):
        project = _load(ctx)
        krs = project.key_results()
        out.print(
            f"ok: {len(project.files)} mapping file(s), {len(project.objectives())} "
            f"objective(s), {len(krs)} key result(s)"
        )


@app.command()
def pull(ctx: typer.Context) -> None:
    """Fetch from every source into the store (incrementally after the first run)."""
    with _errors(ctx):
        project = _load(ctx)
        store = _open_store(project)
        with store.run_lock(), runs.RunRecorder(store, "pull", None) as run:
            report = asyncio.run(_pull(project, store))
            run.pulled = report.as_dict()
        out.print(
            f"pulled {report.fetched} changed item(s) for {len(report.queries)} query(ies) "
            f"in {report.requests} request(s)"
        )


async def _pull(project: Any, store: Any) -> Any:
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        with pull_progress(err) as progress:
            return await runs.pull(project, store, connector_for, progress)


async def _fresh_plan(project: Any, store: Any, as_of: Any, do_pull: bool, run: Any) -> Plan:
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        if do_pull:
            with pull_progress(err) as progress:
                await runs.pull_into_run(project, store, connector_for, run, progress)
        return await runs.plan(project, store, connector_for, as_of)


def _title(as_of: datetime) -> str:
    return f"OKRs as of {as_of.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _show_plan(plan: Plan) -> None:
    document = plan.to_dict()
    out.print(results_table(document, title=_title(plan.as_of)))
    entries = [{"kr": kr["id"], **push} for kr in document["key_results"] for push in kr["pushes"]]
    if entries:
        out.print(writes_table(entries, title=f"{len(entries)} write(s) pending"))
    else:
        out.print("nothing to push: every tool already holds these results")


@app.command()
def plan(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluate as of this date")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="save the plan to a file")] = None,
    no_pull: Annotated[bool, typer.Option("--no-pull", help="use the store as it is")] = False,
) -> None:
    """Pull, evaluate every KR and show what would be pushed (exit 2 if writes are
    pending)."""
    with _errors(ctx):
        project = _load(ctx)
        store = _open_store(project)
        moment = parse_as_of(as_of, project.timezone)
        with store.run_lock(), runs.RunRecorder(store, "plan", moment) as run:
            result = asyncio.run(_fresh_plan(project, store, moment, not no_pull, run))
        document = result.to_dict()
        if out_file is not None:
            out_file.write_text(json.dumps(document, indent=2, default=str) + "\n")
        if as_json:
            sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        else:
            _show_plan(result)
    if result.pending:
        raise typer.Exit(EXIT_PENDING)


def _read_plan_file(path: Path, project: Any) -> list[PlannedWrite]:
    """The writes of a plan saved with ``plan --out``, checked before anything runs."""
    try:
        writes = writes_from_document(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ConfigError(f"plan file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"plan file {path} is a folder, not a file") from None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise ConfigError(
            f"plan file {path} is not a plan saved by 'okrsync plan --out': {reason}"
        ) from None
    for write in writes:
        if write.target.to not in project.connectors:
            raise ConfigError(
                f"plan file {path} pushes to connector instance '{write.target.to}', which "
                f"{project.config_file} does not define"
            )
    return writes


async def _apply(
    project: Any, store: Any, run: Any, saved: list[PlannedWrite] | None, as_of: Any
) -> tuple[list[Any], Any]:
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        fresh = None
        if saved is not None:
            writes = saved
        else:
            with pull_progress(err) as progress:
                await runs.pull_into_run(project, store, connector_for, run, progress)
            fresh = await runs.plan(project, store, connector_for, as_of)
            writes = fresh.all_writes()
        applied = await runs.apply(writes, store, connector_for, run.run_id)
        return applied, fresh


def _report_applied(applied: list[Any]) -> None:
    if not applied:
        out.print("nothing to push: every tool already holds these results")
        return
    entries = [
        {"kr": a.write.target.kr_id, **a.write.to_dict(), "target": a.issue or "—"} for a in applied
    ]
    out.print(writes_table(entries, title=f"{len(applied)} write(s) made"))


@app.command()
def apply(
    ctx: typer.Context,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", help="a plan saved with --out")
    ] = None,
) -> None:
    """Perform the pushes of a saved plan, or of a fresh one."""
    with _errors(ctx):
        project = _load(ctx)
        saved = None if plan_file is None else _read_plan_file(plan_file, project)
        store = _open_store(project)
        moment = parse_as_of(None, project.timezone)
        with store.run_lock(), runs.RunRecorder(store, "apply", moment) as run:
            applied, fresh = asyncio.run(_apply(project, store, run, saved, moment))
            if fresh is not None:
                runs.record_results(store, run.run_id, fresh, applied)
        _report_applied(applied)


@app.command()
def sync(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluate as of this date")] = None,
) -> None:
    """Pull, evaluate, apply and record a snapshot: the scheduled job."""
    with _errors(ctx):
        project = _load(ctx)
        store = _open_store(project)
        moment = parse_as_of(as_of, project.timezone)
        with (
            store.run_lock(),
            runs.RunRecorder(store, "sync", moment) as run,
            pull_progress(err) as progress,
        ):
            fresh, applied = asyncio.run(runs.sync(project, store, moment, run, progress))
        out.print(results_table(fresh.to_dict(), title=_title(moment)))
        _report_applied(applied)


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The latest recorded results, from the store (no network)."""
    with _errors(ctx):
        project = _load(ctx)
        store = _open_store(project)
        as_of_recorded, krs, objectives = store.latest_results()
        if as_of_recorded is None:
            raise ConfigError("no results recorded yet: run 'okrsync sync' first")
        # In the order of the mapping files, like plan and sync; results of ids no
        # longer defined come last.
        kr_order = {ref.id: index for index, ref in enumerate(project.key_results())}
        objective_order = {ref.id: index for index, ref in enumerate(project.objectives())}
        document = {
            "as_of": as_of_recorded.isoformat(),
            "objectives": sorted(
                (o.data for o in objectives),
                key=lambda data: objective_order.get(data.get("id"), len(objective_order)),
            ),
            "key_results": sorted(
                (k.data for k in krs),
                key=lambda data: kr_order.get(data.get("id"), len(kr_order)),
            ),
        }
        if as_json:
            sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        else:
            out.print(results_table(document, title=_title(as_of_recorded)))


@app.command()
def explain(
    ctx: typer.Context,
    kr: Annotated[str, typer.Argument(help="key result id")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluate as of this date")] = None,
) -> None:
    """The items behind a KR and what each contributes, with warnings."""
    from okrsync.cli.explain import show_explanation

    with _errors(ctx):
        project = _load(ctx)
        project.kr(kr)  # a clear error for an unknown id
        store = _open_store(project)
        moment = parse_as_of(as_of, project.timezone)
        metrics = asyncio.run(runs.current_metrics(project, [kr]))
        evaluation = runs.evaluate_project(project, store, moment, metrics)
        show_explanation(out, project, evaluation, kr)


@app.command()
def report(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="the HTML file to write")] = Path(
        "report.html"
    ),
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluate as of this date")] = None,
    title: Annotated[str, typer.Option("--title", help="the report's title")] = "OKRs",
) -> None:
    """Write one self-contained HTML report: objectives, KRs, trends, evidence."""
    from okrsync.report import build_report, write_report

    with _errors(ctx):
        project = _load(ctx)
        store = _open_store(project)
        moment = parse_as_of(as_of, project.timezone)
        metrics = asyncio.run(runs.current_metrics(project, [r.id for r in project.key_results()]))
        evaluation = runs.evaluate_project(project, store, moment, metrics)
        written = write_report(
            out_file, build_report(project, store, evaluation.to_dict(), title=title)
        )
        out.print(f"wrote {written}")


@app.command()
def history(
    ctx: typer.Context,
    kr: Annotated[str, typer.Argument(help="key result id")],
) -> None:
    """The KR's recorded (and back-filled) values over time."""
    with _errors(ctx):
        project = _load(ctx)
        project.kr(kr)
        store = _open_store(project)
        points = [
            {
                "as_of": point.as_of,
                "value": point.value,
                "unit": point.data.get("unit", ""),
                "progress": point.progress,
                "expected": point.expected,
                "status": point.status or "",
                "backfilled": point.backfilled,
            }
            for point in store.kr_history(kr)
        ]
        if not points:
            raise ConfigError(f"no recorded values for {kr} yet: run 'okrsync sync' first")
        out.print(history_table(kr, points))


@app.command()
def schema(ctx: typer.Context) -> None:
    """Print the JSON Schema of mapping files (for editor completion)."""
    from okrsync.mapping.schema import mapping_json_schema

    with _errors(ctx):
        sys.stdout.write(json.dumps(mapping_json_schema(), indent=2) + "\n")


@app.command()
def demo(ctx: typer.Context) -> None:
    """Run the whole loop offline against the bundled Jira sandbox."""
    from okrsync.demo import run_demo

    with _errors(ctx):
        run_demo(out, err)


def main() -> None:
    app()
