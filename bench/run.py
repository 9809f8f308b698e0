"""One benchmark run: the sandbox, then each contender's full and incremental pull.

The contenders take turns against the same sandbox process, its request log reset
before each pull, so every count below is exactly what one pull sent. Before each
pull a search for the query warms the sandbox's JQL cache, so that neither contender
pays for the other's (Jira's own search index has no such cold start).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.normalize import issue_fields
from okrsync_sandbox import API_TOKEN, BOT_EMAIL

from bench.changes import QUERY
from bench.contender import run_contender
from bench.results import Outcome, Pull, ScriptPull
from bench.sandbox import SandboxProcess
from bench.settings import Settings

Progress = Callable[[str], None]


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


def _measure(sandbox: SandboxProcess, module: str, args: list[str], settings: Settings) -> Pull:
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
            histories=sandbox.histories,
            sandbox_rss_mb=sandbox.rss_mb,
            fields=fields,
            changed=changed,
            okrsync_full=okrsync_full,
            okrsync_incremental=okrsync_incremental,
            script_full=script_full,
            script_incremental=script_incremental,
            started=started,
            finished=time.time(),
            load_after=os.getloadavg(),
        )
