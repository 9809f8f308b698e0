"""The push side against the Jira sandbox over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from okrsync_jira.client import JiraClient
from okrsync_jira.comment import CLOUD
from okrsync_jira.fields import FieldCatalog
from okrsync_jira.push import PROPERTY_LIMIT, read_target, write_target
from okrsync_sandbox import API_TOKEN, BOT_EMAIL, FIXED_ANCHOR, SandboxServer

from okrsync.connector import PushTarget, WriteReceipt
from okrsync.errors import FieldNotFound, SourceConfigError
from okrsync.http import RetryPolicy


@pytest.fixture
def jira() -> Iterator[SandboxServer]:
    with SandboxServer(anchor=FIXED_ANCHOR) as server:
        yield server


class Okrsync:
    """The push side as one okrsync run sees it: a client and the site's fields."""

    def __init__(self, client: JiraClient, catalog: FieldCatalog) -> None:
        self.client, self.catalog = client, catalog

    async def read(self, target: PushTarget) -> Any:
        return await read_target(self.client, self.catalog, target)

    async def write(self, target: PushTarget, value: Any) -> WriteReceipt:
        return await write_target(self.client, self.catalog, target, value)


def run(jira: SandboxServer, scenario: Callable[[Okrsync], Awaitable[None]]) -> None:
    """Run ``scenario`` as one okrsync process. The push functions keep no memory between
    calls, so every read inside it is as fresh as one from a new process with no store."""

    async def main() -> None:
        settings = {"url": jira.url, "email": BOT_EMAIL, "token": API_TOKEN}
        policy = RetryPolicy(max_attempts=2)
        async with JiraClient.from_mapping(settings, policy=policy) as client:
            await scenario(Okrsync(client, await FieldCatalog.load(client)))

    asyncio.run(main())


def okrsync_comments(jira: SandboxServer, key: str) -> list[Any]:
    return [c for c in jira.state.get(key).comments if "okrsync · KR" in str(c.body)]


def writes(jira: SandboxServer) -> list[tuple[str, str]]:
    return [(w.method, w.path) for w in jira.writes]


# --- field -----------------------------------------------------------------------------


def test_field_write_then_read_gives_the_value_back(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "field", issue="OKR-12", field="KR Progress")
    seeded = PushTarget("double", "jira", "field", issue="OKR-8", field="KR Progress")

    async def scenario(okrsync: Okrsync) -> None:
        assert await okrsync.read(target) is None
        assert await okrsync.read(seeded) == 40.0
        receipt = await okrsync.write(target, 42.5)
        assert receipt == WriteReceipt(issue="OKR-12", ref="customfield_10100")
        assert await okrsync.read(target) == 42.5

    run(jira, scenario)
    assert jira.state.get("OKR-12").custom["customfield_10100"] == 42.5
    assert writes(jira) == [("PUT", "/rest/api/3/issue/OKR-12")]
    assert jira.writes[0].body == {"fields": {"customfield_10100": 42.5}}


def test_field_by_id_works_like_by_name(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "field", issue="OKR-12", field="customfield_10101")

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, 0.8)
        assert await okrsync.read(target) == 0.8

    run(jira, scenario)


def test_field_not_on_the_screen_is_field_not_found_naming_the_issue(
    jira: SandboxServer,
) -> None:
    # OKR-7 is a Task; its edit screen lacks KR Progress.
    target = PushTarget("review", "jira", "field", issue="OKR-7", field="KR Progress")

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, 10.0)

    with pytest.raises(FieldNotFound) as caught:
        run(jira, scenario)
    assert str(caught.value) == (
        "jira: field 'KR Progress' (customfield_10100) cannot be set on OKR-7: add it to the "
        "issue's edit screen, or choose another field"
    )
    assert "customfield_10100" not in jira.state.get("OKR-7").custom


def test_unknown_field_lists_similar_names(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "field", issue="OKR-12", field="KR Progres")

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, 10.0)

    with pytest.raises(FieldNotFound, match=r"similar fields: 'KR Progress' \(customfield_10100\)"):
        run(jira, scenario)
    assert jira.writes == []


# --- comment ---------------------------------------------------------------------------


FIRST = "Ship one-click checkout\nValue: 4 (baseline 0, target 10)\nProgress: 40.0% · at risk"
SECOND = "Ship one-click checkout\nValue: 6 (baseline 0, target 10)\nProgress: 60.0% · on track"


