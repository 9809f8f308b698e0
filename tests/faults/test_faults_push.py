"""``okrsync apply`` against a sandbox that fails its writes on purpose, over real HTTP.

Whatever fails, every write is carried out once (an idempotent PUT may be repeated),
no comment or KR issue is ever made twice, and a run that gives up says so and leaves
the next run to finish the job."""

from __future__ import annotations

import pytest
from faults_harness import (
    CREATE,
    FIRST_WRITES,
    Waits,
    Workspace,
    answered,
    assert_pushed,
    carried_out,
    okrsync_comments,
    writes_carried_out,
)
from okrsync_sandbox import LoggedRequest, SandboxServer

FIELD_12 = ("PUT", "/rest/api/3/issue/OKR-12")
COMMENT_12 = ("POST", "/rest/api/3/issue/OKR-12/comment")
PROPERTY_12 = ("PUT", "/rest/api/3/issue/OKR-12/properties/okrsync")
CREATE_13 = ("POST", CREATE)


def sent(jira: SandboxServer, write: tuple[str, str]) -> list[LoggedRequest]:
    method, path = write
    return [entry for entry in jira.log.entries(method, path) if entry.path == path]


@pytest.mark.parametrize(
    "write", [FIELD_12, COMMENT_12, PROPERTY_12, CREATE_13], ids=lambda w: " ".join(w)
)
@pytest.mark.parametrize("retry_after", [2, 0, None], ids=["retry-after-2", "0", "absent"])
def test_a_429_on_a_write_is_sent_again_exactly_once(
    jira: SandboxServer,
    workspace: Workspace,
    waits: Waits,
    write: tuple[str, str],
    retry_after: int | None,
) -> None:
    method, path = write
    jira.faults.rate_limit(path, method=method, retry_after=retry_after, exact=True)

    outcome = workspace.run("apply")

    assert outcome.exit_code == 0, outcome
    assert writes_carried_out(jira) == FIRST_WRITES
    refused, again = sent(jira, write)
    assert (refused.status, refused.fault) == (429, "rate_limit")
    assert answered(again) and again.body == refused.body
    assert_pushed(jira)
    if retry_after:
        assert waits.sleeps == [2.0]
    else:
        # A jittered backoff, then the rest of the X-RateLimit-NearLimit pause (1 s).
        backoff, rest = waits.sleeps
        assert 0.5 <= backoff <= 1.0
        assert backoff + rest == pytest.approx(1.0)


def test_a_burst_of_5xx_on_an_edit_is_survived(jira: SandboxServer, workspace: Workspace) -> None:
    for status in (500, 502, 503):
        jira.faults.server_error(FIELD_12[1], method="PUT", status=status, exact=True)

    outcome = workspace.run("apply")

    assert outcome.exit_code == 0, outcome
    assert [entry.status for entry in sent(jira, FIELD_12)] == [500, 502, 503, 204]
    assert writes_carried_out(jira) == FIRST_WRITES
    assert_pushed(jira)


def test_a_503_on_a_new_comment_is_sent_again(jira: SandboxServer, workspace: Workspace) -> None:
    # 503: the service was unavailable, so it did nothing and the POST may be repeated.
    jira.faults.server_error(COMMENT_12[1], method="POST", status=503, times=2)

    outcome = workspace.run("apply")

    assert outcome.exit_code == 0, outcome
    assert [entry.status for entry in sent(jira, COMMENT_12)] == [503, 503, 201]
    assert writes_carried_out(jira) == FIRST_WRITES
    assert_pushed(jira)


def test_a_new_comment_whose_answer_was_lost_is_not_added_again(
    jira: SandboxServer, workspace: Workspace
) -> None:
    # Jira adds the comment; the connection drops halfway through its answer.
    jira.faults.cut(COMMENT_12[1], method="POST")

    outcome = workspace.run("apply")

    # okrsync read the comments again, found its own, and went on.
    assert outcome.exit_code == 0, outcome
    (posted,) = sent(jira, COMMENT_12)
    assert posted.fault == "cut" and carried_out(posted)
    assert writes_carried_out(jira) == FIRST_WRITES
    assert_pushed(jira)
    assert workspace.sql("SELECT count(*) FROM writes") == [(7,)]


