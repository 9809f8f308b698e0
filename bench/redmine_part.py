"""The Redmine part of ``python -m bench``: okrsync's full pull of N issues with journals
from a real Redmine, its requests against the minimum Redmine's API allows, and its time.

Redmine is Debian's package, started as the Redmine tests start it
(tests/redmine/redmine_server.py: a template database built and seeded, then served by
thin on loopback); ``bench/redmine_seed.rb`` adds project ``load`` with N issues and
their journals in bulk. Where Redmine is not installed the part says so and is skipped.

The minimum: Redmine lists issues 100 a page and ignores ``include=journals`` in lists,
so a full pull needs ``ceil(N/100)`` list pages plus one ``GET /issues/{id}.json
?include=journals`` per issue, plus the catalog okrsync reads once (statuses, trackers,
the projects, the pulled project's versions). Requests are counted in Redmine's own
log (``Started GET ...`` lines).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.contender import ROOT, ContenderFailed, run_contender
from bench.redmine_run import KEY_VARIABLE, TIMEOUT
from bench.report import _seconds, _table

BEGIN = "<!-- redmine pull benchmark -->"
END = "<!-- end of the redmine pull benchmark -->"
ISSUES = 1000
PAGE = 100
SEED = Path(__file__).with_name("redmine_seed.rb")
LIST = "GET /issues.json"
JOURNALS = "GET /issues/{id}.json"
# What okrsync reads once per pull besides the issues (Catalog.load, the sprints).
CATALOG = {
    "GET /issue_statuses.json": 1,
    "GET /trackers.json": 1,
    "GET /projects.json": 1,
    "GET /projects/{id}/versions.json": 1,
}
KEY_CHECK = "GET /users/current.json"
_STARTED = re.compile(r'Started (\w+) "([^"?]+)')
_ID = re.compile(r"/\d+(?=[./]|$)")

Progress = Callable[[str], None]


def minimum(issues: int) -> dict[str, int]:
    return {LIST: max(1, math.ceil(issues / PAGE)), JOURNALS: issues, **CATALOG}


def routes_in_log(text: str) -> Counter[str]:
    """Requests by route (ids replaced by ``{id}``) in a Rails log."""
    found: Counter[str] = Counter()
    for method, path in _STARTED.findall(text):
        found[f"{method} {_ID.sub('/{id}', path)}"] += 1
    return found


def _key_check(routes: dict[str, int]) -> str:
    if not routes.get(KEY_CHECK):
        return ""
    return (
        f"`{KEY_CHECK}` is okrsync's check of the API key before the pull, which tells a "
        "wrong key from a missing permission; the minimum leaves it out."
    )


def _server_module() -> Any:
    """tests/redmine/redmine_server.py, which starts the Redmine the tests use."""
    folder = str(ROOT / "tests" / "redmine")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import redmine_server

    return redmine_server


def _seed(server: Any, folder: Path, database: Path, issues: int) -> dict[str, int]:
    env = server._instance(folder / "instance", database)
    env["OKRSYNC_BENCH_ISSUES"] = str(issues)
    done = subprocess.run(
        ["bin/rails", "runner", str(SEED)],
        cwd=server.REDMINE_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding Redmine failed:\n{done.stderr[-2000:]}")
    counts: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return counts


def measure(issues: int, progress: Progress) -> dict[str, Any] | str:
    """The part's figures, or why it was skipped."""
    server = _server_module()
    problem = server.missing_redmine()
    if problem is not None:
        return problem
    with tempfile.TemporaryDirectory(prefix="okrsync-bench-redmine-") as scratch:
        folder = Path(scratch)
        began = time.perf_counter()
        progress("redmine: building the template (migrations, default data, seed.rb)")
        template = server.build_template(folder / "template")
        progress(f"redmine: seeding {issues:,} issues with journals")
        seeded_at = time.perf_counter()
        seeded = _seed(server, folder / "template", template, issues)
        seed_seconds = time.perf_counter() - seeded_at
        progress(f"  {seeded} in {seed_seconds:.1f}s")
        serve = folder / "serve"
        serve.mkdir()
        with server.redmine_server(template, serve) as url:
            build_seconds = time.perf_counter() - began
            log = serve / "instance" / "log" / "production.log"
            before = log.stat().st_size if log.exists() else 0
            progress("redmine: okrsync's full pull")
            result = run_contender(
                "redmine_run",
                url,
                ["--db", str(folder / "okrsync.db")],
                timeout=1800,
                secrets={KEY_VARIABLE: server.API_KEY},
            )
            progress(f"  {float(result['seconds']):.1f}s")
            text = log.read_bytes()[before:].decode(errors="replace") if log.exists() else ""
    return {
        "issues": issues,
        "seeded": seeded,
        "seed_seconds": seed_seconds,
        "build_seconds": build_seconds,
        "result": result,
        "routes": dict(routes_in_log(text)),
        "load": os.getloadavg(),
    }


