"""The commands that talk to the tools: pull, plan, apply and sync."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from okrsync import runs
from okrsync.cli.app import JsonOption, command
from okrsync.cli.failures import show_failures
from okrsync.cli.json_stream import write_json
from okrsync.cli.progress import pull_progress
from okrsync.cli.shell import (
    EXIT_PENDING,
    err,
    handle_errors,
    instants,
    load,
    open_store,
    out,
    print_json,
    recorded_run,
    show_results,
)
from okrsync.cli.tables import (
    plural,
    writes_table,
)
from okrsync.cli.timeparse import AS_OF_FORMS
from okrsync.errors import ConfigError
from okrsync.outfile import check_out, write_out
from okrsync.plan import Plan, PlannedWrite, writes_from_document
from okrsync.saved_plan import bind, check_binding, check_declared


@command()
def pull(ctx: typer.Context) -> None:
    """Fetch items and metrics from every source into the store.

    Items are pulled incrementally after the first run; every metric the mappings use
    is read and recorded with the run's time."""
    with handle_errors(ctx):
        project = load(ctx)
        store = open_store(project)
        with recorded_run(ctx, store, "pull") as run:
            report = asyncio.run(_pull(project, store, run))
        metrics = run.pulled.get("metrics", 0)
        queries = plural(len(report.queries), "query", "queries")
        requests = plural(report.requests, "request")
        said = []
        if report.queries:
            fetched = (
                f"pulled {plural(report.changed, 'changed item')}"
                if report.changed
                else "nothing changed since the last pull"
            )
            said.append(f"{fetched} ({queries}, {requests})")
        if metrics:
            said.append(f"recorded {plural(metrics, 'metric value')}")
        out.print("; ".join(said) or "nothing to pull: no mapping selects items or reads metrics")
    if show_failures(run):
        raise typer.Exit(1)


async def _pull(project: Any, store: Any, run: runs.RunRecorder) -> Any:
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        with pull_progress(err) as progress:
            return await runs.pull_into_run(project, store, connector_for, run, progress)


async def _fresh_plan(project: Any, store: Any, as_of: Any, do_pull: bool, run: Any) -> Plan:
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        if do_pull:
            with pull_progress(err) as progress:
                await runs.pull_into_run(project, store, connector_for, run, progress)
        return await runs.plan(project, store, connector_for, as_of, run)


def _show_plan(plan: Plan, project: Any) -> None:
    document = plan.to_dict()
    show_results(document, plan.as_of, project)
    entries = [{"kr": kr["id"], **push} for kr in document["key_results"] for push in kr["pushes"]]
    if entries:
        title = f"{plural(len(entries), 'write')} pending"
        out.print(writes_table(entries, title=title, width=out.width))
    else:
        out.print("nothing to push: every tool already holds these results")


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="T", help=f"evaluate as of T: {AS_OF_FORMS}"),
]


@command(takes_json=True)
def plan(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="save the plan to a file")
    ] = None,
    no_pull: Annotated[
        bool, typer.Option("--no-pull", metavar="", help="use the store as it is")
    ] = False,
) -> None:
    """Pull, evaluate every KR and show what would be pushed (exit 2: writes pending)."""
    with handle_errors(ctx):
        project = load(ctx)
        if out_file is not None:
            check_out(out_file, "the plan")
        store = open_store(project)
        started, moment = instants(as_of, project)
        with recorded_run(ctx, store, "plan", moment, started) as run:
            result = asyncio.run(_fresh_plan(project, store, moment, not no_pull, run))
        document = bind(result.to_dict(), store)
        if out_file is not None:
            # Streamed into the temporary file that replaces ``out_file`` whole.
            write_out(out_file, lambda stream: write_json(document, stream), "the plan")
        if as_json:
            print_json(document)
        else:
            _show_plan(result, project)
    if show_failures(run):
        raise typer.Exit(1)
    if result.pending:
        raise typer.Exit(EXIT_PENDING)


