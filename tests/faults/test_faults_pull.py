"""``okrsync pull`` against a sandbox that fails on purpose, over real HTTP: rate limits
with and without Retry-After, bursts of 5xx, connections dropped before and in the
middle of a page. Each pull must store exactly what a clean pull stores, asking again
only for what failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faults_harness import (
    CHANGELOG_BULKFETCH,
    ISSUE_BULKFETCH,
    SEARCH,
    Waits,
    Workspace,
    answered,
    requests_by_path,
    sandbox_site,
)
from okrsync_sandbox import SandboxServer, TokenBucket

READS = [SEARCH, ISSUE_BULKFETCH, CHANGELOG_BULKFETCH]


@dataclass
class Clean:
    """What a pull without faults stored, and the requests it made."""

    pulled: dict[str, list[tuple[Any, ...]]]
    requests: Counter[tuple[str, str]]


@pytest.fixture(scope="module")
def site() -> Iterator[SandboxServer]:
    """One site for the module: pulls only read, so it never changes."""
    with sandbox_site() as jira:
        yield jira


@pytest.fixture(scope="module")
def clean(site: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Clean:
    site.reset_log()
    workspace = Workspace(tmp_path_factory.mktemp("clean"), site)
    outcome = workspace.run("pull")
    assert outcome.exit_code == 0, outcome
    assert all(answered(entry) for entry in site.log)
    return Clean(workspace.pulled(), requests_by_path(site))


@pytest.fixture
def fresh(site: SandboxServer, clean: Clean, tmp_path: Path) -> Iterator[Workspace]:
    """An empty store on the module's site, whose log starts empty."""
    site.faults.clear()
    site.reset_log()
    yield Workspace(tmp_path, site)
    site.faults.clear()


def assert_sent_again_once(site: SandboxServer, clean: Clean, path: str, failed: int) -> None:
    """The request to ``path`` that failed ``failed`` times was sent once more, with the
    same body, and answered; nothing else was asked more (or less) than in a clean pull."""
    entries = site.log.entries("POST", path)
    faulted = [entry for entry in entries if not answered(entry)]
    assert len(faulted) == failed
    assert all(entry.body == faulted[0].body for entry in faulted)
    again = [entry for entry in entries if entry.body == faulted[0].body and answered(entry)]
    assert len(again) == 1
    assert again[0].at > faulted[-1].at
    made = requests_by_path(site)
    assert made - clean.requests == Counter({("POST", path): failed})
    assert clean.requests - made == Counter()


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("retry_after", [3, 0, None], ids=["retry-after-3", "0", "absent"])
def test_a_429_is_waited_out_and_sent_again_once(
    site: SandboxServer,
    clean: Clean,
    fresh: Workspace,
    waits: Waits,
    path: str,
    retry_after: int | None,
) -> None:
    rule = site.faults.rate_limit(path, retry_after=retry_after)

    outcome = fresh.run("pull")

    assert outcome.exit_code == 0, outcome
    assert rule.remaining == 0
    assert fresh.pulled() == clean.pulled
    assert_sent_again_once(site, clean, path, failed=1)
    if retry_after:
        assert waits.sleeps == [3.0]
    else:
        # No usable Retry-After: a jittered backoff of 0.5 to 1 s, not an instant retry,
        # then the rest of the 1 s pause that the 429's X-RateLimit-NearLimit asked for.
        backoff, rest = waits.sleeps
        assert 0.5 <= backoff <= 1.0
        assert backoff + rest == pytest.approx(1.0)


