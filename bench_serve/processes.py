"""The benchmark's processes: the sandbox host, ``okrsync serve`` and, with a broker,
``okrsync worker`` processes; each is a real subprocess, stopped as a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

from bench_serve.workspace import ENV, SERVE_TOKEN, Workspace

ROOT = Path(__file__).resolve().parent.parent
OKRSYNC = [sys.executable, "-m", "okrsync.cli"]


class BenchFailed(RuntimeError):
    """A process of the benchmark did not start or answer: the message says which."""


class Host:
    """``bench_serve.host`` in its own process, asked one JSON line at a time."""

    def __init__(self, units: int, latency: float) -> None:
        command = [sys.executable, "-m", "bench_serve.host", "--units", str(units)]
        self.process = subprocess.Popen(
            [*command, "--latency", str(latency)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready = self._read()

    def ask(self, command: dict[str, Any]) -> Any:
        stdin: IO[str] | None = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()
        answer = self._read()
        if isinstance(answer, dict) and "error" in answer:
            raise BenchFailed(f"the sandbox host refused {command}: {answer['error']}")
        return answer

    def _read(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise BenchFailed(f"the sandbox host exited (status {self.process.wait()})")
        return json.loads(line)

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.ask({"cmd": "quit"})
                self.process.wait(timeout=30)
        except (OSError, BenchFailed, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()


class Logged:
    """A subprocess of okrsync whose output goes to a log file in the workspace."""

    def __init__(self, workspace: Workspace, name: str, arguments: list[str]) -> None:
        self.log_path = workspace.folder / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*OKRSYNC, "--config", str(workspace.config), *arguments],
            cwd=workspace.folder,
            env={**os.environ, **ENV},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_lines(self, offset: int = 0) -> list[dict[str, Any]]:
        text = self.log_path.read_bytes()[offset:].decode(errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            self._log.close()


class Serve(Logged):
    """``okrsync serve --log-format json``; ``workers`` threads unless a broker runs them."""

    def __init__(self, workspace: Workspace, workers: int | None) -> None:
        threads = ["--workers", str(workers)] if workers else []
        super().__init__(workspace, "serve", ["serve", "--log-format", "json", *threads])
        self.url = workspace.url
        self.api = httpx.Client(
            base_url=workspace.url,
            timeout=60,
            headers={"Authorization": f"Bearer {SERVE_TOKEN}"},
        )
        deadline = time.monotonic() + 120
        while not self._healthy():
            if time.monotonic() > deadline:
                raise BenchFailed("okrsync serve did not answer /healthz within 120 s")
            time.sleep(0.2)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise BenchFailed(f"okrsync serve exited:\n{self.log_text()[-3000:]}")
        try:
            return self.api.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def idle(self) -> bool:
        queue = self.api.get("/api/runs").json()["queue"]
        return not queue["waiting"] and not queue["running"]

    def stop(self, timeout: float = 60) -> int:
        self.api.close()
        return super().stop(timeout)


def start_workers(workspace: Workspace, count: int, concurrency: int) -> list[Logged]:
    arguments = ["worker", "--concurrency", str(concurrency), "--log-format", "json"]
    return [Logged(workspace, f"worker-{n}", arguments) for n in range(count)]


def cpu_seconds(pid: int) -> float | None:
    """A live process's user and system CPU time so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
