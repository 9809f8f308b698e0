"""One benchmark run: the sandbox, then each contender's full and incremental pull.

The contenders take turns against the same sandbox process, its request log reset
before each pull, so every count below is exactly what one pull sent. Before each
pull a search for the query warms the sandbox's JQL cache, so that neither contender
pays for the other's (Jira's own search index has no such cold start).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.normalize import issue_fields
from okrsync_sandbox import API_TOKEN, BOT_EMAIL

from bench import minimum
from bench.changes import QUERY
from bench.contender import run_contender
from bench.sandbox import LogSummary, SandboxProcess

Progress = Callable[[str], None]
# The script's per-issue requests: the issue with its inline changelog, and the rest of
# a truncated changelog.
ISSUE_ROUTE = "GET /rest/api/3/issue/{key}"
CHANGELOG_ROUTE = "GET /rest/api/3/issue/{key}/changelog"


@dataclass(frozen=True)
class Settings:
    issues: int = 100_000
    latency: float = 0.02
    sample: int = 2000  # issues whose changelog the jira script reads; the rest is scaled
    changed_fraction: float = 0.01
    timeout: float = 1800.0  # per contender run

    @property
    def changed(self) -> int:
        return max(1, math.ceil(self.issues * self.changed_fraction))


@dataclass(frozen=True)
class Pull:
    """One contender's pull: what it reported and what the sandbox saw."""

    result: dict[str, Any]
    log: LogSummary

    @property
    def seconds(self) -> float:
        return float(self.result["seconds"])

    @property
    def requests(self) -> int:
        return self.log.total

    @property
    def peak_mb(self) -> float:
        return float(self.result["peak_rss_mb"])


@dataclass(frozen=True)
class ScriptPull:
    """The jira script's pull, scaled from its changelog sample to every issue."""

    measured: Pull

    @property
    def issues(self) -> int:
        return int(self.measured.result["issues"])

    @property
    def sampled(self) -> int:
        return int(self.measured.result["changelogs_read"])

    @property
    def extrapolated(self) -> bool:
        return self.sampled < self.issues

    @property
    def scale(self) -> float:
        return self.issues / self.sampled if self.sampled else 1.0

    @property
    def changelog_requests(self) -> int:
        log = self.measured.log
        return log.count(ISSUE_ROUTE) + log.count(CHANGELOG_ROUTE)

    @property
    def seconds(self) -> float:
        result = self.measured.result
        rest = float(result["seconds"]) - float(result["changelog_seconds"])
        return rest + float(result["changelog_seconds"]) * self.scale

    @property
    def requests(self) -> int:
        per_issue = self.changelog_requests
        return self.measured.requests - per_issue + round(per_issue * self.scale)


@dataclass(frozen=True)
class Outcome:
    settings: Settings
    build_seconds: float
    sandbox_rss_mb: float
    fields: list[str]
    changed: int
    okrsync_full: Pull
    okrsync_incremental: Pull
    script_full: ScriptPull
    script_incremental: ScriptPull
    started: float
    finished: float

    @property
    def minimum_full(self) -> dict[str, int]:
        return minimum.full_pull(self.settings.issues)

    @property
    def minimum_incremental(self) -> dict[str, int]:
        return minimum.incremental_pull(self.settings.issues, self.changed)


def okrsync_fields(url: str) -> list[str]:
    """The field ids okrsync's pull asks for, so that the script asks for the same."""
    with httpx.Client(base_url=url, auth=(BOT_EMAIL, API_TOKEN), timeout=60) as http:
        fields = http.get("/rest/api/3/field").raise_for_status().json()
        statuses = http.get("/rest/api/3/status").raise_for_status().json()
    return issue_fields(FieldCatalog.from_json(fields, statuses))


def warm_search(url: str, query: str) -> None:
    body = {"jql": query, "fields": ["key"], "maxResults": 1}
    with httpx.Client(base_url=url, auth=(BOT_EMAIL, API_TOKEN), timeout=600) as http:
        http.post("/rest/api/3/search/jql", json=body).raise_for_status()


def _measure(
    sandbox: SandboxProcess, module: str, args: list[str], settings: Settings
) -> Pull:
    warm_search(sandbox.url, QUERY)
    sandbox.reset()
    result = run_contender(module, sandbox.url, args, timeout=settings.timeout)
    return Pull(result, sandbox.summary())


def run(settings: Settings, progress: Progress = lambda _: None) -> Outcome:
    started = time.time()
    progress(f"building the sandbox: {settings.issues:,} issues, {settings.latency}s latency")
    with (
        SandboxProcess(issues=settings.issues, latency=settings.latency) as sandbox,
        tempfile.TemporaryDirectory(prefix="okrsync-bench-") as scratch,
    ):
        progress(f"sandbox at {sandbox.url} (built in {sandbox.build_seconds:.1f}s)")
        fields = okrsync_fields(sandbox.url)
        database = str(Path(scratch) / "okrsync.db")
        okrsync_args = ["--db", database]
        script_args = ["--fields", ",".join(fields)]

        progress("okrsync: full pull")
        okrsync_full = _measure(sandbox, "okrsync_run", okrsync_args, settings)
        progress(f"  {okrsync_full.seconds:.1f}s, {okrsync_full.requests:,} requests")

        progress(f"jira script: full pull (changelogs of the first {settings.sample:,})")
        sample = ["--sample", str(settings.sample)]
        script_full = ScriptPull(_measure(sandbox, "jira_script", script_args + sample, settings))
        progress(f"  {script_full.measured.seconds:.1f}s measured")

        progress(f"changing {settings.changed:,} issues")
        changed = len(sandbox.change(settings.changed))

        progress("okrsync: incremental pull")
        okrsync_incremental = _measure(sandbox, "okrsync_run", okrsync_args, settings)
        progress(f"  {okrsync_incremental.seconds:.1f}s, {okrsync_incremental.requests:,} requests")

        progress("jira script: incremental pull (issues updated since its full pull)")
        since = ["--since-ms", str(script_full.measured.result["max_updated_ms"])]
        script_incremental = ScriptPull(
            _measure(sandbox, "jira_script", script_args + sample + since, settings)
        )
        progress(f"  {script_incremental.measured.seconds:.1f}s measured")

        return Outcome(
            settings=settings,
            build_seconds=sandbox.build_seconds,
            sandbox_rss_mb=sandbox.rss_mb,
            fields=fields,
            changed=changed,
            okrsync_full=okrsync_full,
            okrsync_incremental=okrsync_incremental,
            script_full=script_full,
            script_incremental=script_incremental,
            started=started,
            finished=time.time(),
        )
