"""The benchmark's side of ``bench.host``: start it, ask it things, stop it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LogSummary:
    """The sandbox's request log since the last reset."""

    total: int
    routes: dict[str, int]
    continuations: dict[str, int]
    failed: int
    cpu_seconds: float  # the sandbox process's CPU time (all threads)
    wall_seconds: float

    def count(self, route: str) -> int:
        """Requests to one route, such as ``POST /rest/api/3/issue/bulkfetch``."""
        return self.routes.get(route, 0)

    def continued(self, route: str) -> int:
        """Requests to one route for a page after the first."""
        return self.continuations.get(route, 0)


class SandboxProcess:
    """``with SandboxProcess(issues=100_000, latency=0.02) as jira: jira.url``."""

    def __init__(self, *, issues: int, latency: float, host: str = "bench.host") -> None:
        self.issues = issues
        self.latency = latency
        self.host = host  # the host module: bench.host (Jira), bench.github_host
        self.ready: dict[str, Any] = {}  # everything the host said once serving
        self.url = ""
        self.build_seconds = 0.0
        self.histories = 0  # change histories of the issues the benchmark pulls
        self.rss_mb = 0.0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> Self:
        command = [
            sys.executable,
            "-m",
            self.host,
            "--issues",
            str(self.issues),
            "--latency",
            str(self.latency),
        ]
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        ready = self.ready = self._read()
        self.url = str(ready["url"])
        self.build_seconds = float(ready["build_seconds"])
        self.histories = int(ready.get("histories", 0))
        self.rss_mb = float(ready["rss_mb"])
        return self

    def reset(self) -> None:
        self._ask({"cmd": "reset"})

    def summary(self) -> LogSummary:
        answer = self._ask({"cmd": "summary"})
        return LogSummary(
            total=int(answer["total"]),
            routes={str(k): int(v) for k, v in answer["routes"].items()},
            continuations={str(k): int(v) for k, v in answer["continuations"].items()},
            failed=int(answer["failed"]),
            cpu_seconds=float(answer["cpu_seconds"]),
            wall_seconds=float(answer["wall_seconds"]),
        )

    def change(self, count: int) -> list[str]:
        return [str(key) for key in self._ask({"cmd": "change", "count": count})["changed"]]

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.poll() is None:
                self._send(process, {"cmd": "quit"})
                process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        if self._process is None:
            raise RuntimeError("the sandbox host is not running")
        self._send(self._process, command)
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"the sandbox host refused {command}: {answer['error']}")
        return answer

    @staticmethod
    def _send(process: subprocess.Popen[str], command: dict[str, Any]) -> None:
        stdin: IO[str] | None = process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()

    def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait()
            raise RuntimeError(f"the sandbox host exited (status {code}) before answering")
        answer: dict[str, Any] = json.loads(line)
        return answer
