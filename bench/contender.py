"""What the contender processes share: how they are started and what they report.

A contender is ``python -m bench.<module> --url URL --out FILE ...`` with the site's
credentials in its environment (Jira's, a GitHub token, a Redmine key), never on the
command line, where ``ps`` shows them.
It writes one JSON object to FILE: at least ``seconds`` (wall time of the pull alone,
interpreter start-up excluded) and ``peak_rss_mb`` (its own peak resident memory).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from okrsync_sandbox import API_TOKEN, BOT_EMAIL

ROOT = Path(__file__).resolve().parent.parent
EMAIL_VARIABLE = "BENCH_JIRA_EMAIL"
TOKEN_VARIABLE = "BENCH_JIRA_TOKEN"
GITHUB_TOKEN_VARIABLE = "BENCH_GITHUB_TOKEN"


class ContenderFailed(RuntimeError):
    pass


def credentials() -> tuple[str, str]:
    """(email, API token) from the environment a contender was started with."""
    return os.environ[EMAIL_VARIABLE], os.environ[TOKEN_VARIABLE]


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_result(path: str, result: dict[str, Any]) -> None:
    result["peak_rss_mb"] = peak_rss_mb()
    Path(path).write_text(json.dumps(result))


def github_token() -> str:
    """The GitHub token from the environment a contender was started with."""
    return os.environ[GITHUB_TOKEN_VARIABLE]


def run_contender(
    module: str,
    url: str,
    args: list[str],
    *,
    timeout: float,
    secrets: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``python -m bench.<module>`` against the sandbox at ``url``; its result.
    ``secrets``: the credentials' environment variables (default: the Jira sandbox's)."""
    environment = dict(os.environ)
    environment.update(
        secrets if secrets is not None else {EMAIL_VARIABLE: BOT_EMAIL, TOKEN_VARIABLE: API_TOKEN}
    )
    with tempfile.TemporaryDirectory(prefix="okrsync-bench-") as scratch:
        out = Path(scratch) / "result.json"
        command = [sys.executable, "-m", f"bench.{module}", "--url", url, "--out", str(out)]
        completed = subprocess.run(
            [*command, *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0 or not out.exists():
            tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
            raise ContenderFailed(
                f"bench.{module} failed with status {completed.returncode}:\n{tail}"
            )
        result: dict[str, Any] = json.loads(out.read_text())
        return result