@pytest.mark.parametrize("path", READS)
def test_a_burst_of_5xx_is_survived(
    site: SandboxServer, clean: Clean, fresh: Workspace, waits: Waits, path: str
) -> None:
    # Jira's own 500 (JSON) once, then a gateway's HTML 502 and two 503s.
    site.faults.server_error(path, status=500)
    site.faults.server_error(path, status=502)
    site.faults.server_error(path, status=503, times=2)

    outcome = fresh.run("pull")

    assert outcome.exit_code == 0, outcome
    assert site.faults.pending() == []
    assert fresh.pulled() == clean.pulled
    assert_sent_again_once(site, clean, path, failed=4)
    assert [e.status for e in site.log.entries("POST", path)][:4] == [500, 502, 503, 503]
    # Exponential backoff with jitter: attempt n waits 2**(n-1) / 2 to 2**(n-1) seconds.
    assert len(waits.sleeps) == 4
    for attempt, slept in enumerate(waits.sleeps, start=1):
        assert 2 ** (attempt - 1) / 2 <= slept <= 2 ** (attempt - 1)


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("kind", ["drop", "cut"], ids=["before-the-answer", "mid-page"])
def test_a_dropped_connection_is_read_again(
    site: SandboxServer, clean: Clean, fresh: Workspace, path: str, kind: str
) -> None:
    if kind == "drop":
        site.faults.drop(path)
    else:
        site.faults.cut(path)  # the page's first half arrives, then the connection closes

    outcome = fresh.run("pull")

    assert outcome.exit_code == 0, outcome
    assert fresh.pulled() == clean.pulled
    assert_sent_again_once(site, clean, path, failed=1)
    (faulted,) = [entry for entry in site.log if entry.fault is not None]
    assert faulted.fault == kind
    # Dropped before the site answered: no status. Cut: the site answered 200, in vain.
    assert faulted.status == (None if kind == "drop" else 200)


def test_a_pull_that_gives_up_is_failed_and_the_next_one_converges(
    site: SandboxServer, clean: Clean, fresh: Workspace
) -> None:
    # A 500 is tried three times only: it is more often a bug than a hiccup.
    site.faults.server_error(CHANGELOG_BULKFETCH, status=500, times=3)

    failed = fresh.run("pull")

    assert failed.exit_code == 1, failed
    assert failed.stderr.splitlines()[0] == (
        "error: jira: Jira answered 500 to POST /rest/api/3/changelog/bulkfetch; try again "
        "later (Internal server error.)"
    ), failed
    assert "0 of 2 queries stored" in failed.stderr  # the run's summary
    assert fresh.runs() == [("pull", "failed")]
    # The first query's issues may be stored, but no query is marked as pulled.
    assert fresh.pulled()["cursors"] == []
    assert fresh.pulled()["query_members"] == []
    assert site.log.count("POST", CHANGELOG_BULKFETCH) == 3

    again = fresh.run("pull")

    assert again.exit_code == 0, again
    assert fresh.runs() == [("pull", "failed"), ("pull", "ok")]
    assert fresh.pulled() == clean.pulled


def test_data_center_pauses_when_its_token_bucket_is_empty(tmp_path: Path, waits: Waits) -> None:
    """Data Center sends ``retry-after`` with its successful answers once the bucket is
    empty: okrsync waits that long before its next request, so it never gets a 429."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "limited").mkdir()
    with sandbox_site(deployment="Server") as dc:
        plain = Workspace(tmp_path / "plain", dc)
        assert plain.run("pull").exit_code == 0
        # 2 tokens, 2 more every 2 s, on the clock the HTTP layer waits on.
        dc.state.rate_limit = TokenBucket(2, 2, 2, clock=waits.monotonic)
        dc.reset_log()
        limited = Workspace(tmp_path / "limited", dc)
        limited.settings("    concurrency: 1\n")

        outcome = limited.run("pull")

        assert outcome.exit_code == 0, outcome
        assert limited.pulled() == plain.pulled()
        statuses = [entry.status for entry in dc.log]
        assert len(statuses) >= 6
        assert 429 not in statuses
        # A pause of 2 s after every second request: whenever the bucket ran dry.
        assert waits.sleeps == [2.0] * ((len(statuses) - 1) // 2)
