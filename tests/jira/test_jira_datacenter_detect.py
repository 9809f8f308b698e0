"""Cloud or Data Center: what the settings say, what ``/serverInfo`` says, and the advice
okrsync gives when the two disagree. Against the sandbox on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from okrsync_jira import JiraConnector
from okrsync_jira.client import JiraClient
from okrsync_sandbox import API_TOKEN, FIXED_ANCHOR, PAT, SandboxServer

from okrsync.connector import PullBatch, PullRequest
from okrsync.errors import NotFound

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("deployment", "cloud"), [("Cloud", True), ("Server", False), ("DataCenter", False)]
)
async def test_a_token_alone_asks_the_site_once(deployment: Any, cloud: bool) -> None:
    with SandboxServer(anchor=FIXED_ANCHOR, deployment=deployment) as site:
        settings = {"url": site.url, "token": PAT}
        async with JiraClient.from_mapping(settings) as client:
            assert client.settings.needs_detection
            answers = await asyncio.gather(*(client.detect_deployment() for _ in range(3)))
            assert answers == [cloud] * 3
            assert client.is_cloud is cloud
            assert client.api_root == ("/rest/api/3" if cloud else "/rest/api/2")
            await client.detect_deployment()
        assert [e.path for e in site.log] == ["/rest/api/2/serverInfo"]


async def test_the_settings_can_say_it_and_spare_the_question() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR, deployment="Server") as site:
        for extra in ({"deployment": "datacenter"}, {"username": "okr-bot"}):
            settings = {"url": site.url, "token": API_TOKEN if "username" in extra else PAT}
            async with JiraConnector("dc", {**settings, **extra}) as jira:
                await jira.catalog()
                assert not jira.client.is_cloud
        assert [e.path for e in site.log] == ["/rest/api/2/field", "/rest/api/2/status"] * 2
        assert {e.account_id for e in site.log} == {site.state.bot.account_id}


async def test_basic_auth_with_a_user_name_pulls_from_data_center() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR, deployment="DataCenter") as site:
        settings = {"url": site.url, "username": "okr-bot", "token": API_TOKEN}
        async with JiraConnector("dc", settings) as jira:
            keys = [
                item.key
                async for event in jira.pull(PullRequest(query="project = PAY"))
                if isinstance(event, PullBatch)
                for item in event.items
            ]
    assert sorted(keys) == [f"PAY-{n}" for n in range(1, 8)]


async def test_a_data_center_site_taken_for_cloud_gets_advice() -> None:
    with SandboxServer(anchor=FIXED_ANCHOR, deployment="Server") as site:
        settings = {"url": site.url, "token": PAT, "deployment": "cloud"}
        async with JiraConnector("dc", settings) as jira:
            with pytest.raises(NotFound) as raised:
                await jira.catalog()
    assert str(raised.value) == (
        "dc: Jira has no /rest/api/3/field: the site looks like Jira Data Center, which only "
        "has REST v2; set the connector's deployment to datacenter, and log in with a "
        "personal access token or a username rather than an email"
    )
