"""The one HTTP client factory and retry policy every connector uses.

``make_client`` returns a plain ``httpx.AsyncClient`` whose transport bounds concurrency,
paces requests when the tool says it is near its limit, and retries what is worth
retrying (tenacity does the bookkeeping):

- rate limits, as the rules of ``okrsync.ratelimit`` recognise them (a 429, a 403
  with ``Retry-After`` or a spent ``X-RateLimit-Remaining``, a GraphQL ``RATE_LIMITED``
  error in a 200), honouring ``Retry-After`` (seconds or an HTTP date) or the epoch
  ``X-RateLimit-Reset``; when the tool names no wait, or 0, a short exponential
  backoff with jitter;
- 502, 503, 504, and 500 a few times only (a 500 is often a real bug, not a hiccup);
- connection failures. A refused connection (nothing listens there) is tried twice
  only: it will not start listening within a backoff. A request that may have reached
  the server (a read error, a dropped connection, a timeout) is only retried when
  repeating it is harmless: safe methods, or requests sent with
  ``extensions={IDEMPOTENT: True}`` (a search sent as POST).

Pacing: after a response that says the limit is near (``X-RateLimit-NearLimit: true``,
``X-RateLimit-Remaining: 0``) or carries a ``Retry-After`` although it succeeded (Data
Center's empty token bucket), nobody sends until the pause is over; a spent quota with
an epoch ``X-RateLimit-Reset`` (GitHub's) pauses until the reset, within
``max_total_wait``. A ``KeyedPacer``
also keeps the requests of one key (a Jira issue) under limits of its own, and a
``RequestBudget`` (``okrsync.budget``) those of the connector instance, across every
process that shares it; every pause is told to it, so it holds for them all.

When the budget is spent the last response is returned as is (or the last transport
error raised), so the connector maps it to an ``okrsync.errors`` class with its own
words. All waiting goes through the module functions ``sleep`` and ``monotonic``, which
tests replace.

Bounds, so that no server can hold a run or its memory: every attempt must deliver its
whole answer within the client's ``timeout`` (httpx's own timeout applies per read, so a
server sending a byte a second would never trip it), and no answer may be longer than
``max_answer_bytes`` (``AnswerTooLarge``, never retried). Inside ``run_deadline`` every
request, retry and pause also ends by the run's deadline (``RunTimedOut``).
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import httpx
from tenacity import AsyncRetrying, RetryCallState

from okrsync.errors import AnswerTooLarge, RunTimedOut
from okrsync.ratelimit import (
    DEFAULT_RULES,
    Limited,
    RateLimitRule,
    hold_after,
    limited,
    parse_retry_after,
)
from okrsync.secrets import redact

if TYPE_CHECKING:
    from okrsync.budget import RequestBudget

__all__ = [
    "DEFAULT_MAX_ANSWER_BYTES",
    "IDEMPOTENT",
    "HttpStats",
    "KeyedPacer",
    "RateWindow",
    "RetryPolicy",
    "RetryingTransport",
    "checked_url",
    "make_client",
    "monotonic",
    "observe_attempts",
    "parse_retry_after",
    "run_deadline",
    "shown_url",
    "sleep",
]

# Request extension that marks a non-GET request as safe to repeat.
IDEMPOTENT = "okrsync.idempotent"

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Server failures worth another try (rate limits are the rules' to recognise).
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Statuses that prove the server did not act on the request, so any method may repeat
# (as does any rate-limited answer).
_NOT_PROCESSED = frozenset({503})
# Far above any answer okrsync expects (a page of 100 issues with fields is a few MB),
# far below what would exhaust a small machine's memory.
DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024

# Told (connector instance, HTTP status) of every answer on the wire in this context:
# okrsync serve counts a run's requests, and the 429s, for /metrics and its log.
_attempt_observer: ContextVar[Callable[[str, int], None] | None] = ContextVar(
    "okrsync_attempt_observer", default=None
)


@contextmanager
def observe_attempts(observer: Callable[[str, int], None]) -> Iterator[None]:
    """Call ``observer(source, status)`` after every answer received in the block."""
    token = _attempt_observer.set(observer)
    try:
        yield
    finally:
        _attempt_observer.reset(token)


# The instant (on ``monotonic``) by which the current run must be done, or None.
_run_ends: ContextVar[tuple[float, str] | None] = ContextVar("okrsync_run_ends", default=None)


async def sleep(seconds: float) -> None:
    """Every wait of the HTTP layer; tests replace it."""
    await asyncio.sleep(seconds)


def monotonic() -> float:
    """The clock pacing is measured on; tests replace it together with ``sleep``."""
    return time.monotonic()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Waits are in seconds."""

    max_attempts: int = 6
    # Sleeping across the retries of one request never exceeds this; a Retry-After
    # beyond it (an hourly quota) ends the retries at once.
    max_total_wait: float = 300.0
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    server_error_attempts: int = 3
    # A refused connection is tried this many times: nothing listens at the address.
    refused_attempts: int = 2
    # Pause for everyone after a response carrying ``X-RateLimit-NearLimit: true``.
    near_limit_pause: float = 1.0


