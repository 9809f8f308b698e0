"""The KR's comment through the CLI: a person's comment that imitates okrsync's is never
touched, a comment a person deleted is written again once and recorded, and two
installations with stores of their own keep one comment per KR between them."""

from __future__ import annotations

from pathlib import Path

from e2e_harness import Workspace, writes_of
from okrsync_jira.comment import CLOUD
from okrsync_sandbox import SandboxServer
from test_e2e_errors import ONE_KR

COMMENTS = "/rest/api/3/issue/OKR-12/comment"
ANA = "61a0b0c0d0e0f00000000002"


def marked(site: SandboxServer) -> list[str]:
    """Ids of the comments on OKR-12 that carry okrsync's mark for the KR."""
    return [
        str(c.id)
        for c in site.state.get("OKR-12").comments
        if c.properties.get("okrsync") == {"kr": "ship-one-click", "v": 1}
    ]


def comment_writes(workspace: Workspace) -> list[tuple[str | None, str | None]]:
    """(old value, comment id) of every recorded comment write, oldest first."""
    rows = workspace.sql(
        "SELECT old_value, receipt_ref FROM writes WHERE what = 'comment' ORDER BY id"
    )
    return [(old if old in (None, "null") else "text", ref) for old, ref in rows]


def test_a_persons_imitation_is_never_touched(fresh: Workspace, fresh_site: SandboxServer) -> None:
    fresh.use_mapping("checkout.yaml", ONE_KR)
    assert fresh.run("apply").exit_code == 0
    (ours,) = marked(fresh_site)
    okrsync_body = fresh_site.state.get("OKR-12").comments[-1].body
    # Ana copies okrsync's comment word for word, header line included.
    copy = fresh_site.state.add_comment("OKR-12", okrsync_body, author=fresh_site.state.users[ANA])
    # Another person's imitation claims an older text for the same KR.
    stale = CLOUD.render("ship-one-click", "Ship one-click checkout\nProgress: 1.0%")
    fresh_site.state.add_comment("OKR-12", stale, author=fresh_site.state.users[ANA])

    fresh_site.state.transition("SHOP-113", "Done")  # the result changes
    fresh_site.reset_log()
    applied = fresh.run("apply")

    assert applied.exit_code == 0, applied
    # One edit, of okrsync's own comment: no DELETE of the copies, no PUT of them.
    assert writes_of(fresh_site) == [("PUT", f"{COMMENTS}/{ours}")]
    bodies = {str(c.id): c.body for c in fresh_site.state.get("OKR-12").comments}
    assert bodies[str(copy.id)] == okrsync_body
    assert marked(fresh_site) == [ours]


def test_a_comment_deleted_by_a_person_is_written_again_once(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    fresh.use_mapping("checkout.yaml", ONE_KR)
    assert fresh.run("apply").exit_code == 0
    (first,) = marked(fresh_site)
    issue = fresh_site.state.get("OKR-12")
    issue.comments[:] = [c for c in issue.comments if str(c.id) != first]

    fresh_site.reset_log()
    assert fresh.run("apply").exit_code == 0
    assert fresh.run("apply").exit_code == 0

    assert writes_of(fresh_site) == [("POST", COMMENTS)]  # once, not once per run
    (second,) = marked(fresh_site)
    assert second != first
    # The ledger shows it: written, then written again from nothing, to a new comment.
    assert comment_writes(fresh) == [("null", first), ("null", second)]


def test_two_installations_with_their_own_stores_keep_one_comment(
    fresh_site: SandboxServer, tmp_path: Path
) -> None:
    folders = [tmp_path / "here", tmp_path / "there"]
    for folder in folders:
        folder.mkdir()
    here, there = (Workspace(folder, fresh_site.url) for folder in folders)
    for workspace in (here, there):
        workspace.use_mapping("checkout.yaml", ONE_KR)

    assert here.run("apply").exit_code == 0
    fresh_site.reset_log()
    planned = there.run("plan")
    applied = there.run("apply")

    # The second store has never written, yet finds the first one's comment by its
    # mark: the same text, so nothing to write at all.
    assert planned.exit_code == 0, planned
    assert applied.exit_code == 0, applied
    assert writes_of(fresh_site) == []
    assert len(marked(fresh_site)) == 1

    fresh_site.state.transition("SHOP-113", "Done")
    assert there.run("apply").exit_code == 0
    assert here.run("apply").exit_code == 0
    (only,) = marked(fresh_site)
    assert [m for m, p in writes_of(fresh_site) if p.startswith(COMMENTS)] == ["PUT"]
    assert only in {ref for _, ref in comment_writes(here)}
