"""Control characters in mapping text and in what Jira answers (a title, a status
name, an error message) reach the terminal escaped, as ``validate`` shows them: an
escape sequence in a story's title never clears the screen of the person running
``status``, ``explain`` or ``plan``."""

from __future__ import annotations

from e2e_harness import Outcome, Workspace
from okrsync_sandbox import SandboxServer
from test_e2e_saved_plan import MAPPING as SAVED_PLAN_MAPPING

# Clear the screen, then retitle the terminal window (OSC 0, ended by BEL).
HOSTILE = "\x1b[2J\x1b]0;owned\x07"
# A right-to-left override in a KR title, as validate lets it through.
MAPPING = SAVED_PLAN_MAPPING.replace(
    "title: Ship one-click checkout", 'title: "Ship \\u202Ekcehc one-click"'
)


def inert(outcome: Outcome) -> str:
    printed = outcome.stdout + outcome.stderr
    assert "\x1b" not in printed and "\u202e" not in printed and "\x07" not in printed, outcome
    return printed


def test_control_characters_are_shown_escaped(fresh: Workspace, fresh_site: SandboxServer) -> None:
    fresh_site.state.get("SHOP-103").summary = f"Save card {HOSTILE} for one-click"
    # A status name is Jira's own word: in the issue and in its changelog.
    shop_108 = fresh_site.state.get("SHOP-108")
    shop_108.status.name = f"Done{HOSTILE}"
    for item in (i for h in shop_108.histories for i in h.items if i.field == "status"):
        item.to_string = item.to_string and item.to_string.replace("Done", f"Done{HOSTILE}")
    fresh.use_mapping("checkout.yaml", MAPPING)

    planned = fresh.run("plan")
    assert planned.exit_code == 2, planned
    assert "ship-one-click" in inert(planned)

    assert fresh.run("apply").exit_code == 0
    status = fresh.run("status")
    assert status.exit_code == 0, status
    inert(status)

    explained = fresh.run("explain", "ship-one-click")
    assert explained.exit_code == 0, explained
    shown = inert(explained)
    assert "Ship \\u202ekcehc one-click" in shown
    assert "SHOP-108  Done\\x1b[2J" in shown  # cut to the column's width


def test_control_characters_in_an_error_are_shown_escaped(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    # Jira's error message repeats the query it could not parse.
    fresh.use_mapping("checkout.yaml", MAPPING.replace("parent = SHOP-100", '"parent = \\e[2J ("'))
    failed = fresh.run("plan")
    assert failed.exit_code == 1, failed
    shown = inert(failed)
    assert "\\x1b[2J" in shown
    assert fresh_site.writes == []