@dataclass
class HttpStats:
    """What the transport did: attempts on the wire, retries, seconds slept (retries,
    pauses and pacing together)."""

    attempts: int = 0
    retries: int = 0
    slept: float = 0.0


@dataclass(frozen=True)
class RateWindow:
    """At most ``limit`` requests in any ``seconds``."""

    limit: int
    seconds: float


class KeyedPacer:
    """Keeps the requests of each key under every window (Jira: the writes to one issue).

    ``key_of`` names the key a request counts against, or None when it is not paced.
    Requests of one key go one at a time; one that would go over a window waits until
    the oldest request in that window has left it. ``margin`` widens every window a
    little: the server counts arrivals, and the network delays some requests more than
    others.
    """

    def __init__(
        self,
        windows: Sequence[RateWindow],
        key_of: Callable[[httpx.Request], str | None],
        *,
        margin: float = 0.2,
    ) -> None:
        if not windows or any(w.limit < 1 or w.seconds <= 0 for w in windows):
            raise ValueError("every window needs a positive limit and length")
        self.windows = tuple(windows)
        self.key_of = key_of
        self.margin = margin
        self._keep = max(w.limit for w in self.windows)
        self._sent: dict[str, deque[float]] = {}
        self._turns: dict[str, asyncio.Lock] = {}

    def delay(self, key: str) -> float:
        """Seconds until a request of ``key`` fits in every window."""
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        now = monotonic()
        # The window holds requests sent after ``now - seconds``: the request ``limit``
        # places back must have left it.
        waits = [
            sent[-w.limit] + w.seconds + self.margin - now
            for w in self.windows
            if len(sent) >= w.limit
        ]
        return max([0.0, *waits])

    @asynccontextmanager
    async def turn(self, key: str, stats: HttpStats | None = None) -> AsyncIterator[None]:
        """Wait until a request of ``key`` fits, and keep the other requests of ``key``
        waiting until it is answered; call ``sent`` when it really goes out."""
        turn = self._turns.setdefault(key, asyncio.Lock())
        async with turn:
            wait = self.delay(key)
            if wait > 0:
                if stats is not None:
                    stats.slept += wait
                await sleep(wait)
            yield

    def sent(self, key: str) -> None:
        self._sent.setdefault(key, deque(maxlen=self._keep)).append(monotonic())


@contextmanager
def run_deadline(seconds: float | None, *, shown: str = "") -> Iterator[None]:
    """Every request made in the block (and in the tasks it starts) ends within
    ``seconds`` of entering it, retries and pauses included; past it, ``RunTimedOut``.
    ``shown`` is how the limit is named in the message (``run_timeout 30m``)."""
    if seconds is None:
        yield
        return
    token = _run_ends.set((monotonic() + seconds, shown or f"{seconds:g} s"))
    try:
        yield
    finally:
        _run_ends.reset(token)


def _run_left(request: httpx.Request) -> float | None:
    """Seconds the current run has left (None: no deadline); raises when none are."""
    ends = _run_ends.get()
    if ends is None:
        return None
    left = ends[0] - monotonic()
    if left <= 0:
        raise _timed_out(request)
    return left


def _timed_out(request: httpx.Request) -> RunTimedOut:
    ends = _run_ends.get()
    limit = ends[1] if ends else "its deadline"
    return RunTimedOut(
        f"the run took longer than {limit} and was stopped while waiting for "
        f"{request.method} {shown_url(request.url)}; raise run_timeout, or find out why "
        "the server is slow"
    )


def checked_url(value: str, *, example: str, credentials: str) -> httpx.URL:
    """``value`` as an http(s) URL with a host and no user or password in it (those
    would be printed and stored with the URL); ``ValueError`` says what to write
    instead. ``credentials`` names the settings that take them."""
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError) as error:
        raise ValueError("not a valid URL") from error
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"expected an http(s) URL such as {example}")
    if url.userinfo:
        raise ValueError(f"put credentials in {credentials}, not in the URL")
    return url


def shown_url(url: httpx.URL | str) -> str:
    """``url`` as it may be printed: no user or password, known secrets masked."""
    parsed = httpx.URL(str(url))
    return redact(str(parsed.copy_with(userinfo=b"") if parsed.userinfo else parsed))


