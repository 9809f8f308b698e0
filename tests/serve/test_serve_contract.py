"""Section 9's config example, exactly as written, appended to section 1's: it loads,
every other command works without its secrets, and ``okrsync serve`` names what it
still needs before it listens."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapping_helpers import contract_yaml_blocks, isolate, write_tree

from okrsync.errors import ConfigError
from okrsync.project import load_project, validate
from okrsync.serve.service import build_service

MAPPING = "version: 1\ncycle: 2027-Q1\nschedule: '0 9 * * 1-5'\nobjectives: []\n"
SECRETS = ("JIRA_API_TOKEN", "OKRSYNC_SERVE_TOKEN", "JIRA_WEBHOOK_SECRET", "GITHUB_WEBHOOK_SECRET")


def _config() -> str:
    blocks = [b for b in contract_yaml_blocks() if b.startswith("# okrsync.yaml")]
    (base,) = [b for b in blocks if "\ndatabase:" in b]
    (serve,) = [b for b in blocks if "\nserve:" in b]
    return base + serve.removeprefix("# okrsync.yaml\n")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate(monkeypatch, tmp_path)
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    write_tree(tmp_path, {"okrsync.yaml": _config(), "mappings/team.yaml": MAPPING})
    return tmp_path


def test_the_example_loads_and_validates_without_its_secrets(folder: Path) -> None:
    assert [p for p in validate(str(folder / "okrsync.yaml")) if p.level == "error"] == []
    project = load_project(str(folder / "okrsync.yaml"))
    serve = project.config.serve
    assert (serve.host, serve.port) == ("127.0.0.1", 8400)
    assert (serve.schedule, serve.debounce) == ("*/15 * * * *", 5.0)
    assert sorted(serve.webhooks) == ["github", "jira"]
    assert project.files[0].schedule == "0 9 * * 1-5"
    assert [n.message.split(" (")[0] for n in project.serve_unset] == [
        "environment variable OKRSYNC_SERVE_TOKEN is not set",
        "environment variable JIRA_WEBHOOK_SECRET is not set",
        "environment variable GITHUB_WEBHOOK_SECRET is not set",
    ]


def test_serve_names_the_first_variable_it_needs(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"OKRSYNC_SERVE_TOKEN is not set .* at okrsync.yaml:\d+"):
        build_service(str(folder / "okrsync.yaml"))


def test_serve_with_a_broker_needs_a_store_the_workers_can_share(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The example's store is the default SQLite file, its broker Redis.
    for name in SECRETS:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    with pytest.raises(ConfigError, match="okrsync serve with broker: needs a PostgreSQL store"):
        build_service(str(folder / "okrsync.yaml"))
    assert not (folder / "okrsync.db").exists()  # refused before the store was opened


def test_the_worker_refuses_clearly_what_it_cannot_work_with(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from e2e_harness import invoke

    config = str(folder / "okrsync.yaml")
    sqlite = invoke("--config", config, "worker")
    assert sqlite.exit_code == 1, sqlite
    (line,) = sqlite.stderr.strip().splitlines()
    assert "okrsync worker with broker: needs a PostgreSQL store" in line
    assert "a SQLite file cannot be shared across machines" in line
    monkeypatch.setenv("OKRSYNC_DATABASE_URL", "postgresql+psycopg://okr@127.0.0.1:1/okr")
    monkeypatch.setenv("OKRSYNC_BROKER_URL", "")  # empty: no broker
    none = invoke("--config", config, "worker")
    assert none.exit_code == 1, none
    assert "okrsync worker needs broker: in " in none.stderr
    monkeypatch.setenv("OKRSYNC_BROKER_URL", "kafka://127.0.0.1:9092")
    other = invoke("--config", config, "worker")
    assert other.exit_code == 1, other
    assert "broker: expected a redis:// URL" in other.stderr
    usage = invoke("--config", config, "worker", "--concurrency", "0")
    assert usage.exit_code == 64


def test_the_command_says_so_in_one_line_and_exits_1(folder: Path) -> None:
    from e2e_harness import invoke

    outcome = invoke("--config", str(folder / "okrsync.yaml"), "serve")
    assert outcome.exit_code == 1, outcome
    (line,) = outcome.stderr.strip().splitlines()
    assert line.startswith("error: okrsync serve cannot start: environment variable ")
    assert not (folder / "okrsync.db").exists()  # nothing written
    wrong = invoke("--config", str(folder / "okrsync.yaml"), "serve", "--log-format", "xml")
    assert wrong.exit_code == 64 and "use text or json" in wrong.stderr


def test_serve_needs_a_store_that_outlives_a_connection(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    monkeypatch.setenv("OKRSYNC_BROKER_URL", "")  # empty: no broker
    monkeypatch.setenv("OKRSYNC_SERVE", '{"token": "a-token"}')  # the environment wins
    monkeypatch.setenv("OKRSYNC_DATABASE_URL", "sqlite:///:memory:")
    with pytest.raises(ConfigError, match="needs a database file or PostgreSQL"):
        build_service(str(folder / "okrsync.yaml"))
