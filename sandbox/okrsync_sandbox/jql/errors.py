"""The one exception JQL raises: Jira answers it with 400 and the messages."""

from __future__ import annotations


class JqlError(Exception):
    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(messages))
