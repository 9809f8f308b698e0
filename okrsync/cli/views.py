"""The commands that read the config and the store: validate, status, explain, report,
history, backfill, runs, schema, and the offline demo."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from okrsync import runs
from okrsync.cli.app import JsonOption, command
from okrsync.cli.cycles import closure_lines
from okrsync.cli.shell import (
    err,
    handle_errors,
    instants,
    load,
    open_store,
    out,
    print_json,
    recorded_run,
    show_results,
    shown_instant,
)
from okrsync.cli.tables import (
    backfill_table,
    history_table,
    instant_label,
    plural,
    runs_table,
)
from okrsync.cli.timeparse import AS_OF_FORMS, parse_as_of
from okrsync.closing import closures_document
from okrsync.errors import ConfigError
from okrsync.secrets import redact


@command(takes_json=True)
def validate(
    ctx: typer.Context,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="also check against the tools, without writing: queries, fields, push targets",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Load the config and every mapping file; print every problem."""
    import asyncio

    from okrsync.errors import ValidationFailed
    from okrsync.online_check import check_online

    with handle_errors(ctx, problems_on_stdout=True):
        try:
            project = load(ctx)
            if online:
                problems = asyncio.run(check_online(project))
                if problems:
                    raise ValidationFailed(problems)
        except ValidationFailed as failure:
            if not as_json:
                raise
            print_json(_validation_document(failure.problems, online))
            raise typer.Exit(1) from None
        krs = project.key_results()
        if as_json:
            counts = {
                "files": len(project.files),
                "objectives": len(project.objectives()),
                "key_results": len(krs),
            }
            print_json({**_validation_document(list(project.notes), online), **counts})
            return
        if not online:
            for note in project.notes:
                err.print(str(note), highlight=False, soft_wrap=True)
        out.print(
            f"ok: {plural(len(project.files), 'mapping file')}, "
            f"{plural(len(project.objectives()), 'objective')}, {plural(len(krs), 'key result')}"
            + (", checked against the tools" if online else "")
        )


def _validation_document(problems: list[Any], online: bool) -> dict[str, Any]:
    """``validate --json``: whether the files are valid, and every problem located."""
    return {
        "valid": not any(problem.level == "error" for problem in problems),
        "online": online,
        "problems": [
            {
                "file": problem.file,
                "line": problem.line,
                "column": problem.column,
                "level": problem.level,
                "message": redact(problem.message),
            }
            for problem in problems
        ],
    }


@command(takes_json=True)
def status(
    ctx: typer.Context,
    as_json: JsonOption = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="T", help=f"the latest results as of T or earlier; T: {AS_OF_FORMS}"
        ),
    ] = None,
) -> None:
    """The latest recorded results, from the store (no network)."""
    with handle_errors(ctx):
        project = load(ctx)
        store = open_store(project)
        limit = None if as_of is None else parse_as_of(as_of, project.timezone)
        document = status_document(project, store, limit)
        if document is None:
            raise ConfigError(
                "no results recorded yet: run 'okrsync sync' first"
                if limit is None
                else f"no results recorded as of {as_of} or earlier"
            )
        if as_json:
            print_json(document)
        else:
            show_results(document, datetime.fromisoformat(document["as_of"]), project)
            for line in closure_lines(document.get("closed_cycles") or []):
                out.print(line, highlight=False)


def status_document(project: Any, store: Any, limit: datetime | None = None) -> Any:
    """``status --json``: the latest results recorded (as of ``limit`` or earlier), or
    None when there are none."""
    as_of_recorded, krs, objectives = store.latest_results(limit)
    if as_of_recorded is None:
        return None
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
    from okrsync.failures import mark_stale

    mark_stale(document, krs, store)  # a KR its latest run failed shows its last value
    closed = closures_document(store)
    if closed:
        document["closed_cycles"] = closed
    return document


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="T",
        help=f"evaluate as of T (default: the latest recorded run's): {AS_OF_FORMS}",
    ),
]


@command(takes_json=True)
def explain(
    ctx: typer.Context,
    kr: Annotated[str, typer.Argument(help="key result id")],
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """The items behind a KR, what each contributes, and the arithmetic.

    Reads the store only: no network."""
    from okrsync.cli.explain import explanation_document, show_explanation

    with handle_errors(ctx):
        project = load(ctx)
        project.kr(kr)  # a clear error for an unknown id
        store = open_store(project)
        moment = shown_instant(project, store, as_of)
        evaluation = runs.evaluate_project(project, store, moment)
        if as_json:
            print_json(explanation_document(project, evaluation, kr, store))
        else:
            show_explanation(out, project, evaluation, kr, store)


@command()
def report(
    ctx: typer.Context,
    out_file: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="the HTML file to write")
    ] = Path("report.html"),
    as_of: AsOfOption = None,
    title: Annotated[str, typer.Option("--title", metavar="TEXT", help="the report's title")] = (
        "OKRs"
    ),
) -> None:
    """Write one self-contained HTML report: objectives, KRs, trends, evidence.

    Reads the store only: no network."""
    from okrsync.outfile import check_out
    from okrsync.report import build_report, write_report

    with handle_errors(ctx):
        project = load(ctx)
        check_out(out_file, "the report")
        store = open_store(project)
        moment = shown_instant(project, store, as_of)
        evaluation = runs.evaluate_project(project, store, moment)
        written = write_report(
            out_file, build_report(project, store, evaluation.to_dict(), title=title)
        )
        out.print(f"wrote {written} (as of {instant_label(moment, project.timezone)})")


