"""The one comment okrsync owns per KR on an issue: render, find again, edit in place.

Ownership is recognised from Jira, not from okrsync's store, so a lost or fresh store
(or a second installation pushing to the same site) finds the comment and edits it
instead of adding another. It is never recognised by text: anyone can type okrsync's
header line. okrsync's comment carries a comment entity property ``okrsync`` holding
``{"kr": <kr_id>, "v": 1}``, set in the same request that adds the comment; a person
typing in Jira cannot produce one, and the KR it names keeps two KRs on one issue apart.
A comment without that mark is never edited or deleted, whatever it says.

Comments written before the mark existed have only the header line. One of them is
okrsync's when, in addition, its author is okrsync's own Jira account: it is adopted
(marked) on its next write, and from then on found by its mark.

How a body is written depends on the API: ADF on Cloud's v3, wiki markup on Data
Center's v2. Both formats are small strategies with the same two operations, and both
guarantee that reading back what was rendered yields exactly the text that was given.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from okrsync.connector import WriteReceipt
from okrsync.errors import ProtocolError
from okrsync.summary import normalized_text
from okrsync_jira import adf

if TYPE_CHECKING:
    from okrsync_jira.client import JiraClient

NOTE = "kept current by okrsync; edits here are overwritten"
PAGE_SIZE = 100
# The comment entity property that marks okrsync's comment, and its value's version.
MARK_KEY = "okrsync"
MARK_VERSION = 1


def marker(kr_id: str) -> str:
    return f"okrsync · KR {kr_id}"


def mark(kr_id: str) -> dict[str, Any]:
    """The value of the ``okrsync`` comment property on the KR's comment."""
    return {"kr": kr_id, "v": MARK_VERSION}


def _owns(first_line: str, kr_id: str) -> bool:
    # KR ids never contain spaces, so the marker ends at a space or at the line's end;
    # this keeps KR "a" from claiming the comment of KR "a-b".
    mark = marker(kr_id)
    return first_line == mark or first_line.startswith(mark + " ")


class CommentFormat(Protocol):
    """How comment bodies are written for one API version."""

    @property
    def api_root(self) -> str:
        """The REST root the format belongs to, e.g. ``/rest/api/3``."""
        ...

    def render(self, kr_id: str, text: str) -> Any:
        """The comment body that shows ``text`` and marks it as the KR's."""
        ...

    def owned_text(self, body: Any, kr_id: str) -> str | None:
        """The text under the KR's header line in ``body``, or None without that line.

        The header is what people read; it proves nothing about who wrote the comment
        (``find_owned`` decides that by the mark)."""
        ...

    def comparable(self, text: str) -> str:
        """``text`` in the form Jira keeps it, so that equal forms are not rewritten."""
        ...


@dataclass(frozen=True)
class AdfFormat:
    """Jira Cloud, REST v3: a marker paragraph in italics, then the text (heading bold)."""

    api_root: str = "/rest/api/3"

    def render(self, kr_id: str, text: str) -> Any:
        header = adf.paragraph([adf.text_node(f"{marker(kr_id)} · {NOTE}", "em")])
        return adf.doc([header, *adf.blocks_from_text(text, bold_first_line=True)])

    def owned_text(self, body: Any, kr_id: str) -> str | None:
        if not isinstance(body, Mapping):
            return None
        blocks = body.get("content")
        if not isinstance(blocks, list) or not blocks:
            return None
        if not _owns(adf.block_text(blocks[0]), kr_id):
            return None
        return adf.blocks_to_text(blocks[1:])

    def comparable(self, text: str) -> str:
        return text  # ADF keeps text nodes exactly


@dataclass(frozen=True)
class WikiFormat:
    """Jira Data Center, REST v2: wiki markup, marker line in italics, heading bold.

    The heading is wrapped in ``*`` when it is not empty and unwrapped when read, so
    the text round-trips even when it holds wiki markup characters of its own.
    """

    api_root: str = "/rest/api/2"

    def render(self, kr_id: str, text: str) -> Any:
        # One kind of line ending, as Data Center keeps them: a CR would split the
        # heading's ``*`` markup from its text.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        heading, newline, rest = text.partition("\n")
        if heading:
            heading = f"*{heading}*"
        return f"_{marker(kr_id)} · {NOTE}_{adf.BLOCK_SEPARATOR}{heading}{newline}{rest}"

    def owned_text(self, body: Any, kr_id: str) -> str | None:
        if not isinstance(body, str):
            return None
        body = body.replace("\r\n", "\n")
        first_line, _, text = body.partition("\n")
        if not _owns(first_line.strip("_"), kr_id):
            return None
        if text.startswith("\n"):
            text = text[1:]
        heading, newline, rest = text.partition("\n")
        if len(heading) >= 2 and heading.startswith("*") and heading.endswith("*"):
            heading = heading[1:-1]
        return f"{heading}{newline}{rest}"

    def comparable(self, text: str) -> str:
        # Data Center stores CRLF line endings and drops spaces at line ends.
        return normalized_text(text)


CLOUD = AdfFormat()
DATA_CENTER = WikiFormat()


@dataclass(frozen=True)
class OwnedComment:
    """okrsync's comment for a KR. ``text`` is None when its header line is gone (a
    person edited it): any write then replaces the body. ``marked`` is false for a
    comment adopted by author and header (written before marks existed)."""

    id: str
    text: str | None
    marked: bool = True


