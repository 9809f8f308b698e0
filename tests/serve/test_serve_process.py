"""A real ``okrsync serve`` process over HTTP: webhook deliveries (signed, unsigned,
wrongly signed, replayed, malformed), the debounce, a failing unit kept to itself,
/metrics parsed with prometheus_client's parser, the JSON log, and /readyz.

The tests of this module share one process and build on each other's state, in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from okrsync_sandbox import API_TOKEN, SandboxServer
from serve_harness import (
    SERVE_TOKEN,
    UNITS,
    WEBHOOK_SECRET,
    ServeProcess,
    issue_event,
    samples,
    signed,
    wait_for,
    write_workspace,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site() -> Iterator[SandboxServer]:
    with SandboxServer() as jira:
        yield jira


@pytest.fixture(scope="module")
def serve(site: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    config = write_workspace(tmp_path_factory.mktemp("serve"), site.url, debounce="1.5s")
    process = ServeProcess(config)
    try:
        yield process
    finally:
        process.stop()


def jira_writes(site: SandboxServer) -> list[tuple[str, str]]:
    return [(w.method, w.path) for w in site.writes]


def test_health_is_open_and_the_rest_needs_the_token(serve: ServeProcess) -> None:
    assert serve.http.get("/healthz").status_code == 200
    ready = serve.http.get("/readyz")
    assert (ready.status_code, ready.text) == (200, "ready\n")
    for path in ("/api/status", "/api/runs", "/api/krs/shop-done"):
        refused = serve.http.get(path)
        assert refused.status_code == 401, path
        assert refused.headers["www-authenticate"] == "Bearer"
    assert serve.http.post("/api/sync", json={}).status_code == 401
    wrong = serve.http.get("/api/status", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    # A browser is sent to the login form.
    page = serve.http.get("/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")


@pytest.mark.parametrize(
    ("signature", "why"),
    [
        (None, "missing"),
        ("sha256=" + "0" * 64, "wrong"),
        (signed(issue_event("SHOP-101"), "another-secret"), "another secret"),
        (signed(issue_event("SHOP-101")).replace("sha256=", "sha1="), "another algorithm"),
    ],
)
def test_a_delivery_not_signed_with_the_secret_is_refused(
    serve: ServeProcess, site: SandboxServer, signature: str | None, why: str
) -> None:
    site.reset_log()
    answer = serve.deliver(issue_event("SHOP-101"), delivery=f"refused-{why}", signature=signature)
    assert answer.status_code == 401, why
    assert "X-Hub-Signature" in answer.json()["error"]
    assert serve.idle() and serve.runs()["runs"] == []
    assert jira_writes(site) == []


def test_a_delivery_for_an_unknown_instance_or_malformed_is_refused(
    serve: ServeProcess, site: SandboxServer
) -> None:
    body = issue_event("SHOP-101")
    unknown = serve.http.post(
        "/webhooks/github", content=body, headers={"X-Hub-Signature": signed(body)}
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "no webhooks are configured for instance 'github'"
    for malformed, why in ((b"{not json", "not JSON"), (b"[1, 2]", "not a JSON object")):
        answer = serve.deliver(malformed, delivery=f"bad-{why}", signature=signed(malformed))
        assert answer.status_code == 400
        assert answer.json()["error"] == f"malformed delivery: the body is {why}"
    huge = b'{"padding": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    too_large = serve.deliver(huge, delivery="bad-huge", signature=signed(huge))
    assert too_large.status_code == 413
    assert serve.idle() and serve.runs()["runs"] == []
    assert jira_writes(site) == []
    refused = [line for line in serve.log_lines() if "refused" in line["message"]]
    assert len(refused) == 8  # 4 signatures, 1 unknown instance, 3 bodies
    assert WEBHOOK_SECRET not in serve.log_text()


def test_signed_deliveries_within_the_debounce_make_one_run_of_their_unit(
    serve: ServeProcess, site: SandboxServer
) -> None:
    site.reset_log()
    first = serve.deliver(
        issue_event("SHOP-101"), delivery="d-1", signature=signed(issue_event("SHOP-101"))
    )
    assert first.status_code == 202, first.text
    (queued,) = first.json()["runs"]
    # Only the unit selecting from project SHOP on this instance (not PAY, not "down").
    assert (queued["unit"], first.json()["scope"]) == ("mappings/shop.yaml", "SHOP")
    second = serve.deliver(
        issue_event("SHOP-102"), delivery="d-2", signature=signed(issue_event("SHOP-102"))
    )
    assert second.status_code == 202
    assert second.json()["runs"][0]["id"] == queued["id"]  # joined the waiting run
    assert [r["id"] for r in serve.runs()["queue"]["waiting"]] == [queued["id"]]
    (run,) = wait_for(lambda: serve.finished_runs(queued["id"]))
    assert (run["unit"], run["status"]) == ("mappings/shop.yaml", "ok")
    # It started when the first delivery's window of 1.5 s had passed, not before.
    waited = datetime.fromisoformat(run["started_at"]) - datetime.fromisoformat(queued["queued_at"])
    assert timedelta(seconds=1.4) <= waited < timedelta(seconds=10)
    wait_for(serve.idle)
    assert [r["unit"] for r in serve.runs()["runs"]] == ["mappings/shop.yaml"]
    # One write: OKR-12's KR Progress field; the SHOP project was searched, PAY never.
    assert jira_writes(site) == [("PUT", "/rest/api/3/issue/OKR-12")]
    searched = [str(r.body) for r in site.log.entries("POST", "/rest/api/3/search/jql")]
    assert searched and not any("PAY" in jql for jql in searched)


def test_a_replayed_delivery_changes_nothing(serve: ServeProcess, site: SandboxServer) -> None:
    site.reset_log()
    before = serve.runs()["runs"]
    body = issue_event("SHOP-101")
    again = serve.deliver(body, delivery="d-1", signature=signed(body))
    assert (again.status_code, again.json()) == (200, {"duplicate": "d-1"})
    assert serve.idle() and serve.runs()["runs"] == before
    assert len(site.log) == 0


def test_a_failing_unit_fails_alone(serve: ServeProcess, site: SandboxServer) -> None:
    site.reset_log()
    answer = serve.api.post("/api/sync", json={})
    assert answer.status_code == 202
    ids = answer.json()["run_ids"]
    assert sorted(r["unit"] for r in answer.json()["runs"]) == UNITS
    finished = wait_for(
        lambda: len(runs := [r for i in ids for r in serve.finished_runs(i)]) == 3 and runs
    )
    outcome = {r["unit"]: r["status"] for r in finished}
    assert outcome == {
        "mappings/down.yaml": "failed",
        "mappings/pay.yaml": "ok",
        "mappings/shop.yaml": "ok",
    }
    (down,) = [r for r in finished if r["unit"] == "mappings/down.yaml"]
    assert "down" in down["errors"][0]
    # PAY's result is pushed; SHOP's field already holds its value: no second write.
    assert jira_writes(site) == [("PUT", "/rest/api/3/issue/OKR-5")]
    status = serve.api.get("/api/status").json()
    assert {kr["id"] for kr in status["key_results"]} == {"shop-done", "pay-done"}


def test_one_unit_is_synced_on_request(serve: ServeProcess) -> None:
    answer = serve.api.post("/api/sync", json={"unit": "mappings/pay.yaml"})
    assert answer.status_code == 202
    (run,) = wait_for(lambda: serve.finished_runs(answer.json()["run_id"]))
    assert (run["unit"], run["status"]) == ("mappings/pay.yaml", "ok")
    unknown = serve.api.post("/api/sync", json={"unit": "mappings/nope.yaml"})
    assert unknown.status_code == 404
    assert "'mappings/nope.yaml' is not one of the mapping files" in unknown.json()["error"]
    assert serve.api.post("/api/sync", content=b"[").status_code == 400


def test_the_api_answers_as_status_and_explain_do(serve: ServeProcess) -> None:
    status = serve.api.get("/api/status").json()
    (shop,) = [kr for kr in status["key_results"] if kr["id"] == "shop-done"]
    assert shop["objective"] == "shop-flow" and shop["value"] is not None
    explained = serve.api.get("/api/krs/shop-done")
    assert explained.status_code == 200
    document: dict[str, Any] = explained.json()
    assert document["key_result"]["id"] == "shop-done"
    assert document["key_result"]["value"] == shop["value"]
    assert document["location"].endswith("shop.yaml:8:9")
    assert serve.api.get("/api/krs/nope").status_code == 404


def test_metrics_count_runs_requests_and_deliveries(serve: ServeProcess) -> None:
    found = samples(serve)
    runs = {
        labels: value for (name, labels), value in found.items() if name == "okrsync_runs_total"
    }
    assert runs == {
        (("outcome", "ok"), ("unit", "mappings/shop.yaml")): 2.0,
        (("outcome", "ok"), ("unit", "mappings/pay.yaml")): 2.0,
        (("outcome", "failed"), ("unit", "mappings/down.yaml")): 1.0,
    }
    shop = ("unit", "mappings/shop.yaml")
    assert found[("okrsync_run_duration_seconds_count", (shop,))] == 2.0
    assert ("okrsync_last_success_timestamp_seconds", (shop,)) in found
    assert (
        "okrsync_last_success_timestamp_seconds",
        (("unit", "mappings/down.yaml"),),
    ) not in found
    assert found[("okrsync_requests_total", (("instance", "jira"),))] > 0
    deliveries = {
        labels: value
        for (name, labels), value in found.items()
        if name == "okrsync_webhook_deliveries_total"
    }
    assert deliveries[(("instance", "jira"), ("outcome", "accepted"))] == 2.0
    assert deliveries[(("instance", "jira"), ("outcome", "duplicate"))] == 1.0
    assert deliveries[(("instance", "jira"), ("outcome", "refused"))] == 7.0
    assert deliveries[(("instance", "unknown"), ("outcome", "refused"))] == 1.0
    # KR progress and status, from the store: SHOP's done count over a target of 10.
    status = serve.api.get("/api/status").json()
    (shop_kr,) = [kr for kr in status["key_results"] if kr["id"] == "shop-done"]
    assert found[("okrsync_kr_progress", (("kr", "shop-done"),))] == pytest.approx(
        shop_kr["progress"]
    )
    flags = {
        labels[1][1]: value
        for (name, labels), value in found.items()
        if name == "okrsync_kr_status" and labels[0] == ("kr", "shop-done")
    }
    assert flags[shop_kr["status"]] == 1.0 and sum(flags.values()) == 1.0


def test_one_json_log_line_per_run(serve: ServeProcess) -> None:
    lines = [line for line in serve.log_lines() if line.get("event") == "run"]
    assert len(lines) == 5
    for line in lines:
        assert set(line) >= {"unit", "outcome", "duration", "requests", "writes"}
        assert isinstance(line["duration"], float) and line["duration"] > 0
    (down,) = [line for line in lines if line["unit"] == "mappings/down.yaml"]
    assert (down["outcome"], down["writes"]) == ("failed", 0) and down["error"]
    shop_writes = [line["writes"] for line in lines if line["unit"] == "mappings/shop.yaml"]
    assert shop_writes == [1, 0]
    text = serve.log_text()
    assert API_TOKEN not in text and SERVE_TOKEN not in text and WEBHOOK_SECRET not in text


def test_readyz_says_503_and_why_when_the_store_goes_away(serve: ServeProcess) -> None:
    database = serve.folder / "okrsync.db"
    database.rename(serve.folder / "okrsync.db.away")
    try:
        answer = serve.http.get("/readyz")
        assert answer.status_code == 503
        assert answer.text == f"the state database sqlite:///{database} does not exist (any more)\n"
        assert serve.http.get("/healthz").status_code == 200  # the process still runs
    finally:
        (serve.folder / "okrsync.db.away").rename(database)
    assert serve.http.get("/readyz").status_code == 200


def test_deliveries_seen_survive_a_restart(serve: ServeProcess, site: SandboxServer) -> None:
    assert serve.stop() == 0
    again = ServeProcess(serve.config)
    try:
        body = issue_event("SHOP-101")
        replayed = again.deliver(body, delivery="d-2", signature=signed(body))
        assert (replayed.status_code, replayed.json()) == (200, {"duplicate": "d-2"})
        assert again.idle()
    finally:
        assert again.stop() == 0
