"""Links to items in their tools: each built-in type's URL form, the safety of
``item_link`` against hostile keys and settings, and third-party types with no links or
broken ones (okrsync.links)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from okrsync_github import GitHubConnector
from okrsync_http_json import HttpJsonSource
from okrsync_jira import JiraConnector
from okrsync_redmine import RedmineConnector
from rich.text import Text

from okrsync.cli.explain import _link_keys
from okrsync.config import ConnectorInstance
from okrsync.evaluate.context import MeasureResult
from okrsync.links import ItemLinks, item_link, item_url_of, warning_items


@pytest.mark.parametrize(
    ("url", "key", "expected"),
    [
        ("https://acme.atlassian.net", "SHOP-12", "https://acme.atlassian.net/browse/SHOP-12"),
        # Data Center under a context path, written with a trailing slash.
        ("https://jira.acme.com/jira/", "PAY-3", "https://jira.acme.com/jira/browse/PAY-3"),
    ],
)
def test_jira_links_to_browse_key(url: str, key: str, expected: str) -> None:
    assert JiraConnector.item_url({"url": url}, key) == expected


@pytest.mark.parametrize(
    ("settings", "key", "expected"),
    [
        ({}, "acme/shop#12", "https://github.com/acme/shop/issues/12"),
        ({"url": "https://api.github.com"}, "a/b#1", "https://github.com/a/b/issues/1"),
        # Enterprise Server: the API is under /api/v3, the pages at the host's root.
        ({"url": "https://ghe.acme.com/api/v3"}, "acme/shop#7", "https://ghe.acme.com/acme/shop/issues/7"),
        ({"url": "https://ghe.acme.com/api/v3/"}, "acme/shop#7", "https://ghe.acme.com/acme/shop/issues/7"),
        # A key that is not OWNER/REPO#N has no page.
        ({}, "acme/shop", None),
        ({}, "shop#7", None),
        ({}, "acme/shop#seven", None),
    ],
)  # fmt: skip
def test_github_links_to_the_issue_page(
    settings: Mapping[str, Any], key: str, expected: str | None
) -> None:
    assert GitHubConnector.item_url(settings, key) == expected


def test_redmine_links_to_the_issue() -> None:
    url = "https://redmine.example.com/tracker"
    assert RedmineConnector.item_url({"url": url}, "123") == f"{url}/issues/123"


def test_a_metrics_source_has_no_item_links() -> None:
    assert item_url_of(HttpJsonSource, {"url": "https://metrics.example.com"}, "x") is None


def test_a_hostile_key_stays_one_path_segment() -> None:
    hostile = 'A-1/../../admin?x="><script>#frag'
    assert JiraConnector.item_url({"url": "https://j.example.com"}, hostile) == (
        "https://j.example.com/browse/A-1%2F..%2F..%2Fadmin%3Fx%3D%22%3E%3Cscript%3E%23frag"
    )
    # The repository and number of a GitHub key are each encoded too.
    assert (
        GitHubConnector.item_url({}, "ac me/<b>#3") == "https://github.com/ac%20me/%3Cb%3E/issues/3"
    )


def test_item_link_refuses_what_is_not_a_web_address_and_drops_credentials() -> None:
    assert item_link("javascript:alert(1)", "x") is None
    assert item_link("ftp://files.example.com", "x") is None
    assert item_link(None, "x") is None
    assert item_link("https://", "x") is None
    # A user name and password in the url never reach a page or a terminal.
    assert item_link("https://bot:s3cret@j.example.com:8443/", "browse", "A-1") == (
        "https://j.example.com:8443/browse/A-1"
    )


class _NoLinks:
    """A third-party type that declares no ``item_url``."""


class _Broken:
    @classmethod
    def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
        raise RuntimeError("bug in a third-party connector")


class _Careless:
    @classmethod
    def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
        return {"js": "javascript:alert(1)", "ctl": "https://x.example.com/\x1b]8;;evil"}.get(key)


@pytest.mark.parametrize(
    ("kind", "key"), [(_NoLinks, "A-1"), (_Broken, "A-1"), (_Careless, "js"), (_Careless, "ctl")]
)
def test_a_type_without_a_usable_link_gives_none(kind: type, key: str) -> None:
    assert item_url_of(kind, {"url": "https://x.example.com"}, key) is None


def test_links_are_found_by_source() -> None:
    jira = ConnectorInstance("jira", "jira", {"url": "https://j.example.com"}, JiraConnector)
    links = ItemLinks({"jira": jira, "other": ConnectorInstance("other", "x", {}, _NoLinks)})
    assert links.url("jira", "A-1") == "https://j.example.com/browse/A-1"
    assert links.url("other", "A-1") is None
    assert links.url("unknown", "A-1") is None


def test_warnings_name_the_items_their_writer_handed_over() -> None:
    settings = {"url": "https://r.example.com"}
    redmine = ConnectorInstance("redmine", "redmine", settings, RedmineConnector)
    old = ConnectorInstance("redmine-old", "x", {}, _NoLinks)
    links = ItemLinks({"redmine": redmine, "redmine-old": old})
    result = MeasureResult(None)
    # "8 items" is a count, and the text names "7" of both sources: only the item the
    # warning was written about is named, with its link.
    result.warn("8 items unestimated: 7", (("redmine", "7"),))
    result.warn("no list")
    result.warn("1 item of an older tracker: 7", (("redmine-old", "7"),))
    assert warning_items(result, links) == [
        [{"source": "redmine", "key": "7", "url": "https://r.example.com/issues/7"}],
        [],
        [{"source": "redmine-old", "key": "7"}],
    ]


def test_warnings_without_items_handed_over_name_none() -> None:
    # A result read back from the store: texts only.
    result = MeasureResult(None, warnings=["1 unestimated item excluded: A-1"])
    assert warning_items(result, ItemLinks({})) == [[]]
    result.warn("1 item in progress for long: A-2 (20 days)", (("jira", "A-2"),))
    assert warning_items(result, ItemLinks({})) == [[], [{"source": "jira", "key": "A-2"}]]


def test_explain_links_the_keys_a_warning_lists() -> None:
    text = Text("warning: 3 unestimated items excluded: 17, 7 and 1 more (see the evidence)")
    _link_keys(
        text,
        [
            {"source": "redmine", "key": "7", "url": "https://r.example.com/issues/7"},
            {"source": "redmine", "key": "17", "url": "https://r.example.com/issues/17"},
            {"source": "other", "key": "3"},  # no link; and "3 unestimated" is a count
        ],
    )
    assert [(text.plain[s.start : s.end], str(s.style)) for s in text.spans] == [
        ("17", "link https://r.example.com/issues/17"),
        ("7", "link https://r.example.com/issues/7"),
    ]