def test_comment_is_created_once_then_edited_in_place(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "comment", issue="OKR-12")
    receipts: list[WriteReceipt] = []

    async def scenario(okrsync: Okrsync) -> None:
        assert await okrsync.read(target) is None  # OKR-12 holds Ana's comment only
        receipts.append(await okrsync.write(target, FIRST))
        assert await okrsync.read(target) == FIRST
        receipts.append(await okrsync.write(target, SECOND))
        assert await okrsync.read(target) == SECOND

    run(jira, scenario)
    created, edited = receipts
    assert edited.ref == created.ref
    assert [str(c.id) for c in okrsync_comments(jira, "OKR-12")] == [created.ref]
    assert len(jira.state.get("OKR-12").comments) == 2  # Ana's is untouched
    assert writes(jira) == [
        ("POST", "/rest/api/3/issue/OKR-12/comment"),
        ("PUT", f"/rest/api/3/issue/OKR-12/comment/{created.ref}"),
    ]


def test_comment_write_with_the_same_text_changes_nothing(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "comment", issue="OKR-12")

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, FIRST)
        jira.reset_log()
        await okrsync.write(target, FIRST)

    run(jira, scenario)
    assert jira.writes == []
    assert jira.log.count("GET", "/rest/api/3/issue/OKR-12/comment") == 1


def test_two_krs_on_one_issue_own_one_comment_each(jira: SandboxServer) -> None:
    ship = PushTarget("ship", "jira", "comment", issue="OKR-12")
    ship_fast = PushTarget("ship-fast", "jira", "comment", issue="OKR-12")

    async def scenario(okrsync: Okrsync) -> None:
        for first, second in ((FIRST, SECOND), (SECOND, FIRST)):
            await okrsync.write(ship, first)
            await okrsync.write(ship_fast, second)
        assert await okrsync.read(ship) == SECOND
        assert await okrsync.read(ship_fast) == FIRST

    run(jira, scenario)
    bodies = [c.body for c in okrsync_comments(jira, "OKR-12")]
    assert [CLOUD.owned_text(b, "ship") for b in bodies] == [SECOND, None]
    assert [CLOUD.owned_text(b, "ship-fast") for b in bodies] == [None, FIRST]


def test_comment_round_trips_awkward_text_through_jira(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "comment", issue="OKR-3")
    text = "Heading *bold?*\n\n\nafter two blank lines\n  indented · ü 😀\n"

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, text)
        assert await okrsync.read(target) == text

    run(jira, scenario)


def test_comment_is_found_among_many_pages_of_comments(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "comment", issue="OKR-4")

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, FIRST)
        for n in range(150):
            jira.state.add_comment("OKR-4", _plain(f"chatter {n}"), author=jira.state.bot)
        jira.reset_log()
        await okrsync.write(target, SECOND)
        assert await okrsync.read(target) == SECOND

    run(jira, scenario)
    assert len(okrsync_comments(jira, "OKR-4")) == 1
    assert len(jira.state.get("OKR-4").comments) == 151
    assert jira.log.count("GET", "/rest/api/3/issue/OKR-4/comment") == 4  # 2 pages, twice


def _plain(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


# --- property --------------------------------------------------------------------------


def test_property_round_trip(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "property", issue="OKR-12")
    value: dict[str, Any] = {"id": "ship", "progress": 0.4, "evidence": {"items": ["SHOP-104"]}}

    async def scenario(okrsync: Okrsync) -> None:
        assert await okrsync.read(target) is None
        assert await okrsync.write(target, value) == WriteReceipt(issue="OKR-12", ref="okrsync")
        assert await okrsync.read(target) == value
        value["progress"] = 0.6
        await okrsync.write(target, value)
        assert await okrsync.read(target) == value

    run(jira, scenario)
    assert jira.state.get("OKR-12").properties["okrsync"]["progress"] == 0.6


def test_oversized_property_is_trimmed_not_refused(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "property", issue="OKR-12")
    items = [{"key": f"SHOP-{n}", "done": True, "points": 3} for n in range(3000)]

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, {"id": "ship", "evidence": {"items": items}})
        held = await okrsync.read(target)
        kept = len(held["evidence"]["items"])
        assert 0 < kept < 3000
        assert held["evidence"]["items"] == items[:kept]
        assert held["truncated"]["lists"] == {"evidence.items": {"kept": kept, "total": 3000}}

    run(jira, scenario)
    sent = json.dumps(jira.writes[0].body, separators=(",", ":"), ensure_ascii=False)
    assert len(sent.encode()) <= PROPERTY_LIMIT
    assert jira.writes[0].status == 201


