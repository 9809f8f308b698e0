"""Which comments okrsync may touch, against the sandbox over real HTTP, on Cloud (ADF,
REST v3) and Data Center (wiki markup, REST v2) alike.

okrsync's comment is the one carrying its ``okrsync`` comment property; a person's
comment that reads exactly like okrsync's is never edited or deleted, which the
sandbox's write log shows request by request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from okrsync_jira.client import JiraClient
from okrsync_jira.comment import CLOUD, DATA_CENTER, CommentFormat
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.push import read_target, write_target
from okrsync_sandbox import SandboxServer
from okrsync_sandbox.model import Comment
from sandbox_pull import site_settings

from okrsync.connector import PushTarget, WriteReceipt
from okrsync.http import RetryPolicy

pytestmark = pytest.mark.anyio

TARGET = PushTarget("ship", "jira", "comment", issue="OKR-12")
FIRST = "Ship one-click checkout\nProgress: 40.0% · at risk"
SECOND = "Ship one-click checkout\nProgress: 60.0% · on track"
ANA = "61a0b0c0d0e0f00000000002"


@pytest.fixture(params=["cloud", "datacenter"])
def site(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    deployment = "Cloud" if request.param == "cloud" else "Server"
    with SandboxServer(deployment=deployment) as server:
        yield server


def fmt_of(site: SandboxServer) -> CommentFormat:
    return CLOUD if site.state.is_cloud else DATA_CENTER


def api(site: SandboxServer) -> str:
    return "/rest/api/3" if site.state.is_cloud else "/rest/api/2"


def writes(site: SandboxServer) -> list[tuple[str, str]]:
    return [(w.method, w.path) for w in site.writes]


def imitation(site: SandboxServer, text: str, *, by: str = ANA) -> Comment:
    """A comment typed by a person that reads exactly like okrsync's comment for KR
    ``ship`` (same header line, same text), without okrsync's mark."""
    body = fmt_of(site).render("ship", text)
    return site.state.add_comment("OKR-12", body, author=site.state.users[by])


async def write(site: SandboxServer, text: str) -> WriteReceipt:
    """One write as a fresh okrsync process with no store makes it."""
    async with JiraClient.from_mapping(
        site_settings(site), policy=RetryPolicy(max_attempts=2)
    ) as client:
        return await write_target(client, await FieldCatalog.load(client), TARGET, text)


async def read(site: SandboxServer) -> object:
    async with JiraClient.from_mapping(site_settings(site)) as client:
        return await read_target(client, await FieldCatalog.load(client), TARGET)


async def test_a_persons_imitation_is_never_edited_nor_taken_for_okrsyncs(
    site: SandboxServer,
) -> None:
    older = imitation(site, "Ship one-click checkout\nProgress: 99.0% · on track")
    older_body = older.body
    site.reset_log()
    assert await read(site) is None  # the imitation is not okrsync's comment

    created = await write(site, FIRST)
    assert writes(site) == [("POST", f"{api(site)}/issue/OKR-12/comment")]
    newer = imitation(site, FIRST)  # typed after okrsync's, word for word
    site.reset_log()
    edited = await write(site, SECOND)

    assert edited.ref == created.ref
    # Only okrsync's own comment was edited: no PUT nor DELETE of either imitation.
    assert writes(site) == [("PUT", f"{api(site)}/issue/OKR-12/comment/{created.ref}")]
    comments = {str(c.id): c for c in site.state.get("OKR-12").comments}
    assert comments[str(older.id)].body == older_body
    assert str(newer.id) in comments
    assert comments[str(created.ref)].properties == {"okrsync": {"kr": "ship", "v": 1}}
    assert await read(site) == SECOND


async def test_an_imitation_by_okrsyncs_account_is_adopted_and_marked(
    site: SandboxServer,
) -> None:
    """A comment okrsync wrote before comments were marked: okrsync's own account wrote
    it, and it has the KR's header. It is marked first, then edited, never duplicated."""
    bot = site.state.bot.account_id
    legacy = imitation(site, FIRST, by=bot)
    site.reset_log()
    assert await read(site) == FIRST

    receipt = await write(site, SECOND)
    assert receipt.ref == str(legacy.id)
    assert writes(site) == [
        ("PUT", f"{api(site)}/comment/{legacy.id}/properties/okrsync"),
        ("PUT", f"{api(site)}/issue/OKR-12/comment/{legacy.id}"),
    ]
    assert legacy.properties == {"okrsync": {"kr": "ship", "v": 1}}
    site.reset_log()
    await write(site, SECOND)
    assert writes(site) == []


async def test_a_comment_marked_for_another_kr_is_not_taken_over(site: SandboxServer) -> None:
    other = site.state.add_comment(
        "OKR-12", fmt_of(site).render("ship", FIRST), author=site.state.bot
    )
    other.properties["okrsync"] = {"kr": "ship-fast", "v": 1}
    site.reset_log()
    created = await write(site, FIRST)
    assert created.ref != str(other.id)
    assert writes(site) == [("POST", f"{api(site)}/issue/OKR-12/comment")]


async def test_a_comment_deleted_by_a_person_is_written_again_once(site: SandboxServer) -> None:
    first = await write(site, FIRST)
    issue = site.state.get("OKR-12")
    issue.comments[:] = [c for c in issue.comments if str(c.id) != first.ref]
    site.reset_log()

    again = await write(site, FIRST)
    await write(site, FIRST)

    assert again.ref != first.ref
    assert writes(site) == [("POST", f"{api(site)}/issue/OKR-12/comment")]
    marked = [c for c in issue.comments if c.properties.get("okrsync")]
    assert [str(c.id) for c in marked] == [again.ref]


async def test_two_installations_find_each_others_comment(site: SandboxServer) -> None:
    """Two processes with separate stores (here: none) pushing the same KR: the second
    finds the first one's comment by its mark and edits it instead of adding one."""
    ours = await write(site, FIRST)
    theirs = await write(site, SECOND)
    assert theirs.ref == ours.ref
    marked = [c for c in site.state.get("OKR-12").comments if c.properties.get("okrsync")]
    assert len(marked) == 1


async def test_data_center_normalisation_never_causes_a_rewrite(site: SandboxServer) -> None:
    """Data Center keeps wiki markup without spaces at line ends: a text that differs
    only there is the same comment, so the second write sends nothing."""
    text = "Ship one-click checkout\r\nValue: 6   \r\nProgress: 60.0%  "
    await write(site, text)
    site.reset_log()
    await write(site, text)
    assert writes(site) == []
    stored = site.state.get("OKR-12").comments[-1].body
    if not site.state.is_cloud:
        assert stored.endswith("*Ship one-click checkout*\nValue: 6\nProgress: 60.0%")
