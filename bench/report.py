"""The benchmark's figures as Markdown: printed, and written to ``bench/RESULTS.md``."""

from __future__ import annotations

from bench import minimum
from bench.changes import QUERY
from bench.goals import EXTRAPOLATED, IN_FLIGHT, all_goals
from bench.machine import Machine
from bench.results import Outcome, Pull, ScriptPull


def _seconds(value: float) -> str:
    return f"{value:,.2f} s" if value < 10 else f"{value:,.1f} s"


def _mark(script: ScriptPull) -> str:
    return EXTRAPOLATED if script.extrapolated else ""


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _comparison(outcome: Outcome) -> list[str]:
    rows: list[list[str]] = []
    for label, ours, theirs in (
        ("full", outcome.okrsync_full, outcome.script_full),
        ("incremental", outcome.okrsync_incremental, outcome.script_incremental),
    ):
        mark = _mark(theirs)
        rows += [
            [
                f"{label} pull: wall time",
                _seconds(ours.seconds),
                _seconds(theirs.seconds) + mark,
                f"{theirs.seconds / ours.seconds:,.1f}× faster{mark}",
            ],
            [
                f"{label} pull: HTTP requests",
                f"{ours.requests:,}",
                f"{theirs.requests:,}{mark}",
                f"{theirs.requests / ours.requests:,.1f}× fewer{mark}",
            ],
            [
                f"{label} pull: peak memory",
                f"{ours.peak_mb:,.0f} MB",
                f"{theirs.measured.peak_mb:,.0f} MB (measured)",
                "",
            ],
        ]
    return _table(["", "okrsync", "jira script", "okrsync vs script"], rows, "lrrr")


def _requests_vs_minimum(pull: Pull, least: dict[str, int]) -> list[str]:
    routes = sorted(set(pull.log.routes) | set(least))
    rows = []
    for route in routes:
        made = pull.log.count(route)
        wanted = least.get(route, 0)
        later = pull.log.continued(route)
        rows.append(
            [
                f"`{route}`",
                f"{made:,}",
                f"{wanted:,}",
                f"{made - wanted:+,}",
                f"{later:,}" if later else "",
            ]
        )
    made_total, least_total = pull.requests, sum(least.values())
    rows.append(
        [
            "**total**",
            f"**{made_total:,}**",
            f"**{least_total:,}**",
            f"**{made_total - least_total:+,}** ({made_total / least_total:.3f}×)",
            "",
        ]
    )
    return _table(["route", "made", "minimum", "over", "of which later pages"], rows, "lrrrr")


_STAGES = (
    ("open the store (migrations, run lock, run record)", "store open"),
    (
        "field catalog, searches, first issues fetched, first batch stored",
        "first batch stored",
    ),
    ("the other issues fetched and stored", "last batch stored"),
    ("sprints, members and cursor stored", "pull done"),
    ("run recorded, store closed", "store closed"),
)


def _stages(*pulls: Pull) -> list[list[str]]:
    """okrsync's time by stage, from the marks its process took."""
    rows = []
    previous = [0.0 for _ in pulls]
    for label, mark in _STAGES:
        row = [label]
        for index, pull in enumerate(pulls):
            marks: dict[str, float] = pull.result.get("stages") or {}
            # A pull with nothing to fetch stores no batch: its stage takes no time.
            at = marks.get(mark, previous[index])
            row.append(_seconds(at - previous[index]))
            previous[index] = at
        rows.append(row)
    rows.append(["**total**", *(f"**{_seconds(pull.seconds)}**" for pull in pulls)])
    return rows


def _changelog_note(outcome: Outcome) -> list[str]:
    later = outcome.okrsync_full.log.continued(minimum.CHANGELOGS)
    if not later:
        return []
    return [
        f"The {later:,} later pages of `/changelog/bulkfetch`: okrsync asks for the histories "
        f"of {minimum.ISSUES_PER_CHANGELOG:,} issues a call with `maxResults` 10,000 (the "
        "documented maximum) and follows `nextPageToken` when a group's histories do not fit "
        f"in one page or the site returns fewer; the {outcome.settings.issues:,} issues carry "
        f"{outcome.histories:,} histories ({outcome.histories / outcome.settings.issues:.3f} "
        "an issue).",
        "",
    ]


