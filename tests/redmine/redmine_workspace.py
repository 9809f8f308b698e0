"""A folder with its own okrsync.yaml pointing at a test Redmine, in which the real
CLI runs in-process (the Redmine counterpart of the e2e harness's ``Workspace``)."""

from __future__ import annotations

from pathlib import Path

from redmine_server import API_KEY
from typer.testing import CliRunner

from okrsync.cli import app
from tests.e2e.e2e_harness import Outcome

KEY_VAR = "TEST_REDMINE_API_KEY"


class RedmineWorkspace:
    def __init__(self, folder: Path, url: str, mapping: str, *, settings: str = "") -> None:
        self.folder = folder
        self.config = folder / "okrsync.yaml"
        self.mapping = folder / "mappings" / "redmine.yaml"
        self.mapping.parent.mkdir(parents=True, exist_ok=True)
        self.mapping.write_text(mapping)
        self.config.write_text(
            f"database: sqlite:///{folder / 'okrsync.db'}\n"
            f"mappings: [{self.mapping.parent}]\n"
            "timezone: Europe/Berlin\n"
            "connectors:\n"
            "  redmine:\n"
            "    type: redmine\n"
            f"    url: {url}\n"
            f"    token: ${{{KEY_VAR}}}\n" + settings
        )

    def run(self, *args: str, key: str = API_KEY) -> Outcome:
        """``okrsync --config okrsync.yaml ARGS``; the key never shows in the output."""
        full = ("--config", str(self.config), *args)
        result = CliRunner().invoke(app, list(full), env={KEY_VAR: key})
        outcome = Outcome(full, result.exit_code, result.stdout, result.stderr, result.exception)
        assert key not in outcome.stdout + outcome.stderr, outcome
        return outcome