class _RetryableResponse(Exception):
    """Carries a response worth retrying through tenacity."""

    def __init__(self, response: httpx.Response, limit: Limited | None) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.limit = limit


class RetryingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with bounded concurrency, pacing and the retry policy."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 8,
        stats: HttpStats | None = None,
        rng: random.Random | None = None,
        pacer: KeyedPacer | None = None,
        answer_timeout: float | None = None,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        source: str = "",
        rate_limits: Sequence[RateLimitRule] = DEFAULT_RULES,
        budget: RequestBudget | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._inner = inner
        self.answer_timeout = answer_timeout
        self.max_answer_bytes = max_answer_bytes
        self.source = source
        self.rate_limits = tuple(rate_limits)
        self.policy = policy or RetryPolicy()
        self.stats = stats if stats is not None else HttpStats()
        self.pacer = pacer
        self.budget = budget
        self._slots = asyncio.Semaphore(concurrency)
        self._rng = rng or random.Random()
        # Shared by all requests: nobody sends before this instant (monotonic clock).
        self._resume_at = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = request.method in _SAFE_METHODS or bool(request.extensions.get(IDEMPOTENT))
        retrying = AsyncRetrying(
            stop=self._stop,
            wait=self._wait,
            retry=lambda state: self._should_retry(state, idempotent),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self._send_once(request)
                    await response.aread()  # whole in memory already; the rules read it
                    limit = limited(response, self.rate_limits)
                    if limit is not None or response.status_code in _RETRY_STATUSES:
                        raise _RetryableResponse(response, limit)
                    return response
        except _RetryableResponse as exhausted:
            return exhausted.response
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        key = self.pacer.key_of(request) if self.pacer is not None else None
        if self.pacer is None or key is None:
            return await self._send_in_slot(request, None)
        async with self.pacer.turn(key, self.stats):
            return await self._send_in_slot(request, key)

    async def _send_in_slot(self, request: httpx.Request, key: str | None) -> httpx.Response:
        async with self._slots:
            delay = self._resume_at - monotonic()
            if delay > 0:
                self.stats.slept += delay
                await sleep(delay)
            while self.budget is not None and (wait := self.budget.wait()) > 0:
                self.stats.slept += wait
                await sleep(wait)
            if key is not None and self.pacer is not None:
                self.pacer.sent(key)
            self.stats.attempts += 1
            response = await self._whole_answer(request)
        observer = _attempt_observer.get()
        if observer is not None:
            observer(self.source, response.status_code)
        self._heed_limits(response)
        return response

    async def _whole_answer(self, request: httpx.Request) -> httpx.Response:
        """Send and read the whole answer within the answer timeout and the run's
        deadline, whichever ends first."""
        run_left = _run_left(request)
        limits = [t for t in (self.answer_timeout, run_left) if t is not None]
        try:
            async with asyncio.timeout(min(limits) if limits else None):
                raw = await self._inner.handle_async_request(request)
                # An answer that a wrapping transport read already is used as it is:
                # its network stream is used up, and reading it again would wait forever.
                if raw.is_stream_consumed:
                    self._checked_size(request, len(raw.content))
                    return raw
                return await _read(raw, request, self._checked_size)
        except TimeoutError:
            if run_left is not None and run_left <= (self.answer_timeout or run_left):
                raise _timed_out(request) from None
            raise httpx.ReadTimeout(
                f"no complete answer within {self.answer_timeout:g} s", request=request
            ) from None

    def _checked_size(self, request: httpx.Request, size: int) -> None:
        if size > self.max_answer_bytes:
            raise AnswerTooLarge(
                f"the answer to {request.method} {shown_url(request.url)} is longer than "
                f"max_answer_bytes ({self.max_answer_bytes} bytes); raise max_answer_bytes "
                "in the connector's settings if such answers are expected",
                source=self.source,
            )

    def _heed_limits(self, response: httpx.Response) -> None:
        """Pause everyone when a response says the limit is reached or near."""
        headers = response.headers
        if response.status_code < 400:
            # Data Center sends ``retry-after`` with every answer while it limits; it is
            # 0 until the token bucket is empty. (A failure's own wait is its retry's.)
            retry_after = parse_retry_after(headers.get("Retry-After"))
            if retry_after:
                self._hold(min(retry_after, self.policy.max_total_wait))
                return
            until_reset = hold_after(response)
            if until_reset:
                self._hold(min(until_reset, self.policy.max_total_wait))
                return
            if headers.get("X-RateLimit-Remaining", "").strip() == "0":
                self._hold(self.policy.near_limit_pause)
                return
        if headers.get("X-RateLimit-NearLimit", "").lower() == "true":
            self._hold(self.policy.near_limit_pause)

    def _hold(self, seconds: float) -> None:
        self._resume_at = max(self._resume_at, monotonic() + seconds)
        if self.budget is not None:
            self.budget.pause(seconds)

    def _should_retry(self, state: RetryCallState, idempotent: bool) -> bool:
        outcome = state.outcome
        if outcome is None or not outcome.failed:
            return False
        error = outcome.exception()
        if isinstance(error, _RetryableResponse):
            status = error.response.status_code
            if error.limit is not None:
                return True  # a limited request was not acted on
            if status == 500 and state.attempt_number >= self.policy.server_error_attempts:
                return False
            return idempotent or status in _NOT_PROCESSED
        if isinstance(error, httpx.ConnectError) and _refused(error):
            return state.attempt_number < self.policy.refused_attempts
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True  # nothing reached the server
        return isinstance(error, httpx.TransportError) and idempotent

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableResponse):
            limit = error.limit
            if limit is not None and limit.wait:
                # A limit holds for everyone, not just this request.
                self._hold(limit.wait)
                return limit.wait
            retry_after = parse_retry_after(error.response.headers.get("Retry-After"))
            if limit is None and retry_after:
                return retry_after
        ceiling = min(
            self.policy.backoff_cap,
            self.policy.backoff_base * 2 ** (state.attempt_number - 1),
        )
        # "Equal jitter": never retry instantly, never all at the same moment.
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.policy.max_attempts:
            return True
        return state.idle_for + state.upcoming_sleep > self.policy.max_total_wait

    async def _sleep(self, seconds: float) -> None:
        ends = _run_ends.get()
        if ends is not None and monotonic() + seconds >= ends[0]:
            # The retry would start after the run's end: stop now, not after the wait.
            raise RunTimedOut(
                f"the run took longer than {ends[1]} and was stopped while retrying; "
                "raise run_timeout, or find out why the server is slow"
            )
        self.stats.retries += 1
        self.stats.slept += seconds
        await sleep(seconds)


