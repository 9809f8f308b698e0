"""SIGTERM stops ``okrsync serve`` gracefully: nothing new starts, the running run
finishes and is recorded whole, and the process exits 0."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from okrsync_sandbox import SandboxServer
from serve_harness import ServeProcess, wait_for, write_workspace

pytestmark = pytest.mark.slow


def test_sigterm_lets_the_running_run_finish(tmp_path: Path) -> None:
    with SandboxServer() as site:
        process = ServeProcess(write_workspace(tmp_path, site.url))
        try:
            site.latency = 0.25  # every answer: a run of ~9 requests takes seconds
            answer = process.api.post("/api/sync", json={"unit": "mappings/shop.yaml"})
            assert answer.status_code == 202
            wait_for(lambda: process.runs()["queue"]["running"])
            # A second run of the unit waits for the first: the stop keeps it from starting.
            waiting = process.api.post("/api/sync", json={"unit": "mappings/shop.yaml"})
            assert waiting.status_code == 202
            assert [r["id"] for r in process.runs()["queue"]["waiting"]] == [
                waiting.json()["run_id"]
            ]
        finally:
            code = process.stop()
        assert code == 0, process.log_text()
        with sqlite3.connect(tmp_path / "okrsync.db") as db:
            rows = db.execute("SELECT unit, status, finished_at IS NOT NULL FROM runs").fetchall()
        db.close()
        # The running run finished whole; the waiting one never started.
        assert rows == [("mappings/shop.yaml", "ok", 1)]
        assert [(w.method, w.path) for w in site.writes] == [("PUT", "/rest/api/3/issue/OKR-12")]
        assert "letting the running runs finish" in process.log_text()
