"""``okrsync apply``: it writes what the plan says, then nothing at all; ``--plan FILE``
performs exactly the saved plan. Each test that writes gets a sandbox of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_harness import ISSUE_BULKFETCH, SEARCH, Workspace, writes_of
from okrsync_sandbox import SandboxServer

# What the example mappings write into the seeded site, in plan order.
FIRST_WRITES = [
    ("PUT", "/rest/api/3/issue/OKR-12"),  # ship-one-click: field KR Progress
    ("POST", "/rest/api/3/issue/OKR-12/comment"),
    ("PUT", "/rest/api/3/issue/OKR-12/properties/okrsync"),
    ("POST", "/rest/api/3/issue/OKR-3/comment"),  # median-cycle-time
    ("PUT", "/rest/api/3/issue/OKR-8"),  # zero-double-charges: the raw count
    ("POST", "/rest/api/3/issue"),  # checkout-velocity: create its KR issue (OKR-13)...
    ("POST", "/rest/api/3/issue/OKR-13/comment"),  # ...then comment on it
    ("PUT", "/rest/api/3/issue/OKR-11/properties/okrsync"),  # payment-sdk-upgraded
    ("PUT", "/rest/api/3/issue/OKR-5"),  # switch-provider: field and comment
    ("POST", "/rest/api/3/issue/OKR-5/comment"),
]


def test_apply_writes_once_then_never_again(fresh: Workspace, fresh_site: SandboxServer) -> None:
    first = fresh.run("apply")
    assert first.exit_code == 0, first
    assert writes_of(fresh_site) == FIRST_WRITES
    assert all(w.status is not None and w.status < 300 for w in fresh_site.writes)
    assert "10 writes made" in first.stdout
    assert fresh_site.state.get("OKR-12").custom["customfield_10100"] == 75.5
    # The store remembers every write it made.
    assert fresh.sql("SELECT count(*) FROM writes") == [(10,)]

    fresh_site.reset_log()
    second = fresh.run("apply")
    assert second.exit_code == 0, second
    assert fresh_site.writes == []
    assert "nothing to push" in second.stdout

    again = fresh.run("plan")
    assert again.exit_code == 0, again
    assert "nothing to push" in again.stdout


def test_apply_performs_exactly_the_saved_plan(fresh: Workspace, fresh_site: SandboxServer) -> None:
    saved = fresh.folder / "plan.json"
    planned = fresh.run("plan", "--out", str(saved))
    assert planned.exit_code == 2, planned
    pushes = [p for kr in json.loads(saved.read_text())["key_results"] for p in kr["pushes"]]
    assert len(pushes) == len(FIRST_WRITES)

    # The site moves on after the plan was reviewed: SHOP-113 is done now. The saved
    # plan is applied as it was reviewed, not re-computed.
    fresh_site.state.transition("SHOP-113", "Done")
    fresh_site.reset_log()
    applied = fresh.run("apply", "--plan", str(saved))
    assert applied.exit_code == 0, applied
    assert writes_of(fresh_site) == FIRST_WRITES
    assert fresh_site.state.get("OKR-12").custom["customfield_10100"] == 75.5
    assert fresh_site.log.count("POST", ISSUE_BULKFETCH) == 0  # nothing pulled
    # The two searches are the create push's look-ups of an issue okrsync made before:
    # one checking the saved plan, one right before creating it.
    assert fresh_site.log.count("POST", SEARCH) == 2

    # A fresh plan sees what changed since: SHOP-113 (unestimated, at the average of
    # 29/7 points) is done, so 32.29 of 37.29 points are: 86.6%.
    fresh_plan = fresh.run("plan", "--json")
    assert fresh_plan.exit_code == 2, fresh_plan
    ship = next(k for k in fresh_plan.json["key_results"] if k["id"] == "ship-one-click")
    field = ship["pushes"][0]
    assert (field["what"], field["old"], field["new"]) == ("field", 75.5, 86.6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "plan file {path} does not exist"),
        (
            "this is not JSON",
            "plan file {path} is not a plan saved by 'okrsync plan --out': "
            "Expecting value: line 1 column 1 (char 0)",
        ),
        (
            "[" * 100_000 + "]" * 100_000,
            "plan file {path} is not a plan saved by 'okrsync plan --out': "
            "its JSON is nested far too deeply",
        ),
        (
            '{"as_of": "2027-02-16T16:00:00+00:00"}',
            "plan file {path} is not a plan saved by 'okrsync plan --out': "
            "it has no 'key_results' list",
        ),
        (
            '{"key_results": [{"id": "ship-one-click", "pushes": [{"to": "jira", '
            '"what": "tweet"}]}]}',
            "plan file {path} is not a plan saved by 'okrsync plan --out': "
            "key_results[0].pushes[0]: 'what' is 'tweet', not one of create, field, "
            "comment, property",
        ),
        (
            '{"key_results": [{"id": "ship-one-click", "pushes": [{"to": "gitlab", '
            '"what": "comment", "target": "OKR-12", "new": "hello"}]}]}',
            "plan file {path} pushes to connector instance 'gitlab', which {config} does "
            "not define",
        ),
    ],
    ids=["missing", "not-json", "too-deep", "no-key-results", "bad-push", "unknown-instance"],
)
def test_a_bad_plan_file_is_one_line_and_nothing_happens(
    workspace: Workspace, site: SandboxServer, content: str | None, message: str
) -> None:
    path: Path = workspace.folder / "saved-plan.json"
    path.unlink(missing_ok=True)
    if content is not None:
        path.write_text(content)
    site.reset_log()

    outcome = workspace.run("apply", "--plan", str(path))

    assert outcome.exit_code == 1, outcome
    shown = message.format(path=path, config=workspace.config)
    assert outcome.stderr.splitlines() == ["error: " + shown]
    assert outcome.stdout == ""
    assert len(site.log) == 0  # not a single request, so certainly no write
