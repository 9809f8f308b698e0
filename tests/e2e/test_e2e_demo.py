"""``okrsync demo``: the whole loop, offline, in a process of its own, against the Jira
and the GitHub sandbox together."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_harness import EXAMPLE_KR_IDS

from okrsync.demo import NEXT_STEPS
from tests.table_text import table_rows

GITHUB_KR_IDS = ["app-checkout-issues", "app-double-charge", "one-click-everywhere"]


def _demo(folder: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "okrsync.cli", "demo"],
        capture_output=True,
        text=True,
        cwd=str(folder),  # no okrsync.yaml here: the demo brings its own
        env={**os.environ, "COLUMNS": "80"},
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def _cells(rows: list[list[str]], kr: str) -> list[str]:
    """The row of ``kr``: at 80 columns a long id is cut short (``one-click-everywher…``)."""

    def names(cell: str) -> bool:
        name = cell.removeprefix("↳").split()[0]
        return name == kr or (name.endswith("…") and kr.startswith(name[:-1]))

    (row,) = [cells for cells in rows if cells[0] and names(cells[0])]
    return row


@pytest.mark.slow
@pytest.mark.timeout(300)  # a loaded machine runs the demo slowly
def test_demo_runs_the_whole_loop_on_jira_and_github(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    out = first.stdout
    # It keeps to 80 columns: no line is longer, and none of its own lines is wrapped.
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Objectives and key results" in out
    for kr in EXAMPLE_KR_IDS + GITHUB_KR_IDS:
        assert kr[:19] in out, kr
    rows = table_rows(out, "objective / key result")
    # The demo's "now" is the Jira sandbox's present, A+46d 16:00 (2027-02-16 16:00 UTC),
    # so the Jira numbers are those of its DATASET.md (75.48%, rounded for people).
    assert _cells(rows, "ship-one-click")[1] == "75.5%"
    assert _cells(rows, "ship-one-click")[5] == "on track"
    assert _cells(rows, "switch-provider")[1] == "50%"
    # GitHub's DATASET.md: repo:acme/shop-app label:checkout selects #1-#5 (#6 and #7
    # closed as not planned / duplicate); #2, #3 and #4 are closed as completed: 3/5.
    assert _cells(rows, "app-checkout-issues")[1] == "60%"
    # Bugs labelled checkout in org acme: shop-app#4 (closed); #8 lacks the label.
    assert _cells(rows, "app-double-charge")[1:3] == ["1", "1"]
    # Across tools: parent = SHOP-100 has 7 of 9 done, GitHub 3 of 5: 10/14 = 71.43%.
    assert _cells(rows, "one-click-everywhere")[1] == "71.4%"
    # app-checkout: the mean of 60%, 100% and 71.43% = 77.14%.
    assert "77.1%" in _cells(rows, "app-checkout")[3]
    # grow-revenue: faster-checkout (weight 2, 58.5%), payments-just-work (38.8%) and
    # app-checkout (77.1%): (2·58.5 + 38.8 + 77.1) / 4 = 58.2%.
    assert "58.2%" in _cells(rows, "grow-revenue")[3]

    # Jira: the 10 writes of the Jira teams, plus the cross-tool KR's new issue and its
    # comment = 12. GitHub: app-checkout-issues' new issue and its comment, the
    # cross-tool KR's KR Progress field and comment on acme/okrs#1 = 4.
    assert "16 writes pushed back to Jira and GitHub" in out
    writes = table_rows(out, "key result")
    github = [(w[0], w[1], w[2]) for w in writes[1:] if w[1].startswith("github")]
    assert github == [
        ("app-checkout-issues", "github acme/okrs#2", "create"),
        ("app-checkout-issues", "github acme/okrs#2", "comment"),
        ("one-click-everywhere", "github acme/okrs#1", "field KR Progr…"),
        ("one-click-everywhere", "github acme/okrs#1", "comment"),
    ]
    assert ("one-click-everywhere", "jira OKR-14", "create") in [(w[0], w[1], w[2]) for w in writes]
    assert next(w[4] for w in writes if w[1] == "github acme/okrs#1") == "71.4"
    # What each sandbox's request log counted.
    assert "write requests received: Jira 12, GitHub 4" in out
    assert "a second plan finds 0 writes pending" in out
    # It ends with what to try next.
    assert out.rstrip().splitlines()[-4:] == list(NEXT_STEPS)

    # A second demo (fresh sandboxes, fresh store) prints the same, but for the ports.
    second = _demo(tmp_path)
    assert _without_ports(second.stdout) == _without_ports(out)


def _without_ports(out: str) -> list[str]:
    return [line for line in out.splitlines() if "sandbox at http://127.0.0.1:" not in line]
