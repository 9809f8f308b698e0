"""``okrsync init``: a config and a first mapping file in the current folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from okrsync.cli import starter
from okrsync.cli.app import command
from okrsync.cli.shell import handle_errors, out
from okrsync.errors import ConfigError


@command()
def init(
    ctx: typer.Context,
    sandbox: Annotated[
        bool,
        typer.Option("--sandbox", help="point the config at the bundled Jira sandbox"),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="overwrite existing files")] = False,
) -> None:
    """Write okrsync.yaml and a first mapping file, mappings/my-team.yaml."""
    with handle_errors(ctx):
        config, variable, next_steps = _sandbox_config() if sandbox else _jira_config()
        files = {
            Path(starter.CONFIG_FILE): config,
            Path(starter.FIRST_MAPPING_FILE): starter.FIRST_MAPPING,
        }
        if not force:
            # Checked before anything is written, so a refusal leaves the folder as it was.
            for path in files:
                if path.exists():
                    raise ConfigError(
                        f"{path} already exists: nothing was written (run 'okrsync init "
                        f"{'--sandbox ' if sandbox else ''}--force' to overwrite it)"
                    )
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            out.print(f"wrote {path.as_posix()}", highlight=False)
        out.print("next:", highlight=False)
        out.print(f"  export {variable}", highlight=False)
        for step in next_steps:
            out.print(f"  {step}", highlight=False)


_WALKTHROUGH = (
    "okrsync validate",
    "okrsync plan",
    "okrsync apply",
    "okrsync explain my-first-kr",
    "okrsync report --out report.html",
)


def _sandbox_config() -> tuple[str, str, tuple[str, ...]]:
    from okrsync_sandbox import API_TOKEN, BOT_EMAIL
    from okrsync_sandbox.__main__ import DEFAULT_PORT

    url = f"http://127.0.0.1:{DEFAULT_PORT}"
    # The sandbox's token is public (it is in the README); a real one never is printed.
    export = f"{starter.SANDBOX_TOKEN_VARIABLE}={API_TOKEN}"
    start = f"python -m okrsync_sandbox    # in another terminal: the Jira sandbox at {url}"
    return starter.sandbox_config(url, BOT_EMAIL), export, (start, *_WALKTHROUGH)


def _at_terminal() -> bool:
    """Only a person at a terminal is asked; scripts, CI and pipes get placeholders."""
    return sys.stdin.isatty()


def _jira_config() -> tuple[str, str, tuple[str, ...]]:
    url, email = starter.JIRA_URL_PLACEHOLDER, starter.JIRA_EMAIL_PLACEHOLDER
    if _at_terminal():
        url = typer.prompt("Jira site URL", default=url)
        email = typer.prompt("email of the account okrsync acts as", default=email)
    export = f"{starter.JIRA_TOKEN_VARIABLE}=...   # an API token of {email}"
    edit = f"edit {starter.FIRST_MAPPING_FILE}: your project's JQL and your KR issue"
    return starter.jira_config(url, email), export, (edit, *_WALKTHROUGH)