async def _read(
    raw: httpx.Response, request: httpx.Request, check: Callable[[httpx.Request, int], None]
) -> httpx.Response:
    """The answer with its body read, while the caller holds its slot (so that the bound
    is on real work) and detached from the connection. ``check`` sees the announced and
    the running length, and stops the reading of an answer that is too long."""
    chunks: list[bytes] = []
    try:
        announced = raw.headers.get("Content-Length", "")
        if announced.isdigit():
            check(request, int(announced))
        size = 0
        async for chunk in raw.stream:  # type: ignore[union-attr]
            size += len(chunk)
            check(request, size)
            chunks.append(chunk)
    finally:
        await raw.aclose()
    return httpx.Response(
        raw.status_code,
        headers=raw.headers,
        stream=httpx.ByteStream(b"".join(chunks)),
        extensions=raw.extensions,
        request=request,
    )


def _refused(error: BaseException) -> bool:
    """Whether a connect error was a refusal (httpx keeps the OS error in the chain)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ConnectionRefusedError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@cache
def _tls() -> ssl.SSLContext:
    """The certificates httpx trusts, read once: reading them takes longer than many a
    request, and a service opens clients for every run."""
    return httpx.create_ssl_context()


def make_client(
    base_url: str,
    *,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    max_connections: int = 8,
    policy: RetryPolicy | None = None,
    stats: HttpStats | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    pacer: KeyedPacer | None = None,
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    source: str = "",
    rate_limits: Sequence[RateLimitRule] = DEFAULT_RULES,
    budget: RequestBudget | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with okrsync's retry policy and at most
    ``max_connections`` requests in flight; ``pacer`` spaces the requests it keys.
    Each attempt has ``timeout`` seconds for its whole answer, of at most
    ``max_answer_bytes``; ``source`` names the connector in errors; ``rate_limits``
    are the rules that recognise a rate-limited answer; every request takes from
    ``budget`` (``okrsync.budget``), and every pause is told to it. ``transport``
    replaces the network (tests)."""
    inner = transport or httpx.AsyncHTTPTransport(
        verify=_tls(),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=None),
    )
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        headers=dict(headers or {}),
        timeout=timeout,
        transport=RetryingTransport(
            inner,
            policy=policy,
            concurrency=max_connections,
            stats=stats,
            pacer=pacer,
            answer_timeout=timeout,
            max_answer_bytes=max_answer_bytes,
            source=source,
            rate_limits=rate_limits,
            budget=budget,
        ),
    )