@command(takes_json=True)
def history(
    ctx: typer.Context,
    kr: Annotated[str, typer.Argument(help="key result id")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="T", help=f"only the values as of T or earlier; T: {AS_OF_FORMS}"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The KR's recorded (and back-filled) values over time."""
    with handle_errors(ctx):
        project = load(ctx)
        project.kr(kr)
        store = open_store(project)
        moment = shown_instant(project, store, as_of)
        points = [
            {
                "as_of": point.as_of,
                "value": point.value,
                "unit": point.data.get("unit", ""),
                "progress": point.progress,
                "expected": point.expected,
                "status": point.status or "",
                "backfilled": point.backfilled,
                "override": point.override,
            }
            for point in store.kr_history(kr)
            if point.as_of <= moment
        ]
        if not points:
            raise ConfigError(f"no recorded values for {kr} yet: run 'okrsync sync' first")
        closed = [
            c for c in closures_document(store) if any(k["id"] == kr for k in c["key_results"])
        ]
        if as_json:
            document = {"kr": kr, "as_of": moment.isoformat(), "points": points}
            print_json({**document, "closed_cycles": closed} if closed else document)
        else:
            title = f"history of {kr} up to {instant_label(moment, project.timezone)}"
            out.print(history_table(points, project.timezone, title, width=out.width))
            for line in closure_lines(closed, kr):
                out.print(line, highlight=False)


@command()
def backfill(
    ctx: typer.Context,
    krs: Annotated[
        list[str] | None, typer.Argument(help="key result ids (default: every KR)")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=f"back-fill up to this instant (default: now): {AS_OF_FORMS}"),
    ] = None,
) -> None:
    """Rebuild daily KR values from the cycle start, from the stored history.

    Runs to now (or --as-of) with no network; a new back-fill replaces the KR's
    earlier one."""
    with handle_errors(ctx):
        project = load(ctx)
        ids = list(dict.fromkeys(krs or [])) or None
        for kr_id in ids or []:
            project.kr(kr_id)  # a clear error for an unknown id, before anything runs
        store = open_store(project)
        started, moment = instants(as_of, project)
        with recorded_run(ctx, store, "backfill", moment, started) as run:
            counts = runs.backfill_into_run(project, store, moment, run, ids)
        rows = [_backfill_row(project, store, kr_id, points) for kr_id, points in counts.items()]
        title = f"daily points back-filled up to {instant_label(moment, project.timezone)}"
        out.print(backfill_table(rows, title=title, tz=project.timezone, width=out.width))


def _backfill_row(project: Any, store: Any, kr_id: str, points: int) -> dict[str, Any]:
    from okrsync.store_view import metrics_read_by

    row: dict[str, Any] = {"kr": kr_id, "points": points}
    filled = [point for point in store.kr_history(kr_id) if point.backfilled]
    if points and filled:
        row.update(first=filled[0].as_of, value=filled[-1].value)
        row["unit"] = filled[-1].data.get("unit", "")
    if not points:
        unread = [
            f"{source}/{name}"
            for source, name in metrics_read_by(project.kr(kr_id).kr)
            if not store.metric_series(source, name)
        ]
        row["note"] = (
            f"no value of metric {', '.join(unread)} recorded yet: run okrsync pull"
            if unread
            else "nothing to back-fill"
        )
    return row


@command("runs", takes_json=True)
def list_runs(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", min=1, max=100_000, help="how many runs")
    ] = 20,
    as_json: JsonOption = False,
) -> None:
    """The latest runs, newest first: what each did, and why a failed one failed."""
    from okrsync.cli.runlog import run_rows

    with handle_errors(ctx):
        project = load(ctx)
        store = open_store(project)
        records = store.runs(limit)
        rows = run_rows(records, store.write_counts(r.id for r in records))
        if as_json:
            print_json({"runs": rows})
        elif not rows:
            out.print("no runs recorded yet")
        else:
            title = "the latest run" if len(rows) == 1 else f"the latest {len(rows)} runs"
            out.print(runs_table(rows, title=title, tz=project.timezone, width=out.width))


@command()
def schema(ctx: typer.Context) -> None:
    """Print the JSON Schema of mapping files (for editor completion)."""
    from okrsync.mapping.schema import mapping_json_schema

    with handle_errors(ctx):
        sys.stdout.write(json.dumps(mapping_json_schema(), indent=2) + "\n")


@command()
def demo(ctx: typer.Context) -> None:
    """Run the whole loop offline against the bundled Jira and GitHub sandboxes."""
    from okrsync.demo import run_demo

    with handle_errors(ctx):
        run_demo(out, err)
