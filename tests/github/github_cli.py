"""The real CLI, in-process, in a folder whose okrsync.yaml points at the GitHub sandbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrsync_github_sandbox import TOKEN, GitHubSandbox
from typer.testing import CliRunner

from okrsync.cli import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "github" / "checkout.yaml"


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


class GitHubWorkspace:
    def __init__(self, folder: Path, github: GitHubSandbox, mapping: Path = EXAMPLE) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.github = github
        self.db = folder / "okrsync.db"
        self.config = folder / "okrsync.yaml"
        self.write_config(mapping)

    def write_config(self, mapping: Path, *, extra: str = "    project: acme/5\n") -> None:
        self.config.write_text(
            f"database: sqlite:///{self.db}\n"
            f"mappings: [{mapping}]\n"
            "timezone: UTC\n"
            "connectors:\n"
            "  github:\n"
            "    type: github\n"
            f"    url: {self.github.url}\n"
            "    token: ${GITHUB_TOKEN}\n" + extra
        )

    def use_mapping(self, text: str) -> Path:
        path = self.folder / "mapping.yaml"
        path.write_text(text)
        self.write_config(path)
        return path

    def run(self, *args: str) -> Ran:
        result = CliRunner().invoke(
            app, ["--config", str(self.config), *args], env={"GITHUB_TOKEN": TOKEN}
        )
        ran = Ran(result.exit_code, result.stdout, result.stderr)
        assert TOKEN not in ran.stdout + ran.stderr  # the token never shows
        return ran

    def values(self, as_of: str) -> dict[str, float]:
        ran = self.run("plan", "--json", "--as-of", as_of)
        assert ran.exit_code in (0, 2), ran
        return {kr["id"]: kr["value"] for kr in ran.json["key_results"]}
