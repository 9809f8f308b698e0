"""What every command shares: the consoles, loading the project and store, and one
way to fail: a short message and exit 1, a traceback only with --debug."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console

from okrsync.cli.app import Options
from okrsync.cli.json_stream import write_json
from okrsync.cli.plan_table import cycles_tables
from okrsync.cli.tables import (
    instant_label,
    legend_lines,
    override_lines,
    results_table,
    stale_lines,
)
from okrsync.cli.terminal import TerminalConsole
from okrsync.cli.timeparse import parse_as_of
from okrsync.errors import OkrsyncError, ValidationFailed
from okrsync.secrets import redact

# Names, titles, queries and Jira's words are shown as written: no Rich markup ("[b]")
# or emoji codes (":x:") are read in them, and their control characters are shown
# escaped (okrsync.cli.terminal). Styles come from Text objects instead.
out = TerminalConsole(markup=False, emoji=False)
err = TerminalConsole(stderr=True, markup=False, emoji=False)


def fit_to_screen() -> None:
    """Tables as wide as the terminal, or as ``COLUMNS`` says; piped output (cron
    mail, CI logs) without ``COLUMNS`` gets 120 columns."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= 40:
        out.width = int(columns)
    elif sys.stdout.isatty():
        out.width = Console().width
    else:
        out.width = 120


EXIT_PENDING = 2


@contextmanager
def handle_errors(ctx: typer.Context, *, problems_on_stdout: bool = False) -> Iterator[None]:
    """One short message and exit 1 for anything that goes wrong; a traceback only
    with --debug.

    Validation problems are one line each, ``FILE:LINE:COL: error: message``: the
    output of ``validate`` (stdout, with a count on stderr), an error of any other
    command (stderr)."""
    options: Options = ctx.obj
    fit_to_screen()
    try:
        yield
    except ValidationFailed as failure:
        where = out if problems_on_stdout else err
        for problem in failure.problems:
            where.print(redact(str(problem)), highlight=False, soft_wrap=True)
        if problems_on_stdout:
            count = len(failure.problems)
            err.print(f"{count} problem{'s' if count != 1 else ''} found", style="red")
        raise typer.Exit(1) from None
    except OkrsyncError as error:
        if options.debug:
            raise
        err.print(f"error: {redact(str(error))}", style="red", soft_wrap=True)
        show_notes(error)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt as interrupt:
        err.print("interrupted", style="red")
        show_notes(interrupt)
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
            soft_wrap=True,
        )
        show_notes(error)
        raise typer.Exit(1) from None


def show_notes(error: BaseException) -> None:
    """What a failed run did and did not do (``RunRecorder`` adds it as a note)."""
    for note in getattr(error, "__notes__", ()):
        err.print(redact(str(note)), highlight=False, soft_wrap=True)


def instants(as_of: str | None, project: Any) -> tuple[datetime, datetime]:
    """(the run's start, the instant it evaluates): the same unless ``--as-of`` is
    given. Metric values pulled by the run are recorded at its start, so an evaluation
    of "now" sees them."""
    started = datetime.now(UTC)
    return started, started if as_of is None else parse_as_of(as_of, project.timezone)


def load(ctx: typer.Context) -> Any:
    from okrsync.project import load_project

    return load_project(ctx.obj.config)


def open_store(project: Any) -> Any:
    from okrsync.store import Store

    return Store.open(project.database_url)


@contextmanager
def recorded_run(
    ctx: typer.Context,
    store: Any,
    command: str,
    as_of: datetime | None = None,
    started: datetime | None = None,
    unit: str | None = None,
) -> Iterator[Any]:
    """A run that uses the store: its run lock (of one sync unit, if given; waited for
    with --wait), then its record, which says at the end what the run did or why it
    failed."""
    from okrsync.runs import RunRecorder

    with (
        store.run_lock(wait=ctx.obj.wait, unit=unit),
        RunRecorder(store, command, as_of, started=started or datetime.now(UTC), unit=unit) as run,
    ):
        yield run


def print_json(document: Any) -> None:
    """JSON on stdout, with full precision (the tables round for people)."""
    write_json(document, sys.stdout)


def shown_instant(project: Any, store: Any, as_of: str | None) -> datetime:
    """The instant that status, explain, report and history show: ``--as-of``, else
    the latest recorded run's, else now (nothing recorded yet). One rule, so the four
    never disagree about the same KR."""
    if as_of is not None:
        return parse_as_of(as_of, project.timezone)
    recorded, _krs, _objectives = store.latest_results()
    return recorded if recorded is not None else datetime.now(UTC)


def show_results(document: dict[str, Any], as_of: datetime, project: Any) -> None:
    out.print(
        results_table(
            document,
            title=f"OKRs as of {instant_label(as_of, project.timezone)}",
            width=out.width,
        )
    )
    for table in cycles_tables(document, out.width):
        out.print(table)
    # Wrapped at the width, between words, like the tables.
    for line in legend_lines(document, command_hint="okrsync explain KR", width=out.width):
        out.print(line, highlight=False)
    for line in override_lines(document) + stale_lines(document):
        out.print(redact(line), highlight=False)
