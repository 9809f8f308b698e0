"""Pushing to a real Redmine: a float custom field, one note kept current, a created KR
issue; a second apply with nothing changed writes nothing (Redmine's ``updated_on``
and journals of the KR issues stay as they were)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from redmine_server import API_KEY, KR_ISSUE
from redmine_server import redmine_issue as issue
from redmine_workspace import RedmineWorkspace

from tests.e2e.e2e_harness import invoke

MAPPING = """\
version: 1
cycle: 2026-Q3
defaults: {source: redmine}
objectives:
  - id: checkout
    title: Checkout
    key_results:
      - id: story-points
        title: Story points done
        select: {query: project_id=shop&tracker_id=4}
        measure: completion
        weight_by: story_points
        push:
          - to: redmine
            issue: 6
            field: KR Progress
            comment: true
      - id: shop-done
        title: Shop issues done
        select: {query: project_id=shop}
        measure: done
        target: 4
        push:
          - to: redmine
            create: {project: okr, tracker: Key Result}
            field: KR Progress
"""


def created_issues(url: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{url}/issues.json",
        params={"project_id": "okr", "status_id": "*"},
        headers={"X-Redmine-API-Key": API_KEY},
    )
    return [i for i in answer.json()["issues"] if i["id"] != KR_ISSUE]


def progress(data: dict[str, Any]) -> str | None:
    return next(f["value"] for f in data["custom_fields"] if f["name"] == "KR Progress")


@pytest.fixture(scope="module")
def applied(redmine: str, tmp_path_factory: pytest.TempPathFactory) -> RedmineWorkspace:
    space = RedmineWorkspace(tmp_path_factory.mktemp("push"), redmine, MAPPING)
    first = space.run("apply")
    assert first.exit_code == 0, first
    return space


def test_apply_writes_the_field_the_note_and_the_kr_issue(
    applied: RedmineWorkspace, redmine: str
) -> None:
    kr = issue(redmine, KR_ISSUE)
    # Now (after the cycle): 11 of 13 points done, one decimal.
    assert progress(kr) == "84.6"
    notes = [j for j in kr["journals"] if j["notes"]]
    assert len(notes) == 1
    assert notes[0]["user"]["name"] == "OKR Bot"
    assert notes[0]["notes"].endswith("okrsync:kr=story-points")
    created = created_issues(redmine)
    assert [(i["tracker"]["name"], i["author"]["name"]) for i in created] == [
        ("Key Result", "OKR Bot")
    ]
    # Done: #1, #2, #3 of a target of 4.
    assert progress(created[0]) == "75"


def test_second_apply_writes_nothing(applied: RedmineWorkspace, redmine: str) -> None:
    before = [issue(redmine, KR_ISSUE), *created_issues(redmine)]
    again = applied.run("apply")
    assert again.exit_code == 0, again
    assert again.stdout.startswith("nothing to push: every tool already holds"), again
    after = [issue(redmine, KR_ISSUE), *created_issues(redmine)]
    assert [(i["updated_on"], len(i.get("journals", []))) for i in after] == [
        (i["updated_on"], len(i.get("journals", []))) for i in before
    ]


def test_a_lost_store_finds_the_created_issue_and_the_note(
    applied: RedmineWorkspace, redmine: str
) -> None:
    (applied.folder / "okrsync.db").unlink()
    again = applied.run("apply")
    assert again.exit_code == 0, again
    assert again.stdout.startswith("nothing to push: every tool already holds"), again
    assert len(created_issues(redmine)) == 1
    assert len([j for j in issue(redmine, KR_ISSUE)["journals"] if j["notes"]]) == 1


def test_property_is_refused_at_its_line(redmine: str, tmp_path: Any) -> None:
    mapping = MAPPING.replace("            comment: true\n", "            property: true\n")
    space = RedmineWorkspace(tmp_path, redmine, mapping)
    outcome = space.run("validate")
    assert outcome.exit_code == 1, outcome
    text = outcome.stdout + outcome.stderr
    # The line of `property: true`, the first push's fourth line.
    assert (
        f"{space.mapping}:14:17: error: connector 'redmine' cannot serve a push of property" in text
    )


def test_the_example_config_validates() -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "okrsync.redmine.yaml"
    outcome = invoke("--config", str(example), "validate", env={"REDMINE_API_KEY": "k"})
    assert outcome.exit_code == 0, outcome


# MAPPING's objective with one KR like its first, pushed to % Done instead.
DONE_RATIO_MAPPING = (
    MAPPING.split("      - id: story-points")[0]
    + """\
      - id: points-done-ratio
        title: Story points done, as % Done
        select: {query: project_id=shop&tracker_id=4}
        measure: completion
        weight_by: story_points
        push:
          - {to: redmine, issue: 6, field: done_ratio}
"""
)


def test_a_fractional_progress_in_done_ratio_is_written_once(redmine: str, tmp_path: Path) -> None:
    space = RedmineWorkspace(tmp_path, redmine, DONE_RATIO_MAPPING)
    first = space.run("apply")
    assert first.exit_code == 0, first
    # 11 of 13 points done: 84.6 %, which % Done (a whole number) holds as 85.
    written = issue(redmine, KR_ISSUE)
    assert written["done_ratio"] == 85
    planned = space.run("plan", "--json")
    assert planned.exit_code == 0, planned  # 0: nothing to push
    again = space.run("apply")
    assert again.exit_code == 0, again
    assert again.stdout.startswith("nothing to push: every tool already holds"), again
    after = issue(redmine, KR_ISSUE)
    assert (after["updated_on"], len(after["journals"])) == (
        written["updated_on"],
        len(written["journals"]),
    )
