"""What ``sync`` and ``apply`` leave in Jira: the field, the one comment, the entity
property, and the KR issue created once — whatever the store remembers."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import Workspace, okrsync_comments, writes_of
from okrsync_sandbox import SandboxServer

MAPPING = (Path(__file__).parents[1] / "data" / "push_three_krs.yaml").read_text()
CREATE = ("POST", "/rest/api/3/issue")
LABEL = "okrsync-kr-one-click-done"
FIELD = "customfield_10100"  # KR Progress


@pytest.fixture
def pushing(fresh_site: SandboxServer, tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path, fresh_site.url)
    workspace.use_mapping("checkout.yaml", MAPPING)
    return workspace


def created_issues(jira: SandboxServer) -> list[str]:
    return [issue.key for issue in jira.state.issues if LABEL in issue.labels]


def test_each_target_holds_the_result_and_stays_single(
    pushing: Workspace, fresh_site: SandboxServer
) -> None:
    first = pushing.run("sync")
    assert first.exit_code == 0, first
    state = fresh_site.state

    # parent = SHOP-100 has 9 items, 7 of them done; SHOP holds 17 issues (100..116).
    assert state.get("OKR-12").custom[FIELD] == 77.8  # progress 7/9, percent, one decimal
    assert state.get("OKR-9").custom[FIELD] == 17.0  # `value: current`: the raw count
    assert created_issues(fresh_site) == ["OKR-13"]
    created = state.get("OKR-13")
    assert created.issuetype.name == "Key Result"
    assert created.summary == "KR: Ten one-click items done"
    assert created.custom[FIELD] == 70.0  # 7 of 10

    document = state.get("OKR-12").properties["okrsync"]
    assert document["id"] == "ship-one-click"
    assert document["value"] == pytest.approx(700 / 9)
    assert document["progress"] == pytest.approx(7 / 9)
    assert document["status"] == "on_track"
    assert document["evidence"]["counts"]["done"] == 7
    assert len(document["evidence"]["items"]) == 9

    (comment,) = okrsync_comments(fresh_site, "OKR-12")
    assert "Value: 77.78%" in str(comment.body)
    assert len(okrsync_comments(fresh_site, "OKR-13")) == 1

    # SHOP-113 is done now: every target changes, and is changed in place.
    state.transition("SHOP-113", "Done")
    fresh_site.reset_log()
    second = pushing.run("sync")
    assert second.exit_code == 0, second
    comment_12 = okrsync_comments(fresh_site, "OKR-12")[0].id
    comment_13 = okrsync_comments(fresh_site, "OKR-13")[0].id
    assert writes_of(fresh_site) == [
        ("PUT", "/rest/api/3/issue/OKR-12"),
        ("PUT", f"/rest/api/3/issue/OKR-12/comment/{comment_12}"),
        ("PUT", "/rest/api/3/issue/OKR-12/properties/okrsync"),
        ("PUT", "/rest/api/3/issue/OKR-13"),
        ("PUT", f"/rest/api/3/issue/OKR-13/comment/{comment_13}"),
    ]
    assert state.get("OKR-12").custom[FIELD] == 88.9
    assert state.get("OKR-13").custom[FIELD] == 80.0
    assert state.get("OKR-12").properties["okrsync"]["value"] == pytest.approx(800 / 9)
    (comment,) = okrsync_comments(fresh_site, "OKR-12")
    assert "Value: 88.89%" in str(comment.body)
    # The seeded comment by Ana stays; okrsync's is the only one it owns.
    assert len(state.get("OKR-12").comments) == 2

    fresh_site.reset_log()
    third = pushing.run("sync")
    assert third.exit_code == 0, third
    assert fresh_site.writes == []
    assert len(okrsync_comments(fresh_site, "OKR-12")) == 1
    assert len(okrsync_comments(fresh_site, "OKR-13")) == 1


def test_the_kr_issue_is_created_once_whatever_the_store_forgot(
    pushing: Workspace, fresh_site: SandboxServer
) -> None:
    first = pushing.run("apply")
    assert first.exit_code == 0, first
    assert pushing.sql("SELECT kr_id, issue_key FROM created_issues") == [
        ("one-click-done", "OKR-13")
    ]
    assert writes_of(fresh_site).count(CREATE) == 1

    # A crash between the create and its record: the store never heard of OKR-13.
    pushing.sql("DELETE FROM created_issues")
    fresh_site.reset_log()
    after_crash = pushing.run("apply")
    assert after_crash.exit_code == 0, after_crash
    assert fresh_site.writes == []  # found by its mark; it already shows the result
    assert pushing.sql("SELECT issue_key FROM created_issues") == [("OKR-13",)]

    # A store lost altogether (a new machine): still no second issue, no second
    # comment, and the changed result lands in place.
    pushing.db.unlink()
    fresh_site.state.transition("SHOP-113", "Done")
    fresh_site.reset_log()
    fresh_store = pushing.run("apply")
    assert fresh_store.exit_code == 0, fresh_store
    assert CREATE not in writes_of(fresh_site)
    assert ("PUT", "/rest/api/3/issue/OKR-13") in writes_of(fresh_site)
    assert created_issues(fresh_site) == ["OKR-13"]
    assert len(okrsync_comments(fresh_site, "OKR-13")) == 1
    assert len(okrsync_comments(fresh_site, "OKR-12")) == 1


def test_a_crash_right_after_the_create_resumes_without_a_second_issue(
    pushing: Workspace, fresh_site: SandboxServer
) -> None:
    # The connection drops on the comment for the new issue (OKR-13, the next key); a
    # POST that may have reached Jira is not repeated, so the run stops there.
    fresh_site.faults.drop("/rest/api/3/issue/OKR-13/comment", method="POST", times=1)
    broken = pushing.run("apply")
    assert broken.exit_code == 1, broken
    assert broken.stderr.startswith("error: jira: ")
    assert created_issues(fresh_site) == ["OKR-13"]
    assert okrsync_comments(fresh_site, "OKR-13") == []

    fresh_site.reset_log()
    resumed = pushing.run("apply")
    assert resumed.exit_code == 0, resumed
    assert writes_of(fresh_site) == [("POST", "/rest/api/3/issue/OKR-13/comment")]
    assert created_issues(fresh_site) == ["OKR-13"]
    assert fresh_site.state.get("OKR-13").custom[FIELD] == 70.0
    assert len(okrsync_comments(fresh_site, "OKR-13")) == 1


def test_a_kr_issue_deleted_since_is_created_anew(
    pushing: Workspace, fresh_site: SandboxServer
) -> None:
    assert pushing.run("apply").exit_code == 0
    # Gone from Jira: the store's key no longer exists, no issue carries the label.
    pushing.sql("UPDATE created_issues SET issue_key = 'OKR-99'")
    fresh_site.state.get("OKR-13").labels.clear()
    fresh_site.reset_log()

    again = pushing.run("apply")

    assert again.exit_code == 0, again
    assert writes_of(fresh_site) == [
        CREATE,
        ("PUT", "/rest/api/3/issue/OKR-14"),
        ("POST", "/rest/api/3/issue/OKR-14/comment"),
    ]
    assert pushing.sql("SELECT issue_key FROM created_issues") == [("OKR-14",)]
    assert created_issues(fresh_site) == ["OKR-14"]


def test_an_issue_a_person_labelled_like_okrsyncs_is_never_taken_for_it(
    pushing: Workspace, fresh_site: SandboxServer
) -> None:
    """The label finds candidates; only the entity property okrsync sets in the create
    request (which nobody types) makes an issue okrsync's, before and after a crash."""
    state = fresh_site.state
    mimic = state.add_issue("OKR", "Key Result", "Someone's own KR", fields={})
    mimic.labels.append(LABEL)  # OKR-13: a person typed okrsync's label
    first = pushing.run("apply")
    assert first.exit_code == 0, first
    assert created_issues(fresh_site) == ["OKR-13", "OKR-14"]
    assert state.get("OKR-14").properties["okrsync-kr"] == {
        "kr": "one-click-done",
        "created": True,
    }
    assert "okrsync-kr" not in mimic.properties
    assert all("/OKR-13" not in path for _, path in writes_of(fresh_site))

    # The store is lost: okrsync's own issue is found again by its mark, the
    # person's (created first, so listed first) is left alone.
    pushing.db.unlink()
    state.transition("SHOP-113", "Done")
    fresh_site.reset_log()
    again = pushing.run("apply")
    assert again.exit_code == 0, again
    assert CREATE not in writes_of(fresh_site)
    assert ("PUT", "/rest/api/3/issue/OKR-14") in writes_of(fresh_site)
    assert all("/OKR-13" not in path for _, path in writes_of(fresh_site))
    assert mimic.custom.get(FIELD) is None and okrsync_comments(fresh_site, "OKR-13") == []