# --- create ----------------------------------------------------------------------------


CREATE = PushTarget("ship", "jira", "create", create={"project": "OKR", "type": "Key Result"})


def labelled(jira: SandboxServer, kr_id: str) -> list[str]:
    return [i.key for i in jira.state.issues if f"okrsync-kr-{kr_id}" in i.labels]


def creates(jira: SandboxServer) -> int:
    return sum(1 for w in jira.writes if (w.method, w.path) == ("POST", "/rest/api/3/issue"))


def test_create_then_read_finds_the_created_issue(jira: SandboxServer) -> None:
    receipts: list[WriteReceipt] = []

    async def scenario(okrsync: Okrsync) -> None:
        assert await okrsync.read(CREATE) is None
        spec = {"summary": "KR: Ship it", "description": "Key result ship."}
        receipts.append(await okrsync.write(CREATE, spec))
        assert await okrsync.read(CREATE) == receipts[0].issue

    run(jira, scenario)
    key = receipts[0].issue
    assert key is not None
    issue = jira.state.get(key)
    assert (issue.project.key, issue.issuetype.name) == ("OKR", "Key Result")
    assert issue.summary == "KR: Ship it"
    assert issue.labels == ["okrsync-kr-ship"]
    assert labelled(jira, "ship") == [key]


def test_a_crash_after_creating_never_leads_to_a_second_issue(jira: SandboxServer) -> None:
    created: list[str | None] = []

    async def first_run(okrsync: Okrsync) -> None:
        created.append((await okrsync.write(CREATE, {"summary": "KR: Ship it"})).issue)
        # ... and the process dies before the store records the key.

    async def next_run(okrsync: Okrsync) -> None:
        assert await okrsync.read(CREATE) == created[0]
        # Even a write sent regardless (a replayed plan) finds the issue instead.
        assert (await okrsync.write(CREATE, {"summary": "KR: Ship it"})).issue == created[0]

    run(jira, first_run)
    run(jira, next_run)
    assert labelled(jira, "ship") == created
    assert creates(jira) == 1


def test_each_kr_gets_its_own_issue(jira: SandboxServer) -> None:
    fast = PushTarget(
        "ship-fast", "jira", "create", create={"project": "OKR", "type": "Key Result"}
    )

    async def scenario(okrsync: Okrsync) -> None:
        one = (await okrsync.write(CREATE, {"summary": "KR: Ship it"})).issue
        two = (await okrsync.write(fast, {"summary": "KR: Ship it fast"})).issue
        assert one != two
        assert await okrsync.read(CREATE) == one
        assert await okrsync.read(fast) == two

    run(jira, scenario)
    assert creates(jira) == 2


def test_create_with_an_unknown_issue_type_reports_jiras_message(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "create", create={"project": "OKR", "type": "Epik"})
    before = len(jira.state.issues)

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, {"summary": "KR: Ship it"})

    with pytest.raises(SourceConfigError) as caught:
        run(jira, scenario)
    assert str(caught.value) == (
        "jira: cannot create a 'Epik' issue in project 'OKR' for KR 'ship': check the project "
        "key and issue type in `create:` — Jira: issuetype: Specify an issue type"
    )
    assert len(jira.state.issues) == before


def test_create_in_an_unknown_project_is_a_source_config_error(jira: SandboxServer) -> None:
    target = PushTarget("ship", "jira", "create", create={"project": "NOPE", "type": "Key Result"})

    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(target, {"summary": "KR: Ship it"})

    with pytest.raises(SourceConfigError, match="NOPE"):
        run(jira, scenario)
    assert jira.writes == []


def test_reads_never_write(jira: SandboxServer) -> None:
    async def scenario(okrsync: Okrsync) -> None:
        await okrsync.write(PushTarget("ship", "jira", "comment", issue="OKR-12"), FIRST)
        jira.reset_log()
        await okrsync.read(PushTarget("ship", "jira", "field", issue="OKR-12", field="KR Progress"))
        await okrsync.read(PushTarget("ship", "jira", "comment", issue="OKR-12"))
        await okrsync.read(PushTarget("ship", "jira", "property", issue="OKR-12"))
        await okrsync.read(CREATE)

    run(jira, scenario)
    assert len(jira.log) == 4
    assert jira.writes == []
