"""Links to items in their tools: where a reader clicks to see an item for themselves.

A connector type may declare how one of its item keys becomes the item's web page::

    class MyToolConnector:
        @classmethod
        def item_url(cls, settings: Mapping[str, Any], key: str) -> str | None:
            return item_link(settings.get("url"), "tickets", key)

``settings`` is the instance's settings from the config file, ``key`` the item's key as
the connector gave it. Declaring it is optional: without it (or when it answers None or
fails) an item simply has no link. ``item_link`` builds a safe one: an http(s) base
without credentials, each path segment percent-encoded, so that no key can turn into
another address or into markup.

Each evaluated item then carries its ``url`` in the evidence (``plan --json``,
``status --json``, ``explain --json``, the report), and each warning the items it names
(``warning_items``, parallel to ``warnings``): those its writer named
(okrsync.evaluate.warning), whether or not they are in the evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from okrsync.config import ConnectorInstance
    from okrsync.evaluate import Evaluation
    from okrsync.evaluate.warning import Warns


def item_link(base: Any, *segments: str) -> str | None:
    """``base`` (an http or https URL) followed by ``segments``, each percent-encoded
    whole (a ``/`` or ``#`` inside one stays inside it); None when ``base`` is not such
    a URL. User names and passwords in ``base`` are left out."""
    if not isinstance(base, str):
        return None
    try:
        parts = urlsplit(base.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/") + "".join("/" + quote(s, safe="") for s in segments)
    return urlunsplit((parts.scheme, netloc, path, "", ""))


def item_url_of(connector_type: type | None, settings: Mapping[str, Any], key: str) -> str | None:
    """The type's link to the item, or None (no ``item_url``, no answer, or a failure:
    a link is never worth a failed run)."""
    declared = getattr(connector_type, "item_url", None)
    if declared is None or not callable(declared):
        return None
    try:
        url = declared(settings, key)
    except Exception:
        return None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    # Nothing a terminal or a page could read as anything but one address. Every
    # whitespace character but the space is unprintable, so this is "no whitespace and
    # nothing unprintable", without a Python step per character of every item's link.
    return url if url.isprintable() and " " not in url else None


class ItemLinks:
    """Links to items of the configured connector instances, by (source, key)."""

    def __init__(self, connectors: Mapping[str, ConnectorInstance]) -> None:
        self._connectors = connectors

    def url(self, source: str, key: str) -> str | None:
        instance = self._connectors.get(source)
        if instance is None:
            return None
        return item_url_of(instance.connector_type, instance.settings, key)


def warning_items(result: Warns, links: ItemLinks) -> list[list[dict[str, str]]]:
    """For each of the result's warnings, the items it names (as its writer handed them
    over): source, key and, when the tool has one, url."""
    named: list[list[dict[str, str]]] = []
    for warning in result.named_warnings():
        entries = [
            {"source": source, "key": key, "url": links.url(source, key) or ""}
            for source, key in warning.items
        ]
        named.append([{k: v for k, v in entry.items() if v} for entry in entries])
    return named


def link_evaluation(evaluation: Evaluation, links: ItemLinks) -> None:
    """Give every evidence item its ``url`` (when its tool has one) and every KR the
    items its warnings name."""
    for result in evaluation.key_results:
        items = result.evidence["items"]
        for item in items:
            if "url" not in item:
                url = links.url(item["source"], item["key"])
                if url is not None:
                    item["url"] = url
        result.warning_items = warning_items(result, links)
