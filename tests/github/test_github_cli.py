"""The example GitHub mapping against the sandbox: hand-computed values at several
instants, pushes applied once and never twice, and what validate refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from github_cli import EXAMPLE, GitHubWorkspace
from github_site import github_site
from okrsync_github_sandbox import BOT

# Members of 'repo:acme/shop-app label:checkout' (is:issue added): #1 epic (open), #2 (5
# points, done A+10 16:00), #3 (3 points, done A+25 15:00, reopened A+27 09:00, done A+30
# 12:00), #4 bug (2 points, done A+8 17:00), #5 (created A+15, no estimate), #6 (created
# A+3, closed as not planned A+18 10:00), #7 (created A+4, closed as a duplicate A+22
# 10:00); #6 and #7 are in the selection until they are closed. A = 2027-01-01 00:00 UTC.
EXPECTED = {
    # T: (count completion, bugs done, gateway done)
    "2027-01-10T00:00:00Z": (100 / 6, 1, 0),  # #1-#4, #6, #7 exist, #4 done: 1 of 6
    "2027-01-20T00:00:00Z": (100 / 3, 1, 0),  # #6 out; #1-#5, #7: #2, #4 done, 2 of 6
    "2027-01-27T00:00:00Z": (60.0, 1, 0),  # #2, #3, #4 done of 5
    "2027-01-29T00:00:00Z": (40.0, 1, 0),  # #3 reopened
    "2027-02-06T00:00:00Z": (60.0, 1, 1),  # platform#1 done at A+35 10:00
}


@pytest.mark.parametrize("as_of", list(EXPECTED))
def test_the_example_mapping_gives_hand_computed_values(tmp_path: Path, as_of: str) -> None:
    with github_site(travel=True) as github:
        workspace = GitHubWorkspace(tmp_path, github)
        assert workspace.run("pull").exit_code == 0
        values = workspace.values(as_of)
    count, bugs, gateway = EXPECTED[as_of]
    assert values == {
        "gh-ship-one-click": count,
        # GitHub keeps no history of the Estimate field: okrsync observed it first at
        # the pull (A+36), so before then no item has a known estimate.
        "gh-checkout-points": None,
        "gh-checkout-bugs": bugs,
        "gh-gateway-upgrade": gateway,
    }


def test_issues_closed_as_not_planned_or_duplicate_leave_the_selection_at_their_close(
    tmp_path: Path,
) -> None:
    with github_site(travel=True) as github:
        workspace = GitHubWorkspace(tmp_path, github)
        assert workspace.run("pull").exit_code == 0
        warned = {}
        for as_of in ("2027-01-10T00:00:00Z", "2027-01-20T00:00:00Z", "2027-01-27T00:00:00Z"):
            ran = workspace.run("plan", "--json", "--as-of", as_of)
            results = {kr["id"]: kr for kr in ran.json["key_results"]}
            kr = results["gh-ship-one-click"]
            warned[as_of] = [w for w in kr["warnings"] if "not planned" in w]
            if as_of.startswith("2027-01-27"):
                assert kr["evidence"]["counts"]["withdrawn"] == 2
    # Before #6 closes (A+18 10:00) nothing is withdrawn; then #6; from A+22 10:00 #7 too.
    assert warned == {
        "2027-01-10T00:00:00Z": [],
        "2027-01-20T00:00:00Z": [
            "1 item closed as not planned or duplicate is not in the selection at this "
            "instant: acme/shop-app#6"
        ],
        "2027-01-27T00:00:00Z": [
            "2 items closed as not planned or duplicate are not in the selection at this "
            "instant: acme/shop-app#6, acme/shop-app#7"
        ],
    }


def test_estimates_count_from_when_they_were_observed(tmp_path: Path) -> None:
    with github_site(travel=True) as github:
        workspace = GitHubWorkspace(tmp_path, github)
        assert workspace.run("pull").exit_code == 0
        values = workspace.values("2027-02-06T12:00:00Z")  # after the pull, A+36 00:00
        explained = workspace.run("explain", "gh-checkout-points")
    # #2 (5), #3 (3) and #4 (2) done; #1 and #5 unestimated and left out: 10 of 10.
    assert values["gh-checkout-points"] == 100.0
    assert "observed on github" in explained.stdout, explained
    assert "estimate since 2027-02-06" in explained.stdout, explained


def test_a_first_plan_sees_the_estimates_its_own_pull_observed(tmp_path: Path) -> None:
    with github_site(travel=True) as github:
        workspace = GitHubWorkspace(tmp_path, github)
        # No pull before: the plan's own pull records the estimates at the run's start,
        # so the instant the plan evaluates already knows them.
        planned = workspace.run("plan", "--json")
    assert planned.exit_code == 2, planned
    (points,) = [k for k in planned.json["key_results"] if k["id"] == "gh-checkout-points"]
    assert points["value"] == 100.0  # as after a separate pull: 10 of 10 points done


def _okrsync_comments(github, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.body for c in github.state.comments_of(key) if c.author == BOT]


def test_apply_writes_once_and_a_second_apply_writes_nothing(tmp_path: Path) -> None:
    with github_site(travel=True) as github:
        workspace = GitHubWorkspace(tmp_path, github)
        # Estimates are observed (GitHub keeps no history of them): a pull first, as the
        # scheduled sync's, makes them known before the instant apply evaluates.
        assert workspace.run("pull").exit_code == 0
        first = workspace.run("apply")
        assert first.exit_code == 0, first
        made = [(w.method, w.path) for w in github.writes]
        # The KR issue's field (a mutation) and comment; the created issue and its comment.
        assert sorted(made) == [
            ("POST", "/graphql"),
            ("POST", "/repos/acme/okrs/issues"),
            ("POST", "/repos/acme/okrs/issues/1/comments"),
            ("POST", "/repos/acme/okrs/issues/2/comments"),
        ]
        project = github.state.project
        assert project is not None
        assert project.values[project.items["acme/okrs#1"]]["KR Progress"] == 60.0
        created = github.state.issues["acme/okrs#2"]
        assert created.labels == ["key-result"] and created.author == BOT
        assert created.body.startswith("<!-- okrsync:kr=gh-checkout-points -->\n")
        [comment] = _okrsync_comments(github, "acme/okrs#1")
        assert comment.startswith("<!-- okrsync:kr=gh-ship-one-click -->\n")
        # A person's copy of the marker (ben's comment) is left alone.
        assert len(github.state.comments_of("acme/okrs#1")) == 3

        github.log.clear()
        second = workspace.run("apply")
        assert second.exit_code == 0, second
        assert github.writes == []


def test_a_lost_store_finds_the_created_issue_again(tmp_path: Path) -> None:
    with github_site(travel=True) as github:
        one = GitHubWorkspace(tmp_path / "one", github)
        assert one.run("pull").exit_code == 0 and one.run("apply").exit_code == 0
        github.log.clear()
        # Another store (the first one lost, or a crash before it recorded the issue).
        two = GitHubWorkspace(tmp_path / "two", github)
        assert two.run("pull").exit_code == 0
        again = two.run("apply")
        assert again.exit_code == 0, again
        assert [i for i in github.state.issues if i.startswith("acme/okrs#")] == [
            "acme/okrs#1",
            "acme/okrs#2",
        ]
        assert github.writes == []


def test_property_is_jiras_alone(tmp_path: Path) -> None:
    with github_site() as github:
        workspace = GitHubWorkspace(tmp_path, github)
        text = EXAMPLE.read_text().replace(
            "            comment: true           # one okrsync comment, edited in place",
            "            comment: true\n            property: true",
        )
        path = workspace.use_mapping(text)
        ran = workspace.run("validate")
    assert ran.exit_code == 1, ran
    line = text.splitlines().index("          - to: github") + 1
    assert f"{path}:{line}:" in ran.stdout + ran.stderr
    assert "property" in ran.stdout + ran.stderr


def test_the_example_config_validates(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE.parents[2] / "config", tmp_path / "config")
    shutil.copytree(EXAMPLE.parent, tmp_path / "examples" / "github")
    from typer.testing import CliRunner

    from okrsync.cli import app

    config = tmp_path / "config" / "okrsync.github.yaml"
    result = CliRunner().invoke(
        app, ["--config", str(config), "validate"], env={"GITHUB_TOKEN": "x"}
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "4 key results" in result.stdout


def test_validate_online_asks_github_about_queries_fields_and_issues(tmp_path: Path) -> None:
    with github_site() as github:
        workspace = GitHubWorkspace(tmp_path, github)
        text = (
            EXAMPLE.read_text()
            .replace(
                "'repo:acme/shop-app label:checkout'   # okrsync adds is:issue",
                "'repo:acme/nowhere label:checkout'",
            )
            .replace("issue: acme/okrs#1 ", "issue: acme/okrs#99 ")
            .replace(
                "weight_by: story_points     # the project's Estimate field", "weight_by: Risk"
            )
        )
        path = workspace.use_mapping(text)
        ran = workspace.run("validate", "--online")
        assert github.writes == []
    lines = text.splitlines()
    output = ran.stdout + ran.stderr
    assert ran.exit_code == 1, ran
    query = next(n for n, line in enumerate(lines, 1) if "acme/nowhere" in line)
    issue = next(n for n, line in enumerate(lines, 1) if "acme/okrs#99" in line)
    risk = next(n for n, line in enumerate(lines, 1) if "weight_by: Risk" in line)
    assert f"{path}:{query}:" in output and "cannot be searched" in output
    assert f"{path}:{issue}:" in output
    assert f"{path}:{risk}:" in output and "no number field 'Risk'" in output
