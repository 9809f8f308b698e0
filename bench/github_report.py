"""The GitHub part's figures as a Markdown section of ``bench/RESULTS.md``, between
markers of its own (``bench.eval_report.replace_section``)."""

from __future__ import annotations

import os

from bench.github_part import (
    EXTRAPOLATED,
    ITEMS,
    LIST,
    PROJECT,
    REPOSITORY,
    SEARCH,
    GitHubOutcome,
    script_minimum,
)
from bench.report import _seconds, _table, processes_table

BEGIN = "<!-- github pull benchmark -->"
END = "<!-- end of the github pull benchmark -->"


def _load(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _ratio(mine: float, theirs: float, word: str) -> str:
    return f"{theirs / mine:,.1f}× {word}" if mine else "–"


def _comparison(outcome: GitHubOutcome) -> list[str]:
    ours, theirs = outcome.okrsync, outcome.script
    mark = EXTRAPOLATED if theirs.extrapolated else ""
    least = sum(outcome.least.values())
    rows = [
        [
            "wall time",
            _seconds(ours.seconds),
            _seconds(theirs.seconds) + mark,
            _ratio(ours.seconds, theirs.seconds, "faster") + mark,
        ],
        [
            "HTTP requests",
            f"{ours.requests:,}",
            f"{theirs.requests:,}{mark}",
            _ratio(ours.requests, theirs.requests, "fewer") + mark,
        ],
        [
            "requests against the minimum",
            f"{ours.requests / least:.2f}× {least:,}",
            f"{theirs.requests / least:,.1f}× {least:,}{mark}",
            "",
        ],
        ["peak memory", f"{ours.peak_mb:,.0f} MB", f"{theirs.measured.peak_mb:,.0f} MB", ""],
    ]
    return _table(["full pull", "okrsync", "PyGithub script", "okrsync vs script"], rows, "lrrr")


def _requests(outcome: GitHubOutcome) -> list[str]:
    ours, log = outcome.okrsync, outcome.okrsync.log
    least = outcome.least
    rows = []
    for route in sorted(set(log.routes) | set(least)):
        made, wanted = log.count(route), least.get(route, 0)
        later = log.continued(route)
        rows.append([f"`{route}`", f"{made:,}", f"{wanted:,}", f"{made - wanted:+,}", f"{later:,}"])
    total = sum(least.values())
    rows.append(
        [
            "**total**",
            f"**{ours.requests:,}**",
            f"**{total:,}**",
            f"**{ours.requests - total:+,}** ({ours.requests / total:.3f}×)",
            "",
        ]
    )
    return _table(["route", "made", "minimum", "over", "of which later pages"], rows, "lrrrr")


def _split_note(outcome: GitHubOutcome) -> list[str]:
    searches = outcome.okrsync.log.count(SEARCH)
    pages = outcome.least[SEARCH]
    if searches <= pages:
        return []
    return [
        f"The {searches - pages:,} searches over the minimum are the price of GitHub's "
        f"1,000-result cap: okrsync asks for the first page of the whole selection "
        "(which tells how many match), the newest issue's creation date, then halves the "
        "creation-date range until each half holds at most 1,000, reading the first page "
        "of every range it tries; the ranges that hold more are split, and their first "
        "page is not used. Knowing the creation dates in advance would save them; "
        "nothing tells them without asking.",
        "",
    ]


def _script_detail(outcome: GitHubOutcome) -> list[str]:
    script = outcome.script
    result, log = script.measured.result, script.measured.log
    rows = [
        ["`get_repo` (the repository)", _seconds(float(result["connect_seconds"])),
         f"{log.count(REPOSITORY):,}"],
        ["`get_issues(state='all')` (100 a page)", _seconds(float(result["list_seconds"])),
         f"{log.count(LIST):,}"],
        [f"`get_timeline()` of {script.sampled:,} issues",
         _seconds(float(result["timeline_seconds"])), f"{script.per_issue_requests:,}"],
        ["**measured total**", f"**{_seconds(script.measured.seconds)}**",
         f"**{log.total:,}**"],
    ]  # fmt: skip
    if script.extrapolated:
        rows.append(
            [
                f"scaled to {script.issues:,} timelines (×{script.scale:,.1f}){EXTRAPOLATED}",
                _seconds(script.seconds),
                f"{script.requests:,}",
            ]
        )
    least = script_minimum(script.issues)
    return [
        *_table(["phase", "time", "requests"], rows, "lrr"),
        "",
        f"The script's own minimum is {sum(least.values()):,} requests (the repository, "
        f"{least[LIST]:,} list pages, one timeline per issue: REST has no batch of "
        "timelines).",
    ]


def _check(outcome: GitHubOutcome) -> list[str]:
    found = outcome.check
    truth = outcome.truth
    verdict = "agree" if found.agrees else "**DISAGREE**"
    lines = [
        f"Among the {found.compared:,} issues whose timeline the script read, both "
        f"contenders find the same done issues: okrsync {found.done_okrsync:,}, the script "
        f"{found.done_script:,}, {found.same_times:,} with the same done time ({verdict}). "
        f"Over all {outcome.settings.issues:,} issues okrsync finds "
        f"{len(outcome.okrsync.result['done']):,} done; the sandbox's data has "
        f"{truth['done']:,} ({'agree' if outcome.done_total_agrees else '**DISAGREE**'}).",
    ]
    if found.differing:
        lines.append(f"Differing: {', '.join(found.differing[:10])}.")
    return lines


def _starved(outcome: GitHubOutcome, cores: int | None = None) -> list[str]:
    """What a load average above the cores does to a pull that needs CPU."""
    cores = cores or os.cpu_count() or 1
    load = (outcome.load[0][0] + outcome.load[1][0]) / 2
    if load <= cores:
        return []
    sandbox = outcome.okrsync.log.cpu_seconds
    return [
        f"The machine was loaded: a load average of about {load:.1f} on {cores} cores gives "
        f"each busy process roughly {cores / load:.0%} of a core, so the sandbox's "
        f"{sandbox:.1f} s of CPU for okrsync's pull alone can stretch to up to about "
        f'{sandbox * load / cores:,.0f} s of wall time, and "busy" above reads low. The '
        "script's pull, waiting on the added latency for each of its many small "
        "requests, suffers less from the shortage: the ratio above is the loaded "
        "machine's.",
        "",
    ]


def _processes(outcome: GitHubOutcome) -> list[str]:
    return processes_table(
        [("okrsync", outcome.okrsync), ("PyGithub script (measured)", outcome.script.measured)]
    )


def render_github(outcome: GitHubOutcome, command: str) -> str:
    settings, truth, script = outcome.settings, outcome.truth, outcome.script
    per_hour = 5000
    lines = [
        BEGIN,
        "## GitHub: okrsync's pull against a script on PyGithub",
        "",
        f"`{command}` — both against the same GitHub sandbox process, one after the other, "
        f"{settings.latency * 1000:g} ms added to every request. Repository `acme/load`: "
        f"{settings.issues:,} issues (`add_load_issues`, built in {outcome.build_seconds:.1f} s) "
        f"with {truth['events']:,} timeline events — assigned, project Status changes, "
        f"closed, reopened ({truth['reopened']:,} issues), sub-issue parents "
        f"({truth['with_parent_events']:,} issues) — all in project `acme/5` with Status, "
        "Estimate and Sprint. okrsync's selection: `repo:acme/load`. Load average "
        f"{_load(outcome.load[0])} at the start, {_load(outcome.load[1])} at the end.",
        "",
        *_comparison(outcome),
        "",
    ]
    if script.extrapolated:
        lines += [
            f"{EXTRAPOLATED} **Extrapolated.** The script listed all {script.issues:,} issues "
            f"but read the timelines of the first {script.sampled:,} only; that phase's time "
            f"and requests are scaled by {script.scale:,.1f} (one request per issue, the same "
            "work each). Its peak memory is as measured.",
            "",
        ]
    lines += [
        *_script_detail(outcome),
        "",
        f"On GitHub.com the script would also meet the primary rate limit: {per_hour:,} "
        f"requests an hour for a token, so its {script.requests:,} requests"
        f"{EXTRAPOLATED if script.extrapolated else ''} take at least "
        f"{max(script.requests - 1, 0) // per_hour:,} hour(s) of waiting for the reset "
        "besides the time above (the sandbox's limit is lifted for both).",
        "",
        "### Correctness",
        "",
        *_check(outcome),
        "",
        "### okrsync's requests against the minimum",
        "",
        f"Minimum for N = {settings.issues:,}: ceil(N/100) = {outcome.least[SEARCH]:,} search "
        f"pages + ceil(N/100) = {outcome.least[ITEMS]:,} GraphQL `nodes` batches of 100 "
        f"issues with timelines and project items + {outcome.least[PROJECT]} project query "
        "(no timeline here exceeds 100 events, which would cost a `Timeline` page more).",
        "",
        *_requests(outcome),
        "",
        *_split_note(outcome),
        "### Where the time went",
        "",
        "The sandbox answers one request at a time, and GraphQL batches cost it most "
        "(graphql-core executes some 7,000 fields for 100 issues): near 100% busy means it "
        "set okrsync's pace, not the network.",
        "",
        *_processes(outcome),
        "",
        *_starved(outcome),
        "How: okrsync runs `bench.github_run` (`GitHubConnector` on default settings, 4 "
        "requests in flight, the project configured; `pull_queries` into a fresh SQLite "
        "file, as `okrsync pull`); the script runs `bench.github_script` "
        "(`Github(base_url, auth=Auth.Token(token), per_page=100, "
        "seconds_between_requests=None)`, `get_repo`, `get_issues(state='all')`, then "
        "`get_timeline()` per issue; PyGithub's default 0.25 s pause between requests is "
        "off, or it alone would set the script's pace). Wall time is the pull alone, "
        "interpreter start-up excluded. Requests are counted in the sandbox's log. Total "
        f"time of the part: {(outcome.finished - outcome.started) / 60:.1f} minutes.",
        END,
        "",
    ]
    return "\n".join(lines)