def _read_plan_file(path: Path, project: Any, store: Any) -> list[PlannedWrite]:
    """The writes of a plan saved with ``plan --out``, checked before anything runs:
    made from this store and unchanged since, writing only where the mappings push."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        writes = writes_from_document(document)
    except FileNotFoundError:
        raise ConfigError(f"plan file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"plan file {path} is a folder, not a file") from None
    except RecursionError:
        raise ConfigError(
            f"plan file {path} is not a plan saved by 'okrsync plan --out': "
            "its JSON is nested far too deeply"
        ) from None
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
    check_binding(document, store, str(path))
    key_results = {ref.id: ref.kr for ref in project.key_results()}
    check_declared(writes, key_results, store, str(path))
    return writes


async def _apply(
    project: Any, store: Any, run: Any, saved: tuple[Path, list[PlannedWrite]] | None, as_of: Any
) -> tuple[list[Any], list[PlannedWrite], Any]:
    """(writes made, saved writes already current, the fresh plan or None)."""
    async with runs.open_connectors(project, runs.used_instances(project)) as connector_for:
        if saved is not None:
            path, writes = saved
            applied, current = await runs.apply_saved(writes, store, connector_for, run, str(path))
            return applied, current, None
        with pull_progress(err) as progress:
            await runs.pull_into_run(project, store, connector_for, run, progress)
        fresh = await runs.plan(project, store, connector_for, as_of, run)
        applied = await runs.apply(fresh.all_writes(), store, connector_for, run)
        return applied, [], fresh


def _report_applied(applied: list[Any], current: list[PlannedWrite] | None = None) -> None:
    """The writes made (each acknowledged by the tool), and apart from them the saved
    plan's targets that already held its value: those are no writes."""
    if current:
        entries = [{"kr": w.target.kr_id, **w.to_dict()} for w in current]
        title = f"{plural(len(current), 'target')} already current"
        out.print(writes_table(entries, title=title, width=out.width))
    if not applied:
        out.print(
            "no write made: every target already holds the plan's value"
            if current
            else "nothing to push: every tool already holds these results"
        )
        return
    entries = [
        {"kr": a.write.target.kr_id, **a.write.to_dict(), "target": a.issue or "—"} for a in applied
    ]
    out.print(writes_table(entries, title=f"{plural(len(applied), 'write')} made", width=out.width))


@command()
def apply(
    ctx: typer.Context,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", metavar="FILE", help="a plan saved with --out")
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Perform the pushes of a saved plan, or of a fresh one.

    A saved plan is checked first: targets that already hold its values are reported
    as current; if any target changed since the plan was made, nothing is written."""
    with handle_errors(ctx):
        project = load(ctx)
        if plan_file is not None and as_of is not None:
            raise ConfigError(
                "--as-of does not go with --plan: a saved plan holds the values of the "
                "instant it was made for ('okrsync plan --as-of T --out FILE')"
            )
        store = open_store(project)
        saved = (
            None if plan_file is None else (plan_file, _read_plan_file(plan_file, project, store))
        )
        started, moment = instants(as_of, project)
        with recorded_run(ctx, store, "apply", moment, started) as run:
            applied, current, fresh = asyncio.run(_apply(project, store, run, saved, moment))
            if fresh is not None:
                run.progress.stage = "recording"
                runs.record_results(store, run.run_id, fresh, applied)
        _report_applied(applied, current)
    if show_failures(run):
        raise typer.Exit(1)


@command()
def sync(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            metavar="FILE",
            help="sync one mapping file only (its KRs, and the objectives they count towards)",
        ),
    ] = None,
) -> None:
    """Pull, evaluate, apply and record a snapshot: the scheduled job."""
    with handle_errors(ctx):
        project = load(ctx)
        if unit is not None:
            from okrsync.units import UnitProject

            project = UnitProject(project, unit)
            unit = project.unit
        store = open_store(project)
        started, moment = instants(as_of, project)
        with (
            recorded_run(ctx, store, "sync", moment, started, unit=unit) as run,
            pull_progress(err) as progress,
        ):
            fresh, applied = asyncio.run(runs.sync(project, store, moment, run, progress))
        show_results(fresh.to_dict(), moment, project)
        _report_applied(applied)
        backfilled = run.pulled.get("backfilled") or {}
        if backfilled:
            out.print(
                f"back-filled the daily history of {plural(len(backfilled), 'key result')} from "
                "their cycle start: see 'okrsync history KR'"
            )
    if show_failures(run):
        raise typer.Exit(1)
