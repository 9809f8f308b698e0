"""The ``okrsync`` command: options shared by every command, and the entry point.

Commands live in ``okrsync.cli.loop`` (pull, plan, apply, sync) and
``okrsync.cli.views`` (everything that reads the store); importing ``okrsync.cli``
registers them. Each registers with ``@command()``, which gives it the global options
too, so ``okrsync status --config x.yaml`` works like ``okrsync --config x.yaml status``
and every ``--help`` lists them."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperCommand, TyperGroup

# A usage error (an unknown option, a missing argument) exits 64, EX_USAGE of
# sysexits(3): click's own 2 is what `okrsync plan` means by "writes pending".
EXIT_USAGE = 64


class _PlainHelp:
    """Flags (``--help``, ``--debug``, ``--install-completion``...) listed without a
    ``<bool>`` beside them: they take no value."""

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class _Command(_PlainHelp, TyperCommand):
    pass


class _Group(_PlainHelp, TyperGroup):
    """The command group, with okrsync's exit code for usage errors."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as usage:
            typer.echo(usage.ctx.get_help() if usage.ctx else "", err=True)
            code = EXIT_USAGE
        except UsageError as usage:
            from typer.rich_utils import rich_format_error

            rich_format_error(usage)
            code = EXIT_USAGE
        except ClickException as error:
            error.show()
            code = 1
        except typer.Abort:
            typer.echo("aborted", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn the work your teams finish in their agile tools into scored, explained OKR "
    "progress.",
    epilog="Exit codes: 0 success; 1 an error (the message says what to do); 2 `plan` found "
    "writes pending; 64 a usage error.",
)


@dataclass
class Options:
    config: str | None
    debug: bool
    wait: bool = False
    json: bool = False


ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="config file (default: okrsync.yaml)",
        rich_help_panel="Global options",
    ),
]
DebugOption = Annotated[
    bool,
    typer.Option("--debug", metavar="", help="show tracebacks", rich_help_panel="Global options"),
]
WaitOption = Annotated[
    bool,
    typer.Option(
        "--wait",
        metavar="",
        help="if another run is using the store, wait for it to finish",
        rich_help_panel="Global options",
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        metavar="",
        help="print JSON instead of tables",
        rich_help_panel="Global options",
    ),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"okrsync {version('okrsync')}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: ConfigOption = None,
    debug: DebugOption = False,
    wait: WaitOption = False,
    as_json: JsonOption = False,
    _show_version: Annotated[
        bool,
        typer.Option(
            "--version", metavar="", is_eager=True, callback=_version, help="print the version"
        ),
    ] = False,
) -> None:
    ctx.obj = Options(config, debug, wait, as_json)


F = TypeVar("F", bound=Callable[..., Any])

_GLOBAL_PARAMETERS = {
    "global_config": (ConfigOption, None),
    "global_debug": (DebugOption, False),
    "global_wait": (WaitOption, False),
}


def command(name: str | None = None, *, takes_json: bool = False) -> Callable[[F], F]:
    """``@app.command()`` that also accepts the global options after the command
    name. A command with ``takes_json`` has an ``as_json`` parameter, which
    ``okrsync --json CMD`` sets as well; ``--json`` before a command without one is a
    usage error."""

    def register(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=dflt)
            for name, (kind, dflt) in _GLOBAL_PARAMETERS.items()
        ]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            ctx: typer.Context = kwargs["ctx"]
            options: Options = ctx.obj
            config = kwargs.pop("global_config")
            options.config = config if config is not None else options.config
            options.debug = kwargs.pop("global_debug") or options.debug
            options.wait = kwargs.pop("global_wait") or options.wait
            if takes_json:
                kwargs["as_json"] = kwargs["as_json"] or options.json
            elif options.json:
                raise UsageError(f"--json does not apply to '{ctx.info_name}'", ctx=ctx)
            return func(*args, **kwargs)

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), *extra]
        )
        run.__annotations__ = {
            **{p.name: p.annotation for p in signature.parameters.values()},
            **{p.name: p.annotation for p in extra},
        }
        app.command(name, cls=_Command)(run)
        return func

    return register


def main() -> None:
    app()
