"""The ``okrsync`` command: options shared by every command, and the entry point.

Commands live in ``okrsync.cli.loop`` (pull, plan, apply, sync) and
``okrsync.cli.views`` (everything that reads the store); importing ``okrsync.cli``
registers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Turn the work your teams finish in Jira into scored, explained OKR progress.",
)


@dataclass
class Options:
    config: str | None
    debug: bool
    wait: bool = False


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        str | None, typer.Option("--config", "-c", help="config file (default: okrsync.yaml)")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="if another run is using the store, wait for it to finish"),
    ] = False,
) -> None:
    ctx.obj = Options(config, debug, wait)


def main() -> None:
    app()
