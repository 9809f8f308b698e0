"""A real ``okrsync serve`` process over HTTP, against the Jira sandbox (seeded in the
current quarter, on the real clock) running in the test process.

The workspace has three units: ``shop.yaml`` (project SHOP, pushing to OKR-12),
``pay.yaml`` (project PAY, pushing to OKR-5) and ``down.yaml``, which reads from an
instance nobody listens at: its runs fail, and must fail alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from okrsync_sandbox import API_TOKEN, BOT_EMAIL
from prometheus_client.parser import text_string_to_metric_families

SERVE_TOKEN = "serve-token-for-tests-5e1f"
WEBHOOK_SECRET = "jira-webhook-secret-for-tests-9a7c"
ENV = {
    "SERVE_TEST_JIRA_TOKEN": API_TOKEN,
    "OKRSYNC_SERVE_TOKEN": SERVE_TOKEN,
    "JIRA_WEBHOOK_SECRET": WEBHOOK_SECRET,
}
UNITS = ["mappings/down.yaml", "mappings/pay.yaml", "mappings/shop.yaml"]


def this_quarter() -> str:
    today = datetime.now(UTC).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def unit_file(objective: str, kr: str, query: str, *, source: str, push: str | None) -> str:
    pushed = (
        f"        push:\n          - to: jira\n            issue: {push}\n"
        "            field: KR Progress\n"
        if push
        else ""
    )
    return (
        f"version: 1\ncycle: {this_quarter()}\ndefaults: {{source: {source}}}\nobjectives:\n"
        f"  - id: {objective}\n    title: {objective.replace('-', ' ').title()}\n"
        "    key_results:\n"
        f"      - id: {kr}\n        title: {kr.replace('-', ' ').title()}\n"
        f"        select: {{query: {query}}}\n        measure: done\n        target: 10\n" + pushed
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_workspace(folder: Path, jira_url: str, *, debounce: str = "1s") -> Path:
    mappings = folder / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    (mappings / "shop.yaml").write_text(
        unit_file("shop-flow", "shop-done", "project = SHOP", source="jira", push="OKR-12")
    )
    (mappings / "pay.yaml").write_text(
        unit_file("pay-flow", "pay-done", "project = PAY", source="jira", push="OKR-5")
    )
    (mappings / "down.yaml").write_text(
        unit_file("down-flow", "down-done", "project = SHOP", source="down", push=None)
    )
    config = folder / "okrsync.yaml"
    site = f"    url: {jira_url}\n    email: {BOT_EMAIL}\n    token: ${{SERVE_TEST_JIRA_TOKEN}}\n"
    config.write_text(
        "database: sqlite:///okrsync.db\nmappings: [mappings/]\ntimezone: Europe/Berlin\n"
        "connectors:\n  jira:\n    type: jira\n"
        + site
        + "  down:\n    type: jira\n"
        + site.replace(jira_url, f"http://127.0.0.1:{free_port()}")
        + f"serve:\n  listen: 127.0.0.1:{free_port()}\n  token: ${{OKRSYNC_SERVE_TOKEN}}\n"
        f"  debounce: {debounce}\n  webhooks:\n    jira:\n      secret: ${{JIRA_WEBHOOK_SECRET}}\n"
    )
    return config


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def issue_event(key: str) -> bytes:
    project = key.rsplit("-", 1)[0]
    return json.dumps(
        {
            "webhookEvent": "jira:issue_updated",
            "issue": {"key": key, "fields": {"project": {"key": project}}},
        }
    ).encode()


def wait_for(check: Callable[[], Any], timeout: float = 30.0, step: float = 0.1) -> Any:
    """``check()``'s first truthy answer; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"still not so after {timeout}s: {check}")
        time.sleep(step)


class ServeProcess:
    """``okrsync serve --log-format json`` in the workspace, its log in a file."""

    def __init__(self, config: Path, *extra: str) -> None:
        self.config = config
        self.folder = config.parent
        self.log_path = self.folder / f"serve-{time.monotonic_ns()}.log"
        listen = next(
            line.split()[-1] for line in config.read_text().splitlines() if "listen:" in line
        )
        self.url = f"http://{listen}"
        command = [sys.executable, "-m", "okrsync.cli", "--config", str(config), "serve"]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*command, "--log-format", "json", *extra],
            cwd=self.folder,
            env={**os.environ, **ENV},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.api = httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {SERVE_TOKEN}"}
        )
        wait_for(self._healthy, timeout=30)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"okrsync serve exited:\n{self.log_text()}")
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def deliver(
        self, body: bytes, *, delivery: str | None, signature: str | None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if delivery is not None:
            headers["X-Atlassian-Webhook-Identifier"] = delivery
        if signature is not None:
            headers["X-Hub-Signature"] = signature
        return self.http.post("/webhooks/jira", content=body, headers=headers)

    def runs(self) -> dict[str, Any]:
        answer = self.api.get("/api/runs")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def finished_runs(self, request_id: str) -> list[dict[str, Any]]:
        return [r for r in self.runs()["runs"] if r["request"] == request_id and r["finished_at"]]

    def idle(self) -> bool:
        queue = self.runs()["queue"]
        return not queue["waiting"] and not queue["running"]

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_text().splitlines() if line.startswith("{")]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.http.close()
            self.api.close()
            self._log.close()
        return code


def samples(serve: ServeProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels, as prometheus_client parses it."""
    answer = serve.http.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }
