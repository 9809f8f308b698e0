"""The seeded site's invariants: what DATASET.md promises test writers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from okrsync_sandbox import FIXED_ANCHOR, build_dataset
from okrsync_sandbox.model import Issue

ANCHOR = FIXED_ANCHOR


def _current(issue: Issue, field_id: str) -> str | None:
    if field_id == "status":
        return issue.status.id
    if field_id == "customfield_10020":
        sprints = issue.custom.get(field_id)
        return ", ".join(str(s) for s in sprints) if sprints else None
    if field_id == "parent":
        return str(issue.parent.id) if issue.parent else None
    if field_id == "resolution":
        return issue.resolution.id if issue.resolution else None
    value = issue.custom.get(field_id)
    return None if value is None else format(value, "g")


@pytest.mark.parametrize("extra", [0, 500])
def test_histories_are_consistent_with_current_values(extra: int) -> None:
    state = build_dataset(ANCHOR, extra_issues=extra)
    for issue in state.issues:
        times = [h.created for h in issue.histories]
        assert times == sorted(times), issue.key
        assert all(issue.created < t for t in times), issue.key
        last_to: dict[str, str | None] = {}
        last_string: dict[str, str | None] = {}
        for history in issue.histories:
            for item in history.items:
                assert item.field_id is not None
                last_to[item.field_id] = item.to
                last_string[item.field_id] = item.to_string
        for field_id, to in last_to.items():
            # Number fields keep their values in the strings; the others in from/to.
            is_number = field_id in ("customfield_10016", "customfield_10100", "customfield_10101")
            value = last_string[field_id] if is_number else to
            assert value == _current(issue, field_id), (issue.key, field_id)
        if issue.status.category.key == "done":
            done_at = [
                h.created for h in issue.histories if any(i.field_id == "status" for i in h.items)
            ]
            assert issue.resolutiondate == done_at[-1], issue.key


def test_keys_follow_creation_order_within_a_project() -> None:
    state = build_dataset(ANCHOR, extra_issues=200)
    for issues in state.by_project.values():
        numbers = [i.number for i in issues]
        assert numbers == sorted(numbers)
        assert [i.created for i in issues] == sorted(i.created for i in issues)


def test_the_dataset_is_deterministic_and_the_seed_only_changes_bulk() -> None:
    def fingerprint(seed: int) -> list[tuple[str, str, int, object]]:
        state = build_dataset(ANCHOR, extra_issues=300, seed=seed)
        return [
            (i.key, i.status.name, len(i.histories), i.custom.get("customfield_10016"))
            for i in state.issues
        ]

    one, same, other = fingerprint(7), fingerprint(7), fingerprint(8)
    assert one == same
    assert one[:36] == other[:36]
    assert one[36:] != other[36:]


def test_timestamps_move_with_the_anchor() -> None:
    shifted = build_dataset(date(2027, 4, 1))
    issue = shifted.get("SHOP-104")
    assert issue.created == datetime(2027, 4, 1, tzinfo=UTC) - timedelta(days=17) + timedelta(
        hours=10
    )
    assert shifted.sprints[5].start == datetime(2027, 5, 13, 9, 0, tzinfo=UTC)


def test_seeded_facts_from_the_dataset_doc() -> None:
    state = build_dataset(ANCHOR)
    start = datetime(2027, 1, 1, tzinfo=UTC)
    assert state.get("OKR-12").issuetype.name == "Key Result"
    assert "customfield_10100" in state.projects["OKR"].screens["Key Result"]
    latest = max(h.created for i in state.issues for h in i.histories)
    assert latest == start + timedelta(days=46, hours=15)
    children = sorted(
        (i.key for i in state.children[state.get("SHOP-100").id]), key=lambda k: int(k[5:])
    )
    assert children == [f"SHOP-{n}" for n in (103, 104, 105, 106, 108, 111, 112, 113, 116)]
    reopened = [
        i.key
        for i in state.issues
        if sum(1 for h in i.histories for it in h.items if it.field_id == "resolution" and it.to)
        > 1
    ]
    assert reopened == ["SHOP-105"]
    assert sum(1 for i in state.issues if i.project.key != "BULK") == 36
    assert state.by_project["BULK"] == []


def test_bulk_issues_have_epics_and_stories() -> None:
    state = build_dataset(ANCHOR, extra_issues=120)
    bulk = state.by_project["BULK"]
    assert [i.key for i in bulk[:2]] == ["BULK-1", "BULK-2"]
    assert [i.key for i in bulk if i.issuetype.name == "Epic"] == ["BULK-1", "BULK-51", "BULK-101"]
    assert bulk[1].parent is bulk[0]
    assert bulk[-1].parent is bulk[100]
    assert bulk[0].created == datetime(2026, 12, 2, tzinfo=UTC)
