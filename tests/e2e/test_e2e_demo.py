"""``okrsync demo``: the whole loop, offline, in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_harness import EXAMPLE_KR_IDS as KR_IDS

from okrsync.demo import NEXT_STEPS
from tests.table_text import table_rows


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
    rows = {cells[0].split()[0]: cells for cells in table_rows(out, "objective / key result")}
    # The demo's "now" is the sandbox's present, so the numbers are those of DATASET.md
    # (75.48%, rounded for people).
    assert rows["ship-one-click"][1] == "75.5%" and rows["ship-one-click"][5] == "on track"
    assert rows["switch-provider"][1] == "50%"
    assert "10 writes pushed back to Jira" in out
    assert "Jira received 10 write requests" in out
    assert "a second plan finds 0 writes pending" in out
    # It ends with what to try next.
    assert out.rstrip().splitlines()[-4:] == list(NEXT_STEPS)
    assert "Traceback" not in done.stderr
