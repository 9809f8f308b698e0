"""The README's walkthrough, literally, in a fresh copy of the repository on today's date.

The committed tree is exported to a temporary folder and the code there is run (the
venv supplies only the dependencies and the ``okrsync`` script); the standalone sandbox
runs as a process of its own, seeded in the current quarter. The only change to what
the README says is the sandbox's port: it listens on a free one.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_harness import REPO
from okrsync_sandbox import API_TOKEN, BOT_EMAIL

from okrsync.cli.starter import FIRST_MAPPING, sandbox_config
from okrsync.demo import NEXT_STEPS

README_URL = "http://127.0.0.1:8080"
VENV_BIN = Path(sys.executable).parent


def _export_head(folder: Path) -> None:
    """The committed tree, as a fresh clone has it: uncommitted files play no part."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")


def _walkthrough_section(readme: str) -> str:
    match = re.search(r"^## Walkthrough.*?(?=^## )", readme, re.S | re.M)
    assert match, "the README has no '## Walkthrough' section"
    return match.group(0)


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def _environment(clone: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKRSYNC_")}
    sources = [clone, clone / "connectors", clone / "sandbox"]
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in sources)
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
    env["COLUMNS"] = "160"
    return env


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    folder = tmp_path / "okrsync"
    folder.mkdir()
    _export_head(folder)
    return folder


@pytest.fixture
def sandbox(clone: Path) -> Iterator[tuple[str, list[str]]]:
    """The README's sandbox command on a free port: its URL and the lines it printed."""
    (command,) = [b.strip() for b in _blocks(_walkthrough_section(_readme(clone)), "sh")[:1]]
    assert command == "python -m okrsync_sandbox"
    # Leaving the block closes the pipe; the process is ended first either way.
    with subprocess.Popen(
        [sys.executable, "-m", "okrsync_sandbox", "--port", "0"],
        cwd=clone,
        env=_environment(clone),
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().rstrip("\n") for _ in range(5)]
            url = lines[0].removeprefix("Jira sandbox at ")
            assert url.startswith("http://127.0.0.1:"), lines
            yield url, lines
        finally:
            process.terminate()
            process.wait(10)


def _readme(clone: Path) -> str:
    return (clone / "README.md").read_text(encoding="utf-8")


def _run(line: str, clone: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        shlex.split(line, comments=True),
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.timeout(300)  # a loaded machine runs the demo slowly
def test_the_readme_walkthrough_works_as_written_today(
    clone: Path, sandbox: tuple[str, list[str]]
) -> None:
    url, printed = sandbox
    section = _walkthrough_section(_readme(clone))
    # What the README shows the sandbox printing, and the files init writes.
    shown = _blocks(section, "text")[0].splitlines()
    assert printed[1:3] == shown[1:3]
    assert f"{BOT_EMAIL} / {API_TOKEN}" in printed[1]
    config_block, mapping_block = _blocks(section, "yaml")
    assert config_block == sandbox_config(README_URL, BOT_EMAIL)
    assert mapping_block == FIRST_MAPPING

    env = _environment(clone)
    commands = [line for line in _blocks(section, "sh")[-1].splitlines() if line.strip()]
    assert [shlex.split(c, comments=True)[:2] for c in commands] == [
        ["okrsync", "init"],
        ["export", "OKRSYNC_SANDBOX_TOKEN=sandbox-api-token"],
        ["okrsync", "validate"],
        ["okrsync", "plan"],
        ["okrsync", "apply"],
        ["okrsync", "explain"],
        ["okrsync", "report"],
    ]
    outputs: dict[str, str] = {}
    for line in commands:
        words = shlex.split(line, comments=True)
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            env[name] = value
            continue
        done = _run(line, clone, env)
        documented = re.search(r"exit (\d+)", line.partition("#")[2])
        expected = int(documented.group(1)) if documented else 0
        assert done.returncode == expected, (line, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        outputs[words[1]] = done.stdout
        if words[1] == "init":
            config = clone / "okrsync.yaml"
            config.write_text(config.read_text().replace(README_URL, url))

    assert "export OKRSYNC_SANDBOX_TOKEN=sandbox-api-token" in outputs["init"]
    assert outputs["validate"].strip() == "ok: 1 mapping file, 1 objective, 1 key result"
    # PAY's stories: PAY-2 (3 points) and PAY-7 (2) done, PAY-3 (5) and PAY-6 (8) not.
    assert "27.8%" in outputs["plan"] and "2 writes pending" in outputs["plan"]
    assert "2 writes made" in outputs["apply"]
    explained = outputs["explain"]
    assert "done 5 / total 18 story_points × 100 = 27.78%" in explained
    assert all(key in explained for key in ("PAY-2", "PAY-3", "PAY-6", "PAY-7"))
    report = (clone / "report.html").read_text(encoding="utf-8")
    assert "my-first-kr" in report and "Finish the payment stories of the quarter" in report

    # The writes reached the sandbox's KR issue.
    issue = httpx.get(f"{url}/rest/api/3/issue/OKR-6", auth=(BOT_EMAIL, API_TOKEN)).json()
    assert issue["fields"]["customfield_10100"] == 27.8

    # Once applied, nothing is pending; the values are those of a cycle under way.
    again = _run("okrsync plan --json", clone, env)
    assert again.returncode == 0, again.stderr
    (kr,) = json.loads(again.stdout)["key_results"]
    assert kr["id"] == "my-first-kr"
    assert kr["value"] == pytest.approx(500 / 18)
    assert 0 < kr["progress"] < 1
    assert 0 < kr["expected"] < 1

    # The demo still syncs only its examples, with the user's file next to them.
    assert (clone / "mappings" / "my-team.yaml").is_file()
    demo = _run("okrsync demo", clone, env)
    assert demo.returncode == 0, demo.stderr
    assert "16 writes pushed back to Jira and GitHub" in demo.stdout
    assert "my-first-kr" not in demo.stdout
    assert demo.stdout.rstrip().splitlines()[-4:] == list(NEXT_STEPS)