def render(figures: dict[str, Any] | str, command: str) -> str:
    lines = [BEGIN, "## Redmine: okrsync's pull against the request minimum", ""]
    if isinstance(figures, str):
        return "\n".join([*lines, f"Skipped: {figures}.", END, ""])
    issues, result, seeded = figures["issues"], figures["result"], figures["seeded"]
    routes: dict[str, int] = figures["routes"]
    least = minimum(issues)
    counted = sum(routes.values())
    # Without Redmine's log, the client's own count is all there is.
    made = counted or int(result["client_requests"])
    rows = [
        [f"`{route}`", f"{routes.get(route, 0):,}", f"{least.get(route, 0):,}",
         f"{routes.get(route, 0) - least.get(route, 0):+,}"]
        for route in sorted(set(routes) | set(least))
    ]  # fmt: skip
    total = sum(least.values())
    rows.append(
        ["**total**", f"**{made:,}**", f"**{total:,}**", f"**{made - total:+,}** "
         f"({made / total:.3f}×)"]
    )  # fmt: skip
    seconds = float(result["seconds"])
    lines += [
        f"`{command}` — Debian's Redmine on SQLite behind thin on loopback (no latency "
        f"added), project `load` with {seeded['issues']:,} issues and {seeded['journals']:,} "
        f"journals (`bench/redmine_seed.rb`, {figures['seed_seconds']:.1f} s; Redmine built "
        f"and started in {figures['build_seconds']:.0f} s). okrsync pulls `{'project_id=load'}` "
        f"with `RedmineConnector` on default settings (but a {TIMEOUT} s timeout: thin answers "
        "one request at a time, and okrsync asks for the list pages after the first "
        "together) into a fresh SQLite file.",
        "",
        f"Minimum for N = {issues:,}: ceil(N/100) = {least[LIST]:,} list pages + N = "
        f"{least[JOURNALS]:,} journal reads (`GET /issues/{{id}}.json?include=journals`: "
        "Redmine ignores `include=journals` in lists, and has no batch of journals) + "
        f"{sum(CATALOG.values())} catalog reads (statuses, trackers, projects, the project's "
        "versions).",
        "",
        *_table(["route", "made", "minimum", "over"], rows, "lrrr"),
        "",
        f"Counted in Redmine's log: {counted:,}; okrsync's client counted "
        f"{int(result['client_requests']):,}. {_key_check(routes)}",
        "",
        *_table(
            ["", "okrsync"],
            [
                ["wall time", _seconds(seconds)],
                ["per issue", f"{seconds / issues * 1000:,.1f} ms"],
                ["client CPU", _seconds(float(result["cpu_seconds"]))],
                ["peak memory", f"{float(result['peak_rss_mb']):,.0f} MB"],
                ["items stored", f"{int(result['stored_items']):,}"],
                ["changes stored", f"{int(result['stored_changes']):,}"],
                ["done (closed) items", f"{int(result['done']):,} (seeded: {seeded['done']:,})"],
            ],
            "lr",
        ),
        "",
        "Load average at the end: " + ", ".join(f"{v:.2f}" for v in figures["load"]) + ".",
        END,
        "",
    ]
    return "\n".join(lines)


def run_section(issues: int, command: str, progress: Progress) -> str:
    try:
        figures = measure(issues, progress)
    except (RuntimeError, ContenderFailed, OSError, subprocess.TimeoutExpired) as failure:
        progress(f"redmine: failed: {failure}")
        last = (str(failure).strip().splitlines() or [type(failure).__name__])[-1]
        figures = f"the run failed: {last.strip()}"
    return render(figures, command)
