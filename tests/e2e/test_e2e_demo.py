"""``okrsync demo``: the whole loop, offline, in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_harness import EXAMPLE_KR_IDS as KR_IDS

from okrsync.demo import NEXT_STEPS


@pytest.mark.slow
def test_demo_runs_the_whole_loop_and_prints_the_results(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "demo"],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),  # no okrsync.yaml here: the demo brings its own
        env={**os.environ, "COLUMNS": "160"},
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Objectives and key results" in out
    for kr in KR_IDS:
        assert kr in out, kr
    rows: dict[str, str] = {}  # the first row of each id: the results table's
    for line in out.splitlines():
        cells = line.split("│")
        if len(cells) > 7 and cells[1].strip():
            rows.setdefault(cells[1].split()[0], line)
    # The demo's "now" is the sandbox's present, so the numbers are those of DATASET.md.
    assert "75.48%" in rows["ship-one-click"] and "on track" in rows["ship-one-click"]
    assert "50%" in rows["switch-provider"]
    assert "10 write(s) pushed back to Jira" in out
    assert "Jira received 10 write request(s)" in out
    assert "a second plan finds 0 write(s) pending" in out
    # It ends with what to try next.
    assert out.rstrip().splitlines()[-4:] == list(NEXT_STEPS)
    assert "Traceback" not in done.stderr