@dataclass(frozen=True)
class _Listed:
    id: str
    body: Any
    author: str | None
    marked_for: str | None  # the KR the okrsync mark names, if there is one
    has_mark: bool


# okrsync's own account per client, asked once (Jira answers it at /myself).
_own_accounts: weakref.WeakKeyDictionary[Any, str | None] = weakref.WeakKeyDictionary()


def _account(user: Any) -> str | None:
    """Who a user object names: Cloud's accountId, Data Center's key or name."""
    if not isinstance(user, Mapping):
        return None
    for key in ("accountId", "key", "name"):
        if isinstance(user.get(key), str) and user[key]:
            return str(user[key])
    return None


async def own_account(client: JiraClient, fmt: CommentFormat) -> str | None:
    if client not in _own_accounts:
        _own_accounts[client] = _account(await client.get(f"{fmt.api_root}/myself"))
    return _own_accounts[client]


def _listed(comment: Any) -> _Listed:
    properties = comment.get("properties")
    found = None
    has_mark = False
    for entry in properties if isinstance(properties, list) else []:
        if isinstance(entry, Mapping) and entry.get("key") == MARK_KEY:
            has_mark = True
            value = entry.get("value")
            if isinstance(value, Mapping) and isinstance(value.get("kr"), str):
                found = str(value["kr"])
    return _Listed(
        id=str(comment["id"]),
        body=comment.get("body"),
        author=_account(comment.get("author")),
        marked_for=found,
        has_mark=has_mark,
    )


async def _list_comments(client: JiraClient, fmt: CommentFormat, issue: str) -> list[_Listed]:
    listed: list[_Listed] = []
    start = 0
    while True:
        page = await client.get(
            f"{fmt.api_root}/issue/{issue}/comment",
            params={"startAt": start, "maxResults": PAGE_SIZE, "expand": "properties"},
        )
        if not isinstance(page, Mapping) or not isinstance(page.get("comments"), list):
            raise ProtocolError(f"Jira answered the comment list of {issue} without comments")
        comments = page["comments"]
        listed.extend(_listed(c) for c in comments if isinstance(c, Mapping) and "id" in c)
        start = int(page.get("startAt", start)) + len(comments)
        total = page.get("total")
        if not comments or (isinstance(total, int) and start >= total):
            return listed


async def find_owned(
    client: JiraClient, fmt: CommentFormat, issue: str, kr_id: str
) -> list[OwnedComment]:
    """Every comment on ``issue`` that is provably the KR's okrsync comment, oldest first."""
    listed = await _list_comments(client, fmt, issue)
    owned = [
        OwnedComment(id=c.id, text=fmt.owned_text(c.body, kr_id))
        for c in listed
        if c.marked_for == kr_id
    ]
    # Unmarked, with the KR's header: okrsync's only if okrsync's own account wrote it.
    # (A comment marked for another KR, or marked oddly, is never taken over.)
    legacy = [
        (c, text)
        for c in listed
        if not c.has_mark and (text := fmt.owned_text(c.body, kr_id)) is not None
    ]
    if legacy:
        me = await own_account(client, fmt)
        owned += [
            OwnedComment(id=c.id, text=text, marked=False)
            for c, text in legacy
            if me is not None and c.author == me
        ]
    # Ids grow with creation time; the oldest comment is the one okrsync keeps.
    owned.sort(key=lambda c: (len(c.id), c.id))
    return owned


async def read_comment(
    client: JiraClient, fmt: CommentFormat, issue: str, kr_id: str
) -> str | None:
    owned = await find_owned(client, fmt, issue, kr_id)
    return owned[0].text if owned else None


async def write_comment(
    client: JiraClient, fmt: CommentFormat, issue: str, kr_id: str, text: str
) -> WriteReceipt:
    """Edit the KR's comment in place, or add it (marked in the same request) when there
    is none — also when a person deleted the one okrsync had written.

    Should two ever exist (a crash between Jira accepting a comment and answering, or
    two installations adding one at the same moment), the later ones are deleted so
    that the issue converges on exactly one. Only comments ``find_owned`` proves to be
    okrsync's are ever edited or deleted.
    """
    owned = await find_owned(client, fmt, issue, kr_id)
    path = f"{fmt.api_root}/issue/{issue}/comment"
    if not owned:
        body = {
            "body": fmt.render(kr_id, text),
            "properties": [{"key": MARK_KEY, "value": mark(kr_id)}],
        }
        created = await client.post(path, body)
        if not isinstance(created, Mapping) or "id" not in created:
            raise ProtocolError(f"Jira added a comment to {issue} but did not return its id")
        return WriteReceipt(issue=issue, ref=str(created["id"]))
    keep, *extra = owned
    if not keep.marked:
        # Marked before it is edited: a crash in between leaves it found by its mark.
        await client.put(f"{fmt.api_root}/comment/{keep.id}/properties/{MARK_KEY}", mark(kr_id))
    if keep.text is None or fmt.comparable(keep.text) != fmt.comparable(text):
        await client.put(f"{path}/{keep.id}", {"body": fmt.render(kr_id, text)})
    for duplicate in extra:
        await client.delete(f"{path}/{duplicate.id}")
    return WriteReceipt(issue=issue, ref=keep.id)