def test_a_kr_issue_whose_answer_was_lost_is_found_not_created_again(
    jira: SandboxServer, workspace: Workspace
) -> None:
    jira.faults.cut(CREATE, method="POST", exact=True)

    outcome = workspace.run("apply")

    # Found by its label: its field and comment go to it, and the store knows it.
    assert outcome.exit_code == 0, outcome
    (posted,) = sent(jira, CREATE_13)
    assert posted.fault == "cut" and carried_out(posted)
    assert writes_carried_out(jira) == FIRST_WRITES
    assert_pushed(jira)
    assert workspace.sql("SELECT kr_id, issue_key FROM created_issues") == [
        ("one-click-done", "OKR-13")
    ]


def test_an_edit_whose_answer_was_lost_is_sent_again(
    jira: SandboxServer, workspace: Workspace
) -> None:
    # A PUT sets a value: doing it twice leaves what doing it once does.
    jira.faults.cut(PROPERTY_12[1], method="PUT")

    outcome = workspace.run("apply")

    assert outcome.exit_code == 0, outcome
    cut, again = sent(jira, PROPERTY_12)
    assert cut.fault == "cut" and answered(again)
    assert again.body == cut.body
    assert_pushed(jira)


def test_a_comment_that_may_not_have_been_added_stops_the_run_and_the_next_adds_it(
    jira: SandboxServer, workspace: Workspace
) -> None:
    # A gateway's 502: Jira may or may not have added the comment. It did not, so
    # okrsync, which looked, does not know more than that it is missing: it stops.
    jira.faults.server_error(COMMENT_12[1], method="POST", status=502)

    failed = workspace.run("apply")

    assert failed.exit_code == 1, failed
    assert failed.stderr.splitlines()[0] == (
        "error: jira: Jira answered 502 to POST /rest/api/3/issue/OKR-12/comment; try again "
        "later (502 Bad Gateway)"
    )
    assert writes_carried_out(jira) == FIRST_WRITES[:1]
    assert okrsync_comments(jira, "OKR-12") == []
    assert workspace.runs() == [("apply", "failed")]

    again = workspace.run("apply")

    assert again.exit_code == 0, again
    assert writes_carried_out(jira) == FIRST_WRITES
    assert_pushed(jira)


def test_a_run_that_gives_up_on_rate_limits_is_failed_and_the_next_one_finishes(
    jira: SandboxServer, workspace: Workspace, waits: Waits
) -> None:
    workspace.settings("    max_attempts: 3\n")
    rule = jira.faults.rate_limit(PROPERTY_12[1], method="PUT", times=10, retry_after=1)

    failed = workspace.run("apply")

    assert failed.exit_code == 1, failed
    assert failed.stderr.splitlines()[0] == (
        "error: jira: Jira kept rate-limiting PUT /rest/api/3/issue/OKR-12/properties/okrsync "
        "(jira-burst-based); run again later or lower the connector's concurrency"
    )
    # The run says what it did and did not do (its summary, recorded too).
    assert "2 of 7 planned writes made (not made: OKR-12 property, " in failed.stderr
    assert rule.fired == 3  # max_attempts
    assert waits.sleeps == [1.0, 1.0]
    # What was done is in Jira and in the store's ledger; nothing else was tried.
    assert writes_carried_out(jira) == FIRST_WRITES[:2]
    assert workspace.sql("SELECT what FROM writes ORDER BY id") == [("field",), ("comment",)]
    assert workspace.runs() == [("apply", "failed")]

    jira.faults.clear()
    again = workspace.run("apply")

    assert again.exit_code == 0, again
    assert writes_carried_out(jira) == FIRST_WRITES
    assert_pushed(jira)
    assert workspace.runs() == [("apply", "failed"), ("apply", "ok")]
