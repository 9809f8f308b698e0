"""The insights panel of the dashboard and ``/api/insights``, over HTTP against a real
``okrsync serve``: nothing while no cycle is closed, then how well the team estimated
the closed one.

Besides the harness's three units of the current quarter, the workspace has a file of
the quarter before, which has ended. The sandbox is seeded with its anchor A at the
start of the current quarter (UTC); that quarter ends in Berlin at A - 2h, when SHOP
holds SHOP-100..109 (created A-30d .. A-9d; SHOP-110 comes at A+3d): 10 items.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from okrsync_sandbox import SandboxServer
from serve_harness import ENV, ServeProcess, this_quarter, write_workspace


def previous_quarter() -> str:
    year, quarter = int(this_quarter()[:4]), int(this_quarter()[-1])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


PREVIOUS = previous_quarter()
ENDED = f"""\
version: 1
cycle: {PREVIOUS}
team: checkout
defaults: {{source: jira}}
objectives:
  - id: ended-flow
    title: Ended flow
    key_results:
      - id: ended-scope
        title: Stories on the board
        select: {{query: project = SHOP}}
        measure: count
        target: 20
"""


def okrsync(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "okrsync.cli", "--config", str(config), *args]
    return subprocess.run(
        command, cwd=config.parent, env={**os.environ, **ENV}, capture_output=True, text=True
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServeProcess, Path]]:
    with SandboxServer() as site:
        config = write_workspace(tmp_path, site.url)
        (tmp_path / "mappings" / "ended.yaml").write_text(ENDED)
        synced = okrsync(config, "sync", "--unit", "mappings/ended.yaml")
        assert synced.returncode == 0, synced.stderr
        process = ServeProcess(config)
        try:
            yield process, config
        finally:
            process.stop()


def test_the_panel_and_the_api_show_insights_once_a_cycle_is_closed(
    served: tuple[ServeProcess, Path],
) -> None:
    serve, config = served
    assert serve.http.get("/api/insights").status_code == 401
    empty = serve.api.get("/api/insights")
    assert empty.status_code == 200
    assert empty.json()["cycles"] == []
    assert 'id="insights-panel"' not in serve.api.get("/dashboard/main").text

    closed = okrsync(config, "close", PREVIOUS)
    assert closed.returncode == 0, closed.stderr

    document = serve.api.get("/api/insights").json()
    assert document["cycles"] == [PREVIOUS]
    (group,) = document["groups"]
    # 10 items against a target of 20 from 0: score 0.5, bias (10 - 20) / 20 = -0.5.
    assert (group["team"], group["kind"], group["key_results"]) == ("checkout", "output", 1)
    assert group["score"]["mean"] == 0.5
    assert group["bias"] == -0.5
    assert document["by_cycle"] == [{"cycle": PREVIOUS, "bias": -0.5, "key_results": 1}]

    main = serve.api.get("/dashboard/main").text
    panel = main.split('<aside class="insights-panel objective depth-0" id="insights-panel">')[1]
    panel = panel.split("</aside>")[0]
    assert "How well we estimate" in panel
    assert f"over 1 closed cycles: {PREVIOUS}" in panel
    # Shown once: the report's own insights section is left out of the dashboard.
    assert main.count('id="insights"') == 1
    home = serve.api.get("/")
    assert home.status_code == 200 and 'id="insights-panel"' in home.text
