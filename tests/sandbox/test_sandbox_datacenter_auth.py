"""Data Center mode: who may log in how, and the token bucket that rate-limits them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from okrsync_sandbox import API_TOKEN, BOT_EMAIL, PAT, SandboxServer, build_dataset
from okrsync_sandbox.ratelimit import TokenBucket
from sandbox_times import ANCHOR, NOW

MYSELF = "/rest/api/2/myself"


@pytest.fixture
def site() -> Iterator[SandboxServer]:
    state = build_dataset(ANCHOR.date(), deployment="DataCenter")
    state.clock = lambda: NOW
    with SandboxServer(state) as server:
        yield server


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_personal_access_tokens_and_user_names_log_in(site: SandboxServer) -> None:
    bearer = httpx.get(site.url + MYSELF, headers={"Authorization": f"Bearer {PAT}"})
    assert (bearer.status_code, bearer.json()["name"]) == (200, "okr-bot")
    assert site.auth == ("okr-bot", API_TOKEN)
    basic = httpx.get(site.url + MYSELF, auth=site.auth)
    assert (basic.status_code, basic.json()["displayName"]) == (200, "OKR Bot")
    # Data Center's basic auth takes a user name; Cloud's takes the account's email.
    by_email = httpx.get(site.url + MYSELF, auth=(BOT_EMAIL, API_TOKEN))
    assert by_email.status_code == 401
    wrong = httpx.get(site.url + MYSELF, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"


def test_the_token_bucket_answers_429_with_html_when_empty(site: SandboxServer) -> None:
    clock = FakeClock()
    site.state.rate_limit = TokenBucket(capacity=2, fill_rate=1, interval=1, clock=clock)
    with httpx.Client(base_url=site.url, auth=site.auth) as http:
        first, second, third = (http.get(MYSELF) for _ in range(3))
        assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
        limits = [
            (r.headers["X-RateLimit-Remaining"], r.headers["retry-after"])
            for r in (first, second, third)
        ]
        # Tokens left: retry-after 0; none left: one interval until the next batch.
        assert limits == [("1", "0"), ("0", "1"), ("0", "1")]
        assert third.headers["X-RateLimit-Limit"] == "2"
        assert third.headers["X-RateLimit-FillRate"] == "1"
        assert third.headers["X-RateLimit-Interval-Seconds"] == "1"
        assert third.headers["Content-Type"].startswith("text/html")
        assert "<h1>Too many requests</h1>" in third.text

        clock.now += 1  # one interval: one more token
        refilled = http.get(MYSELF)
        assert (refilled.status_code, refilled.headers["X-RateLimit-Remaining"]) == (200, "0")
        assert http.get(MYSELF).status_code == 429
        clock.now += 10  # ten intervals: the bucket is full again, never fuller
        assert [http.get(MYSELF).status_code for _ in range(3)] == [200, 200, 429]
    # Each user has a bucket of their own.
    other = httpx.get(site.url + MYSELF, auth=("ana", "ana-api-token"))
    assert other.status_code == 200
    assert [e.status for e in site.log.entries(path_prefix=MYSELF)][-1] == 200


def test_an_injected_rate_limit_looks_like_data_centers(site: SandboxServer) -> None:
    site.faults.rate_limit(MYSELF, times=1, retry_after=3)
    site.faults.rate_limit(MYSELF, times=1, retry_after=None)
    with httpx.Client(base_url=site.url, auth=site.auth) as http:
        limited, bare, fine = http.get(MYSELF), http.get(MYSELF), http.get(MYSELF)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-FillRate"] == "10"
    assert limited.headers["X-RateLimit-Interval-Seconds"] == "1"
    assert "RateLimit-Reason" not in limited.headers  # a Cloud header
    assert limited.headers["Content-Type"].startswith("text/html")
    assert "Too many requests" in limited.text
    assert bare.status_code == 429 and "retry-after" not in bare.headers
    assert fine.status_code == 200
    assert [e.fault for e in site.log.entries(path_prefix=MYSELF)] == [
        "rate_limit",
        "rate_limit",
        None,
    ]
