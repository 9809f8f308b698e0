"""The machine a benchmark ran on, for the record next to its figures."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gb: float
    python: str
    system: str
    load: tuple[float, float, float]  # 1, 5 and 15 minute load averages at the start
    date: str

    def lines(self) -> list[str]:
        one, five, fifteen = self.load
        return [
            f"Date: {self.date}",
            f"CPU: {self.cpu}, {self.cores} cores",
            f"Memory: {self.memory_gb:.1f} GB",
            f"Python: {self.python} on {self.system}",
            f"Load average at the start: {one:.2f}, {five:.2f}, {fifteen:.2f}",
        ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def describe() -> Machine:
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        memory_gb=_memory_gb(),
        python=platform.python_version(),
        system=f"{platform.system()} {platform.release()}",
        load=load,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
