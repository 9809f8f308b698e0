"""Every error okrsync raises, grouped by what the caller should do about it.

- ``ConfigError``: fix the config or a mapping file, then run again.
- ``SourceConfigError``: fix something about a tool (credentials, a query, a field).
- ``TransientError``: nothing to fix; retrying later is expected to work.
- ``GiveUp`` family (``ProtocolError``, ``StoreError``): report and stop.
- ``StalePlan``: make a fresh plan, then apply that.

Messages are written for an OKR champion: one sentence that says what went wrong and
what to do. They never contain secrets; ``okrsync.secrets.redact`` is applied to any
text that came from outside before it is put into a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class OkrsyncError(Exception):
    """Base class. ``str(error)`` is safe to print to the user as-is."""

    exit_code: int = 1


# --- fix the config -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in a file. A ``note`` does not make the files
    invalid (e.g. a connector's secret that is not set, needed only by commands that
    open the connector)."""

    file: str
    line: int
    column: int
    message: str
    level: Literal["error", "note"] = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.level}: {self.message}"


class ConfigError(OkrsyncError):
    """The config or a mapping file must be fixed."""


class ValidationFailed(ConfigError):
    """Loading found problems; all of them are in ``problems``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# --- something about a tool must be fixed ----------------------------------------------


class SourceError(OkrsyncError):
    """A connector could not do its work. ``source`` names the connector instance."""

    def __init__(self, message: str, *, source: str = "", status: int | None = None) -> None:
        self.source = source
        self.status = status
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + message)


class SourceConfigError(SourceError, ConfigError):
    """The tool refused the request because of something the user controls."""


class AuthError(SourceConfigError):
    """401: the credentials are wrong or expired."""


class PermissionDenied(SourceConfigError):
    """403: the account lacks a permission."""


class NotFound(SourceConfigError):
    """404: an issue, field or project does not exist (or is invisible to the account)."""


class QueryError(SourceConfigError):
    """400 on a query: the tool's own message explains the problem."""


class FieldNotFound(SourceConfigError):
    """A field named in a mapping does not exist or is not on the issue's screen."""


# --- retry later -------------------------------------------------------------------------


class TransientError(SourceError):
    """Expected to work when retried; raised once the retry budget is spent."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, source=source, status=status)


class RateLimited(TransientError):
    """429: the tool asks us to slow down."""


class ServerError(TransientError):
    """5xx from the tool."""


class ConnectionFailed(TransientError):
    """The host could not be reached, or the connection dropped."""


class StaleMetadata(TransientError):
    """The tool answered something the kept copy of its structure does not know (a
    status, an option, a sprint): read the structure again, then try again."""


# --- give up -----------------------------------------------------------------------------


class ProtocolError(SourceError):
    """The tool answered something okrsync does not understand."""


class AnswerTooLarge(ProtocolError):
    """An answer longer than the connector's ``max_answer_bytes``: never read whole."""


class StoreError(OkrsyncError):
    """The state database could not be read or written."""


class RunInProgress(OkrsyncError):
    """Another okrsync run holds the store's lock."""


class StalePlan(OkrsyncError):
    """A saved plan's targets changed since it was made: nothing was written."""


class RunTimedOut(OkrsyncError):
    """The run went past its ``run_timeout`` and was stopped where it was."""
