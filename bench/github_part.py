"""The GitHub part of ``python -m bench``: okrsync's GitHub pull of N issues with history
against the script a user would write with PyGithub, in the same run, against the same
sandbox process (``bench.github_host``), with the same latency added to every request.

Requests are counted in the sandbox's log, reset before each pull. The minimum of a
full pull is what GitHub's APIs allow at best: ``ceil(N/100)`` search pages (100
results a page, the most GitHub gives) to list the members, ``ceil(N/100)`` GraphQL
``nodes`` batches (100 ids each, GitHub's limit) for the issues with their timelines
and project fields, and the project's fields once; a timeline of more than 100 events
would need a page more (none here). The 1,000-result cap of a search adds the requests
that find how to split the selection by creation date: okrsync's are shown apart.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from okrsync_github_sandbox import TOKEN

from bench.contender import GITHUB_TOKEN_VARIABLE, run_contender
from bench.results import Pull, ScriptPull
from bench.sandbox import SandboxProcess

SEARCH = "GET /search/issues"
ITEMS = "POST /graphql Items"
PROJECT = "POST /graphql Project"
TIMELINE_PAGES = "POST /graphql Timeline"
REPOSITORY = "GET /repos/{owner}/{repo}"
LIST = "GET /repos/{owner}/{repo}/issues"
TIMELINE = "GET /repos/{owner}/{repo}/issues/{number}/timeline"
PAGE = 100  # results a search or list page, ids a GraphQL nodes batch
EXTRAPOLATED = "ᵉ"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class GitHubSettings:
    issues: int = 10_000
    latency: float = 0.02
    sample: int = 1000  # issues whose timeline the PyGithub script reads; the rest is scaled
    timeout: float = 1800.0


def minimum(issues: int) -> dict[str, int]:
    """The fewest requests a full pull of ``issues`` issues can make."""
    pages = max(1, math.ceil(issues / PAGE))
    return {SEARCH: pages, ITEMS: math.ceil(issues / PAGE), PROJECT: 1}


def script_minimum(issues: int) -> dict[str, int]:
    """The fewest the PyGithub script can make: the repository, the list pages, and
    one timeline page per issue (REST has no batch of timelines)."""
    return {REPOSITORY: 1, LIST: max(1, math.ceil(issues / PAGE)), TIMELINE: issues}


@dataclass(frozen=True)
class ScriptRun(ScriptPull):
    """The PyGithub script's pull, scaled from its timeline sample to every issue."""

    SAMPLED: ClassVar[str] = "timelines_read"
    PHASE_SECONDS: ClassVar[str] = "timeline_seconds"
    PER_ISSUE: ClassVar[tuple[str, ...]] = (TIMELINE,)


@dataclass(frozen=True)
class Check:
    """Both contenders' done issues among the issues the script read."""

    compared: int
    done_okrsync: int
    done_script: int
    same_times: int  # issues done in both with the same done time
    differing: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.differing and self.done_okrsync == self.done_script


def check(okrsync: dict[str, Any], script: dict[str, Any]) -> Check:
    keys = [str(k) for k in script["sampled"]]
    ours: dict[str, str] = okrsync["done"]
    theirs: dict[str, str] = script["done"]
    differing = [k for k in keys if ours.get(k) != theirs.get(k)]
    return Check(
        compared=len(keys),
        done_okrsync=sum(k in ours for k in keys),
        done_script=sum(k in theirs for k in keys),
        same_times=sum(k in ours and ours[k] == theirs.get(k) for k in keys),
        differing=differing,
    )


@dataclass(frozen=True)
class GitHubOutcome:
    settings: GitHubSettings
    build_seconds: float
    truth: dict[str, int]
    okrsync: Pull
    script: ScriptRun
    started: float
    finished: float
    load: tuple[tuple[float, float, float], tuple[float, float, float]]

    @property
    def least(self) -> dict[str, int]:
        return minimum(self.settings.issues)

    @property
    def check(self) -> Check:
        return check(self.okrsync.result, self.script.measured.result)

    @property
    def done_total_agrees(self) -> bool:
        """okrsync's done issues among all of them against the sandbox's own count."""
        return len(self.okrsync.result["done"]) == self.truth["done"]


def run_github(settings: GitHubSettings, progress: Progress = lambda _: None) -> GitHubOutcome:
    started, load = time.time(), os.getloadavg()
    progress(f"github: building the sandbox: {settings.issues:,} issues with history")
    secrets = {GITHUB_TOKEN_VARIABLE: TOKEN}
    with (
        SandboxProcess(
            issues=settings.issues, latency=settings.latency, host="bench.github_host"
        ) as sandbox,
        tempfile.TemporaryDirectory(prefix="okrsync-bench-") as scratch,
    ):
        progress(f"  sandbox at {sandbox.url} (built in {sandbox.build_seconds:.1f}s)")

        def measure(module: str, args: list[str]) -> Pull:
            sandbox.reset()
            result = run_contender(
                module, sandbox.url, args, timeout=settings.timeout, secrets=secrets
            )
            return Pull(result, sandbox.summary())

        progress("github: okrsync's full pull")
        ours = measure("github_run", ["--db", str(Path(scratch) / "okrsync.db")])
        progress(f"  {ours.seconds:.1f}s, {ours.requests:,} requests")
        progress(f"github: PyGithub script (timelines of the first {settings.sample:,})")
        theirs = ScriptRun(measure("github_script", ["--sample", str(settings.sample)]))
        progress(f"  {theirs.measured.seconds:.1f}s measured")
        return GitHubOutcome(
            settings=settings,
            build_seconds=sandbox.build_seconds,
            truth={str(k): int(v) for k, v in sandbox.ready["truth"].items()},
            okrsync=ours,
            script=theirs,
            started=started,
            finished=time.time(),
            load=(load, os.getloadavg()),
        )
