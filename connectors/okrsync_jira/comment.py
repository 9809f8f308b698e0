"""The one comment okrsync owns per KR on an issue: render, find again, edit in place.

Ownership is recognised from the comment itself, not from okrsync's store, so a lost
or fresh store still finds the comment and edits it instead of adding a second one:
its first line is a marker naming the KR (``okrsync · KR <kr_id>``), so two KRs
pushing to one issue each own their own comment.

How a body is written depends on the API: ADF on Cloud's v3, wiki markup on Data
Center's v2. Both formats are small strategies with the same two operations, and both
guarantee that reading back what was rendered yields exactly the text that was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from okrsync.connector import WriteReceipt
from okrsync.errors import ProtocolError
from okrsync_jira import adf

if TYPE_CHECKING:
    from okrsync_jira.client import JiraClient

NOTE = "kept current by okrsync; edits here are overwritten"
PAGE_SIZE = 100


def marker(kr_id: str) -> str:
    return f"okrsync · KR {kr_id}"


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
        """The text of ``body`` if it is the KR's okrsync comment, else None."""
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


@dataclass(frozen=True)
class WikiFormat:
    """Jira Data Center, REST v2: wiki markup, marker line in italics, heading bold.

    The heading is wrapped in ``*`` when it is not empty and unwrapped when read, so
    the text round-trips even when it holds wiki markup characters of its own.
    """

    api_root: str = "/rest/api/2"

    def render(self, kr_id: str, text: str) -> Any:
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


CLOUD = AdfFormat()
DATA_CENTER = WikiFormat()


@dataclass(frozen=True)
class OwnedComment:
    id: str
    text: str


async def find_owned(
    client: JiraClient, fmt: CommentFormat, issue: str, kr_id: str
) -> list[OwnedComment]:
    """Every comment on ``issue`` that belongs to the KR, oldest first."""
    owned: list[OwnedComment] = []
    start = 0
    while True:
        page = await client.get(
            f"{fmt.api_root}/issue/{issue}/comment",
            params={"startAt": start, "maxResults": PAGE_SIZE},
        )
        if not isinstance(page, Mapping) or not isinstance(page.get("comments"), list):
            raise ProtocolError(f"Jira answered the comment list of {issue} without comments")
        comments = page["comments"]
        for comment in comments:
            text = fmt.owned_text(comment.get("body"), kr_id)
            if text is not None:
                owned.append(OwnedComment(id=str(comment["id"]), text=text))
        start = int(page.get("startAt", start)) + len(comments)
        total = page.get("total")
        if not comments or (isinstance(total, int) and start >= total):
            break
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
    """Edit the KR's comment in place, or add it when there is none.

    Should two ever exist (a crash between Jira accepting a comment and answering),
    the later ones are deleted so that the issue converges on exactly one.
    """
    owned = await find_owned(client, fmt, issue, kr_id)
    path = f"{fmt.api_root}/issue/{issue}/comment"
    if not owned:
        created = await client.post(path, {"body": fmt.render(kr_id, text)})
        if not isinstance(created, Mapping) or "id" not in created:
            raise ProtocolError(f"Jira added a comment to {issue} but did not return its id")
        return WriteReceipt(issue=issue, ref=str(created["id"]))
    keep, *extra = owned
    if keep.text != text:
        await client.put(f"{path}/{keep.id}", {"body": fmt.render(kr_id, text)})
    for duplicate in extra:
        await client.delete(f"{path}/{duplicate.id}")
    return WriteReceipt(issue=issue, ref=keep.id)
