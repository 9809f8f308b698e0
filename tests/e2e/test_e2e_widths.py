"""``plan`` and ``status`` at 80 and 120 columns: the tables fit, keep every KR's
expected and status, and read the same as the snapshots people reviewed.

Set ``OKRSYNC_UPDATE_SNAPSHOTS=1`` to write the snapshots anew after a deliberate
change, then review the difference like code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from e2e_harness import EXAMPLE_KR_IDS, Outcome, Workspace
from okrsync_sandbox import SandboxServer

from tests.table_text import table_rows

SNAPSHOTS = Path(__file__).parent / "snapshots"
# An instant of its own, so that the expected share and the times are those of the
# snapshots on every run.
AS_OF = "2027-02-16T17:30"
STATUSES = {"on track", "at risk", "off track", "not started", "closed"}


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("OKRSYNC_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no snapshot {name}: run with OKRSYNC_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"


def assert_fits(outcome: Outcome, width: int) -> None:
    lines = outcome.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= width, outcome
    header, *rows = table_rows(outcome.stdout, "objective / key result")
    assert header[:5] == ["objective / key result", "value", "target", "progress", "expected"]
    # Wide, each KR's forecast is a column; narrow, a line under the table.
    assert header[5:] == (["status", "forecast"] if width >= 100 else ["status"])
    # Every KR has its row; a name too long for the width is cut with an ellipsis.
    names = [row[0].replace("↳", "").split()[0] for row in rows]
    for kr in EXAMPLE_KR_IDS:
        assert any(n == kr or (n.endswith("…") and kr.startswith(n[:-1])) for n in names), kr
    for row in rows:
        assert re.fullmatch(r"\d+\.\d%", row[4]), row  # expected, never dropped
        assert row[5] in STATUSES, row  # status, never dropped or cut
    # What the marks mean, and where the warnings the table counts are.
    assert "│ expected by now" in outcome.stdout
    if width < 100:
        assert "chance of reaching the target by the cycle's end: ship-one-click " in " ".join(
            outcome.stdout.split()
        )
    assert "'okrsync explain KR' shows them" in outcome.stdout


@pytest.mark.parametrize("width", [80, 120])
def test_plan_fits_the_terminal(width: int, workspace: Workspace, site: SandboxServer) -> None:
    planned = workspace.run("plan", "--as-of", AS_OF, env={"COLUMNS": str(width)})
    assert planned.exit_code == 2, planned
    assert_fits(planned, width)
    header, *writes = table_rows(planned.stdout, "key result")
    assert header == ["key result", "target", "what", "old", "new"]
    assert len(writes) == 10
    assert all(re.fullmatch(r"jira (OKR-\d+|\(new issue\))", w[1]) for w in writes)
    matches_snapshot(f"plan-{width}.txt", planned.stdout)


def _synced_once(workspace: Workspace) -> None:
    """Sync the workspace unless a run is recorded: the module's other tests may have
    synced already, or may not have run at all (a selection with -k)."""
    recorded = (
        workspace.db.exists()
        and workspace.sql("SELECT count(*) FROM sqlite_master WHERE name = 'kr_results'")[0][0]
        and workspace.sql("SELECT count(*) FROM kr_results WHERE NOT backfilled")[0][0]
    )
    if not recorded:
        assert workspace.run("sync", "--as-of", AS_OF).exit_code == 0


@pytest.mark.parametrize("width", [80, 120])
def test_status_fits_the_terminal(width: int, workspace: Workspace, site: SandboxServer) -> None:
    _synced_once(workspace)
    shown = workspace.run("status", env={"COLUMNS": str(width)})
    assert shown.exit_code == 0, shown
    assert_fits(shown, width)
    # The instant is the recorded run's, in the config's zone, named.
    assert shown.stdout.startswith("OKRs as of 2027-02-16 17:30 CET (Europe/Berlin)")
    matches_snapshot(f"status-{width}.txt", shown.stdout)


@pytest.mark.parametrize("width", [80, 120])
def test_runs_and_explain_fit_the_terminal(
    width: int, workspace: Workspace, site: SandboxServer
) -> None:
    _synced_once(workspace)
    columns = {"COLUMNS": str(width)}
    runs = workspace.run("runs", env=columns)
    explained = workspace.run("explain", "ship-one-click", env=columns)
    for outcome in (runs, explained):
        assert outcome.exit_code == 0, outcome
        assert max(len(line) for line in outcome.stdout.splitlines()) <= width, outcome
    header, *rows = table_rows(runs.stdout, "run")
    assert "status" in header and all(row[header.index("status")] == "ok" for row in rows)
    # Timestamps never break: every start is a whole "YYYY-MM-DD HH:MM".
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[2]) for row in rows)
    items = table_rows(explained.stdout, "key")
    assert items[0][:5] == ["key", "status at T", "category", "done", "contributes"]
    assert [row[0] for row in items[1:]][:3] == ["SHOP-103", "SHOP-104", "SHOP-105"]
