"""The sandbox's side of the fault tests: Jira's millisecond times, and the faults that
let the site act before the answer is lost (``cut``, ``stall``)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from faults_harness import ISSUE_BULKFETCH, Workspace, sandbox_site
from okrsync_sandbox import SandboxServer

ONE_QUERY = (Path(__file__).parents[1] / "data" / "one_click_kr.yaml").read_text()
COMMENT = "/rest/api/3/issue/OKR-12/comment"
ADF = {"type": "doc", "version": 1, "content": []}


def test_every_time_the_site_sets_has_whole_milliseconds(jira: SandboxServer) -> None:
    base = jira.state.clock
    jira.state.clock = lambda: base().replace(microsecond=654321)
    state = jira.state
    transition = state.transition("SHOP-113", "Done")
    edit = state.set_field("SHOP-112", "Story point estimate", 13)
    comment = state.add_comment("SHOP-112", ADF)
    created = state.add_issue("SHOP", "Story", "New", created=base() + timedelta(microseconds=7))
    with httpx.Client(base_url=jira.url, auth=jira.auth) as http:
        answer = http.post(COMMENT, json={"body": ADF})
        assert answer.status_code == 201
    times = [
        transition.created if transition else None,
        edit.created if edit else None,
        comment.created,
        created.created,
        state.get("SHOP-113").updated,
        state.get("SHOP-113").resolutiondate,
        state.get("OKR-12").comments[-1].created,
        state.get("OKR-12").updated,
    ]
    assert all(isinstance(t, datetime) and t.microsecond % 1000 == 0 for t in times), times
    assert state.get("SHOP-113").updated.microsecond == 654000


def test_an_unchanged_issue_is_not_read_again_whatever_the_clock_precision(
    tmp_path: Path,
) -> None:
    with sandbox_site() as jira:
        ticking = jira.state.clock
        jira.state.clock = lambda: ticking() + timedelta(microseconds=123)
        workspace = Workspace(tmp_path, jira, mapping=ONE_QUERY)
        workspace.settings("    overlap: 0s\n")
        assert workspace.run("pull").exit_code == 0
        jira.state.transition("SHOP-113", "Done")
        assert workspace.run("pull").exit_code == 0
        jira.reset_log()

        assert workspace.run("pull").exit_code == 0

        # The cursor is SHOP-113's own `updated`: nothing is newer, nothing is fetched.
        assert jira.log.count("POST", ISSUE_BULKFETCH) == 0


def test_cut_carries_the_request_out_then_loses_half_the_answer(jira: SandboxServer) -> None:
    jira.faults.cut(COMMENT, method="POST")
    with httpx.Client(base_url=jira.url, auth=jira.auth) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            http.post(COMMENT, json={"body": ADF})
        (entry,) = jira.log.entries("POST", COMMENT)
        assert (entry.status, entry.fault) == (201, "cut")
        assert len(jira.state.get("OKR-12").comments) == 2  # Ana's, and the new one
        # No body to cut: the connection closes before the status line.
        jira.faults.cut("/rest/api/3/issue/OKR-12", method="PUT", exact=True)
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            http.put("/rest/api/3/issue/OKR-12", json={"fields": {"customfield_10100": 5}})
        assert jira.state.get("OKR-12").custom["customfield_10100"] == 5
        # Spent: the site answers again.
        assert http.get("/rest/api/3/issue/OKR-12").status_code == 200


def test_exact_rules_match_the_whole_path_only(jira: SandboxServer) -> None:
    jira.faults.server_error("/rest/api/3/issue", method="POST", status=502, exact=True)
    with httpx.Client(base_url=jira.url, auth=jira.auth) as http:
        assert http.post(COMMENT, json={"body": ADF}).status_code == 201
        created = http.post("/rest/api/3/issue", json={"fields": {}})
    assert created.status_code == 502
    assert jira.faults.pending() == []


def test_stall_carries_the_request_out_before_answering_late(jira: SandboxServer) -> None:
    jira.faults.stall(COMMENT, method="POST", seconds=0.3)
    answers: list[Any] = []

    def post() -> None:
        with httpx.Client(base_url=jira.url, auth=jira.auth) as http:
            answers.append(http.post(COMMENT, json={"body": ADF}))

    started = time.monotonic()
    poster = threading.Thread(target=post)
    poster.start()
    while not jira.log.entries("POST", COMMENT) or jira.log[-1].status is None:
        time.sleep(0.001)
    # The site has added the comment, and logged its answer, while the client waits.
    assert len(jira.state.get("OKR-12").comments) == 2
    assert answers == []
    poster.join()
    assert answers[0].status_code == 201
    assert time.monotonic() - started >= 0.3
    assert jira.log[-1].fault == "stall"


def test_the_sandbox_clock_is_the_one_the_harness_travels_to(jira: SandboxServer) -> None:
    # The fault tests' clocks agree: this process's now and the site's, within a second.
    assert abs(jira.state.now() - datetime.now(UTC)) < timedelta(seconds=1)
