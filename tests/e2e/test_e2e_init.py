"""``okrsync init``: a config and the README's first mapping, never over a user's file."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import invoke
from typer.testing import CliRunner

from okrsync.cli import app
from okrsync.cli import init as init_command
from okrsync.cli.starter import FIRST_MAPPING

ENV = {"OKRSYNC_SANDBOX_TOKEN": "sandbox-api-token", "JIRA_API_TOKEN": "a-test-token"}


def _init(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["init", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("OKRSYNC_CONFIG", "OKRSYNC_DATABASE_URL", "OKRSYNC_MAPPINGS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_init_sandbox_writes_a_config_that_validates(folder: Path) -> None:
    code, out, _ = _init("--sandbox")
    assert code == 0, out
    assert out.splitlines()[:4] == [
        "wrote okrsync.yaml",
        "wrote mappings/my-team.yaml",
        "next:",
        "  export OKRSYNC_SANDBOX_TOKEN=sandbox-api-token",
    ]
    assert "okrsync plan" in out and "okrsync explain my-first-kr" in out
    config = (folder / "okrsync.yaml").read_text()
    assert "url: http://127.0.0.1:8080\n" in config
    assert "email: okr-bot@example.com\n" in config
    assert "token: ${OKRSYNC_SANDBOX_TOKEN}" in config
    assert "sandbox-api-token" not in config  # the token comes from the environment
    assert "mappings: [mappings/my-team.yaml]\n" in config
    assert "database: sqlite:///okrsync-sandbox.db\n" in config
    assert (folder / "mappings/my-team.yaml").read_text() == FIRST_MAPPING

    outcome = invoke("validate", env=ENV)
    assert outcome.exit_code == 0, outcome
    assert outcome.stdout.strip() == "ok: 1 mapping file, 1 objective, 1 key result"


@pytest.mark.parametrize("existing", ["okrsync.yaml", "mappings/my-team.yaml"])
def test_init_never_overwrites_a_file(folder: Path, existing: str) -> None:
    (folder / existing).parent.mkdir(parents=True, exist_ok=True)
    (folder / existing).write_text("mine\n")

    code, out, err = _init("--sandbox")

    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == [
        f"error: {existing} already exists: nothing was written (run 'okrsync init "
        "--sandbox --force' to overwrite it)"
    ]
    assert (folder / existing).read_text() == "mine\n"
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == [existing]


def test_init_force_overwrites(folder: Path) -> None:
    (folder / "okrsync.yaml").write_text("mine\n")
    (folder / "mappings").mkdir()
    (folder / "mappings/my-team.yaml").write_text("mine too\n")

    code, out, _ = _init("--sandbox", "--force")

    assert code == 0, out
    assert "url: http://127.0.0.1:8080" in (folder / "okrsync.yaml").read_text()
    assert (folder / "mappings/my-team.yaml").read_text() == FIRST_MAPPING


def test_init_without_a_terminal_asks_nothing(folder: Path) -> None:
    code, out, _ = _init()  # the runner's stdin is no terminal, and holds nothing to read

    assert code == 0, out
    assert "Jira site URL" not in out
    config = (folder / "okrsync.yaml").read_text()
    assert "url: https://your-site.atlassian.net\n" in config
    assert "email: okr-bot@your-company.com\n" in config
    assert "token: ${JIRA_API_TOKEN}" in config
    assert "mappings: [mappings/]\n" in config
    assert "  export JIRA_API_TOKEN=...   # an API token of okr-bot@your-company.com" in out
    outcome = invoke("validate", env=ENV)
    assert outcome.exit_code == 0, outcome


def test_init_at_a_terminal_asks_for_the_site(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(init_command, "_at_terminal", lambda: True)

    code, out, _ = _init(stdin="https://acme.atlassian.net\nbot@acme.com\n")

    assert code == 0, out
    assert "Jira site URL [https://your-site.atlassian.net]: " in out
    config = (folder / "okrsync.yaml").read_text()
    assert "url: https://acme.atlassian.net\n" in config
    assert "email: bot@acme.com\n" in config
