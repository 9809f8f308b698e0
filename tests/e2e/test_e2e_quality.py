"""Data-quality warnings on every evaluation: in plan --json, status, the report and
the pushed comment, except the one that compares a run with the previous one, which a
tool never receives (or a comment would change back at the next run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_harness import Workspace, okrsync_comments, writes_of
from okrsync_sandbox import SandboxServer

# SHOP-112 went In Progress at A+17d 10:00 (2027-01-18) and is still in review at the
# present, 2027-02-16 16:00: 29 days and 6 hours (DATASET.md).
STUCK = (
    "1 item in progress for more than 14 days, oldest first: SHOP-112 (29 days); "
    "is it stuck, or done but not closed?"
)
# ship-one-click and one-click-committed (objective faster-checkout) both count the four
# stories committed at the cycle start.
OVERLAP = (
    "4 items also counted by KR one-click-committed of objective faster-checkout, so they "
    "move the objective twice: SHOP-103, SHOP-104, SHOP-105, SHOP-108"
)
GREW = (
    "the selection grew from 9 to 17 items since the last recorded run: check that its "
    "query still matches what it should (an edited query, a moved project, lost "
    "permissions?)"
)
ONE_KR = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: faster-checkout
    title: Shoppers breeze through checkout
    key_results:
      - id: one-click-done
        title: Finish the one-click items
        select: {query: parent = SHOP-100}
        measure: done
        target: 9
        push: [{to: jira, issue: OKR-12, comment: true, property: true}]
"""


def kr_of(document: dict[str, Any], kr_id: str) -> dict[str, Any]:
    (kr,) = [k for k in document["key_results"] if k["id"] == kr_id]
    assert isinstance(kr, dict)
    return kr


def test_plan_json_status_and_report_carry_the_warnings(
    site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, site.url)  # the example mappings
    planned = workspace.run("plan", "--json")
    assert planned.exit_code == 2, planned
    ship = kr_of(planned.json, "ship-one-click")
    assert ship["warnings"] == [
        "2 unestimated items counted at the average story_points of 4.14: SHOP-106, SHOP-113",
        STUCK,
        OVERLAP,
    ]
    # KRs without items to doubt have none.
    assert kr_of(planned.json, "payment-sdk-upgraded")["warnings"] == []

    report = tmp_path / "report.html"
    assert workspace.run("report", "--out", str(report)).exit_code == 0
    assert "SHOP-112 (29 days); is it stuck, or done but not closed?" in report.read_text()


def test_a_selection_that_changed_size_is_flagged_once_and_never_pushed(
    fresh_site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, fresh_site.url)
    mapping = workspace.use_mapping("checkout.yaml", ONE_KR)
    first = workspace.run("apply")
    assert first.exit_code == 0, first
    (comment,) = okrsync_comments(fresh_site, "OKR-12")
    assert f"Warning: {STUCK}" in str(comment.body)

    # The query is edited: 9 items become the 17 of project SHOP.
    mapping.write_text(ONE_KR.replace("parent = SHOP-100", "project = SHOP"))
    planned = workspace.run("plan", "--json")
    assert planned.exit_code == 2, planned
    assert GREW in kr_of(planned.json, "one-click-done")["warnings"]

    fresh_site.reset_log()
    second = workspace.run("apply")
    assert second.exit_code == 0, second
    assert writes_of(fresh_site) == [
        ("PUT", f"/rest/api/3/issue/OKR-12/comment/{comment.id}"),
        ("PUT", "/rest/api/3/issue/OKR-12/properties/okrsync"),
    ]
    recorded = kr_of(workspace.run("status", "--json").json, "one-click-done")
    assert GREW in recorded["warnings"]  # the run's record has it...
    (comment,) = okrsync_comments(fresh_site, "OKR-12")
    assert "since the last recorded run" not in str(comment.body)  # ...the tool does not
    held = fresh_site.state.get("OKR-12").properties["okrsync"]
    assert all("since the last recorded run" not in w for w in held["warnings"])

    # Nothing changed since: no write, and the warning is gone from the record.
    fresh_site.reset_log()
    third = workspace.run("apply")
    assert third.exit_code == 0, third
    assert fresh_site.writes == []
    recorded = kr_of(workspace.run("status", "--json").json, "one-click-done")
    assert GREW not in recorded["warnings"] and STUCK in recorded["warnings"]
