"""The lines a partial run ends with: one per KR that failed on its own, located in
its mapping file like a validation problem, then what became of the run."""

from __future__ import annotations

from typing import Any

from okrsync.cli.shell import err
from okrsync.cli.tables import plural
from okrsync.secrets import redact


def show_failures(run: Any) -> bool:
    """Print the run's KR failures on stderr; whether there were any (exit 1 then)."""
    failures = run.failures or []
    for failure in failures:
        err.print(redact(str(failure)), highlight=False, soft_wrap=True)
    if failures:
        count = len(failures)
        one = count == 1
        err.print(
            f"run {run.run_id} ({run.command}) is partial: {plural(count, 'key result')} "
            f"failed and {'was' if one else 'were'} left out (not scored, not pushed, "
            f"{'its objective' if one else 'their objectives'} scored without "
            f"{'it' if one else 'them'}); the other key results went on as usual",
            style="red",
            highlight=False,
            soft_wrap=True,
        )
    return bool(failures)
