"""Webhook deliveries: who sent them, whether they are genuine, and which units the
changed item may belong to.

Jira (admin webhooks with a secret) signs the raw body in ``X-Hub-Signature`` and names
the delivery in ``X-Atlassian-Webhook-Identifier``; GitHub uses ``X-Hub-Signature-256``
and ``X-GitHub-Delivery``. Both sign with HMAC-SHA256: ``sha256=<hex>``.

Which units a change concerns is decided conservatively from the selections' native
queries: a unit is left out only when each of its queries on that instance names
projects (repositories) and none of them is the changed item's. A delivery that names
no project (a sprint event, say) concerns every unit reading from the instance.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from okrsync.pull import queries_of
from okrsync.units import UnitProject


@dataclass(frozen=True)
class Dialect:
    """How one tool sends its deliveries."""

    tool: str
    signature_header: str
    delivery_header: str


JIRA = Dialect("jira", "X-Hub-Signature", "X-Atlassian-Webhook-Identifier")
GITHUB = Dialect("github", "X-Hub-Signature-256", "X-GitHub-Delivery")
DIALECTS = {"jira": JIRA, "github": GITHUB}


class MalformedDelivery(ValueError):
    """The body is not what the tool sends: the message says why."""


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=`` and the HMAC-SHA256 of ``body`` with
    ``secret``, compared in constant time."""
    if not header:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme.strip().lower() != "sha256":
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, given.strip().lower().encode())


def parse_body(body: bytes) -> Mapping[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise MalformedDelivery("the body is not JSON") from None
    if not isinstance(document, dict):
        raise MalformedDelivery("the body is not a JSON object")
    return document


def _text(document: Any, *path: str) -> str | None:
    for part in path:
        if not isinstance(document, Mapping):
            return None
        document = document.get(part)
    return document if isinstance(document, str) and document else None


def changed_scope(dialect: Dialect, document: Mapping[str, Any]) -> str | None:
    """The project key (Jira) or ``owner/repo`` (GitHub) the delivery is about; None
    when it names none (it then concerns every unit on the instance)."""
    if dialect is GITHUB:
        return _text(document, "repository", "full_name")
    project = _text(document, "issue", "fields", "project", "key")
    if project is not None:
        return project
    key = _text(document, "issue", "key")
    if key is not None and "-" in key:
        return key.rsplit("-", 1)[0]
    return _text(document, "project", "key")


_JIRA_NAMES_PROJECTS = re.compile(r"\bproject\b|\b[A-Z][A-Z0-9_]+-\d+\b", re.IGNORECASE)
_GITHUB_NAMES_REPOS = re.compile(r"\b(?:repo|org|user|owner):", re.IGNORECASE)


def may_select(dialect: Dialect, query: str, scope: str) -> bool:
    """Whether an item of ``scope`` may be among what ``query`` selects."""
    if dialect is GITHUB:
        owner = scope.split("/", 1)[0]
        if scope.lower() in query.lower():
            return True
        repo_named = re.search(r"\brepo:", query, re.IGNORECASE)
        owner_named = re.search(rf"\b(?:org|user|owner):{re.escape(owner)}\b", query, re.I)
        if owner_named and not repo_named:
            return True
        return not _GITHUB_NAMES_REPOS.search(query)
    if re.search(rf"(?<![\w-]){re.escape(scope)}(?!\w)", query, re.IGNORECASE):
        return True
    return not _JIRA_NAMES_PROJECTS.search(query)


# Each unit's queries by instance, as the service read its file when it started (as
# it reads which files are units): worked out once, not for every delivery.
_QUERIES: WeakKeyDictionary[UnitProject, dict[str, list[str]]] = WeakKeyDictionary()


def _queries(unit: UnitProject) -> dict[str, list[str]]:
    found = _QUERIES.get(unit)
    if found is None:
        found = _QUERIES[unit] = {}
        for spec in queries_of(unit.pulled_files()):
            found.setdefault(spec.source, []).append(spec.query)
    return found


def units_concerned(
    units: Iterable[UnitProject], instance: str, dialect: Dialect, scope: str | None
) -> list[str]:
    """The units that select from ``instance`` with a query that may match ``scope``."""
    concerned = []
    for unit in units:
        queries = _queries(unit).get(instance, [])
        if queries and (scope is None or any(may_select(dialect, q, scope) for q in queries)):
            concerned.append(unit.unit)
    return concerned


def dialect_of(connector_type: str) -> Dialect | None:
    return DIALECTS.get(connector_type)