def _incremental_note(outcome: Outcome) -> list[str]:
    result = outcome.okrsync_incremental.result
    fetched = int(result["fetched"])
    reread = fetched - outcome.changed
    lines: list[str] = []
    if reread > 0:
        lines += [
            f"okrsync fetched {fetched:,} issues: the {outcome.changed:,} changed ones and "
            f"{reread:,} read again because its cursor overlap (5 minutes by default) reaches "
            "back over them; the minimum counts only the changed ones.",
            "",
        ]
    if outcome.members_listed:
        searches = outcome.okrsync_incremental.log.count(minimum.SEARCH)
        pages = searches - outcome.minimum_incremental[minimum.SEARCH]
        if result.get("remembers_listing"):
            why = (
                "the approximate count disagreed with the members it knew, or their last "
                "listing was due"
            )
        else:
            why = (
                "its store does not record when the members were last listed "
                "(`okrsync.pull.SweepLog`), so every incremental pull lists them"
            )
        lines += [
            f"okrsync read the members' ids again ({pages:,} id page{'s' if pages != 1 else ''}, "
            f"nothing re-read in full) instead of trusting the approximate count: {why}.",
            "",
        ]
    return lines


def _script_detail(label: str, script: ScriptPull) -> list[str]:
    result, log = script.measured.result, script.measured.log
    lines = [
        f"**{label}** — {script.issues:,} issues found; changelogs read for "
        f"{script.sampled:,} of them; {result['histories']:,} histories.",
        "",
    ]
    rows = [
        ["JIRA() (server info)", _seconds(float(result["connect_seconds"])), ""],
        [
            "search (all issues, 100 a page)",
            _seconds(float(result["search_seconds"])),
            f"{log.count('GET /rest/api/3/search/jql'):,}",
        ],
        [
            f"changelogs ({script.sampled:,} issues, one request each)",
            _seconds(float(result["changelog_seconds"])),
            f"{script.changelog_requests:,}",
        ],
        ["**measured total**", f"**{_seconds(script.measured.seconds)}**", f"**{log.total:,}**"],
    ]
    if script.extrapolated:
        rows.append(
            [
                f"scaled to {script.issues:,} changelogs (×{script.scale:,.1f}){EXTRAPOLATED}",
                _seconds(script.seconds),
                f"{script.requests:,}",
            ]
        )
    return lines + _table(["phase", "time", "requests"], rows, "lrr")


def processes_table(pulls: list[tuple[str, Pull]]) -> list[str]:
    """Each pull's wall time, its client's CPU, and the sandbox's CPU meanwhile."""
    rows = []
    for label, pull in pulls:
        log = pull.log
        busy = log.cpu_seconds / log.wall_seconds if log.wall_seconds else 0.0
        per_request = log.cpu_seconds / log.total * 1000 if log.total else 0.0
        rows.append(
            [
                label,
                _seconds(pull.seconds),
                _seconds(float(pull.result["cpu_seconds"])),
                _seconds(log.cpu_seconds),
                f"{busy:.0%}",
                f"{per_request:.1f} ms",
                f"{log.failed:,}",
            ]
        )
    return _table(
        [
            "pull",
            "wall time",
            "client CPU",
            "sandbox CPU",
            "sandbox busy",
            "sandbox CPU per request",
            "failed requests",
        ],
        rows,
        "lrrrrrr",
    )


def _processes(outcome: Outcome) -> list[str]:
    return processes_table(
        [
            ("okrsync full", outcome.okrsync_full),
            ("jira script full", outcome.script_full.measured),
            ("okrsync incremental", outcome.okrsync_incremental),
            ("jira script incremental", outcome.script_incremental.measured),
        ]
    )


