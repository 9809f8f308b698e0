"""``python -m bench.github_script --url URL --out FILE [--sample K]``: the script a user
would write with PyGithub instead of okrsync.

It lists every issue of the repository (``repo.get_issues(state="all")``, 100 a page:
PyGithub follows the ``Link`` header), then reads each issue's timeline
(``issue.get_timeline()``, one request per issue, more for a timeline past 100 events)
and derives what okrsync's pull gives a mapping: whether the issue is done (closed as
completed and not reopened since) and when. The REST timeline has no project status
changes (GraphQL's alone), and PyGithub has no GraphQL batching, so that is the script.

``Github(..., per_page=100, seconds_between_requests=None)``: the largest pages, and
PyGithub's default pause of 0.25 s between requests turned off, which would otherwise
set its pace (at least a quarter of a second an issue). ``--sample K`` reads the
timelines of the first K issues listed only (newest first, PyGithub's default order);
the benchmark scales that phase up to every issue. Results stay in memory.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from github import Auth, Github

from bench.contender import github_token, write_result

REPO = "acme/load"


def done_at(events: list[Any]) -> str | None:
    """When the issue was last closed as completed, if no reopening followed."""
    done: str | None = None
    for event in sorted(events, key=lambda e: e.created_at):
        if event.event == "closed":
            reason = event.raw_data.get("state_reason") or "completed"
            done = event.raw_data["created_at"] if reason == "completed" else None
        elif event.event == "reopened":
            done = None
    return done


def run(url: str, repo_name: str, sample: int | None) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    github = Github(
        base_url=url, auth=Auth.Token(github_token()), per_page=100, seconds_between_requests=None
    )
    repo = github.get_repo(repo_name)
    connected = time.perf_counter()

    issues = list(repo.get_issues(state="all"))
    listed = time.perf_counter()

    chosen = issues if sample is None else issues[:sample]
    done: dict[str, str] = {}
    events = 0
    for issue in chosen:
        timeline = list(issue.get_timeline())
        events += len(timeline)
        moment = done_at(timeline)
        if moment is not None:
            done[f"{repo_name}#{issue.number}"] = moment
    finished, cpu = time.perf_counter(), time.process_time() - cpu
    github.close()
    return {
        "seconds": finished - started,
        "cpu_seconds": cpu,
        "connect_seconds": connected - started,
        "list_seconds": listed - connected,
        "timeline_seconds": finished - listed,
        "issues": len(issues),
        "timelines_read": len(chosen),
        "sampled": [f"{repo_name}#{issue.number}" for issue in chosen],
        "events": events,
        "done": done,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.github_script", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repo", default=REPO)
    parser.add_argument("--sample", type=int, default=None)
    args = parser.parse_args(argv)
    write_result(args.out, run(args.url, args.repo, args.sample))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