def render(outcome: Outcome, machine: Machine, command: str) -> str:
    settings = outcome.settings
    script = outcome.script_full
    lines = [
        "# okrsync pull benchmark",
        "",
        f"`{command}` — okrsync's Jira pull against a script on the pycontribs `jira` "
        "library, in the same run, against the same sandbox process.",
        "",
        f"Sandbox: {settings.issues:,} issues in project BULK "
        f"(`build_dataset(date(2027, 1, 1), extra_issues={settings.issues})`, built in "
        f"{outcome.build_seconds:.1f} s), {settings.latency * 1000:g} ms added to every "
        f"request; query `{QUERY}`; {outcome.changed:,} issues "
        f"({settings.changed_fraction:.0%}) changed between the full and the incremental pull.",
        "",
        "## Machine",
        "",
        *[f"- {line}" for line in machine.lines()],
        f"- Load average at the end: {', '.join(f'{v:.2f}' for v in outcome.load_after)} "
        "(other work on the machine slows both contenders)",
        "",
        "## Goals",
        "",
        *_table(
            ["goal", "target", "okrsync", "verdict"],
            [[g.name, g.target, g.actual, g.verdict] for g in all_goals(outcome)],
            "lrrl",
        ),
        "",
        "## okrsync against the jira script",
        "",
        *_comparison(outcome),
        "",
    ]
    if script.extrapolated:
        lines += [
            f"{EXTRAPOLATED} **Extrapolated.** The jira script's search ran over all "
            f"{script.issues:,} issues, but reading one changelog per issue for all of them "
            f"would take about {script.seconds / 60:,.0f} minutes, so it read the changelogs "
            f"of the first {script.sampled:,} issues the search returned and that phase's "
            f"time and requests are scaled by {script.scale:,.1f} (they are proportional to "
            "the issues). Its peak memory is as measured: it holds every searched issue but "
            f"only {script.sampled:,} changelogs. The measured figures:",
            "",
        ]
    lines += [
        *_script_detail("Full pull", script),
        "",
        *_script_detail("Incremental pull", outcome.script_incremental),
        "",
        "## okrsync's requests against the minimum",
        "",
        f"Full pull of {settings.issues:,} issues (minimum: ceil(N/5000) id pages + "
        "ceil(N/100) bulk fetches + ceil(N/1000) changelog fetches + field catalog and "
        "board lookup):",
        "",
        *_requests_vs_minimum(outcome.okrsync_full, outcome.minimum_full),
        "",
        *_changelog_note(outcome),
        f"Incremental pull after {outcome.changed:,} issues changed (minimum: the query's "
        "approximate count, which tells whether members left or joined unseen, one search for "
        "the changed issues, their bulk and changelog fetches, field catalog and board "
        "lookup):",
        "",
        *_requests_vs_minimum(outcome.okrsync_incremental, outcome.minimum_incremental),
        "",
        *_incremental_note(outcome),
        "okrsync's time by stage:",
        "",
        *_table(
            ["stage", "full", "incremental"],
            _stages(outcome.okrsync_full, outcome.okrsync_incremental),
            "lrr",
        ),
        "",
        f"okrsync stored {outcome.okrsync_full.result['stored_items']:,} items and "
        f"{outcome.okrsync_full.result['stored_changes']:,} changes after the full pull, "
        f"{outcome.okrsync_incremental.result['stored_items']:,} items and "
        f"{outcome.okrsync_incremental.result['stored_changes']:,} changes after the "
        f"incremental one ({outcome.okrsync_incremental.result['fetched']:,} items fetched).",
        "",
        "## Where the time went",
        "",
        "CPU time of the contender's process during its pull, and of the sandbox process "
        "meanwhile. The sandbox answers one request at a time, so near 100% busy would "
        "mean it set the pace; client and sandbox CPU adding up to the wall time means "
        "they took turns instead of overlapping, or that other work on the machine left "
        "them little CPU (see the load averages above).",
        "",
        *_processes(outcome),
        "",
        "okrsync's requests are the minimum, so its CPU time is work per issue and per "
        "request. Profiled over a full pull of 20,000 issues, the pull's own thread spends "
        "it on the HTTP client (httpx, httpcore and its anyio streams: a few ms per "
        "request, whatever its size), decoding the answers (orjson), and turning issues "
        "and changelogs into items and changes; the store's thread, beside it, turns "
        "those into rows and hands them to SQLite's executemany (one transaction per "
        "write, SQLite's own work outside the interpreter lock). The sandbox's CPU is "
        "rendering issues and histories in Jira's shapes; it encodes its bulk answers "
        "with orjson.",
        "",
        "## How it is measured",
        "",
        "- Three processes: the sandbox (`bench.host`), okrsync's pull "
        "(`bench.okrsync_run`) and the jira script (`bench.jira_script`), so each one's "
        "memory is its own. Peak memory is the contender process's `ru_maxrss`.",
        "- The network floor is what the full pull would take if only the network set its "
        "pace: the minimum requests, each waiting the sandbox's added latency, "
        f"{IN_FLIGHT} at a time (the connector's default).",
        "- okrsync runs what `okrsync pull` runs: the run lock and run record, "
        "`okrsync_jira.JiraConnector` with default settings (8 requests in flight) and "
        "`okrsync.pull.pull_queries` storing every batch in a SQLite file (a fresh file for "
        "the full pull, the same file for the incremental one).",
        "- The jira script: `JIRA(server=url, basic_auth=(email, token))` (REST v3, the "
        "only version the sandbox serves), `search_issues(jql, maxResults=False, "
        "fields=<okrsync's fields>)`, then `jira.issue(key, fields='status', "
        "expand='changelog')` per issue, paging `/issue/{key}/changelog` when the inline "
        "changelog is truncated. It keeps everything in memory and writes nothing, so it "
        "does not pay for storage as okrsync does. Its incremental run is the same script "
        "with `AND updated > <latest updated it saw>`.",
        f"- Fields requested by both: {', '.join(f'`{f}`' for f in outcome.fields)}.",
        "- Wall time is the pull alone (from opening the store or creating the client to the "
        "last byte stored or read), not the interpreter's start-up. Requests are counted "
        "in the sandbox's request log, reset before each pull; a search for the query warms "
        "the sandbox's JQL cache first so neither contender pays for it.",
        f"- Total benchmark time: {(outcome.finished - outcome.started) / 60:.1f} minutes.",
        "",
    ]
    return "\n".join(lines)
