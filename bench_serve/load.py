"""The load: webhook deliveries as Jira and GitHub send them, at a steady rate.

A *real* delivery follows a real change in the sandbox (an item closed) and is signed
with the instance's secret; a *duplicate* replays an earlier real delivery (same id,
body and signature, as a tool's retry does); a *forged* one names a real item but is
signed with another secret, or not at all. Each is sent on its own task, so a slow
answer never holds back the next delivery.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench_serve.layout import ITEMS, Unit
from bench_serve.workspace import SECRETS

REAL, DUPLICATE, FORGED = "real", "duplicate", "forged"
# A duplicate replays a delivery sent at least this long before (a tool's retry).
REPLAY_AFTER = 1.0


@dataclass
class Delivery:
    kind: str
    unit: Unit
    id: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    changes: int = 0  # real: the unit's changes counting this one
    sent: float = 0.0  # time.time() when sent
    status: int | None = None
    error: str | None = None  # why there was no answer
    answered: float = 0.0


@dataclass(frozen=True)
class Plan:
    """Which delivery goes out at each tick, and for which unit."""

    kinds: list[str]
    units: list[int]  # the unit of each delivery
    replays: dict[int, int]  # duplicate's position -> the real delivery it replays
    interval: float

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.kinds.count(kind) for kind in (REAL, DUPLICATE, FORGED)}


def plan(
    *, deliveries: int, seconds: float, units: int, duplicates: float, forged: float, seed: int = 1
) -> Plan:
    """``deliveries`` over ``seconds``: ``duplicates`` and ``forged`` are shares of all.

    ``ValueError`` when the shares leave no real delivery or the units have too few
    items for the real ones.
    """
    rng = random.Random(seed)
    duplicate_count = round(deliveries * duplicates)
    forged_count = round(deliveries * forged)
    real_count = deliveries - duplicate_count - forged_count
    if real_count < 1 or duplicate_count < 0 or forged_count < 0:
        raise ValueError("the duplicate and forged shares must leave some real deliveries")
    if real_count > units * ITEMS:
        raise ValueError(f"{real_count} real deliveries need more than {units} units' items")
    interval = seconds / deliveries
    gap = max(1, int(REPLAY_AFTER / interval) + 1) if interval > 0 else 1
    rest = [DUPLICATE] * duplicate_count + [FORGED] * forged_count + [REAL] * (real_count - 1)
    rng.shuffle(rest)
    kinds = [REAL, *rest]
    # A duplicate needs a real delivery sent at least ``gap`` ticks before it.
    for position, kind in enumerate(kinds):
        if kind == DUPLICATE and not any(k == REAL for k in kinds[: max(0, position - gap + 1)]):
            later = next((n for n in range(position + 1, deliveries) if kinds[n] == REAL), None)
            if later is not None:
                kinds[position], kinds[later] = REAL, DUPLICATE
    # Real changes spread evenly over the units, in a random order.
    per_unit = [n for n in range(units) for _ in range(-(-real_count // units))]
    rng.shuffle(per_unit)
    real_units = iter(per_unit[:real_count])
    chosen: list[int] = []
    replays: dict[int, int] = {}
    reals: list[int] = []
    for position, kind in enumerate(kinds):
        if kind == REAL:
            chosen.append(next(real_units))
            reals.append(position)
        elif kind == DUPLICATE:
            old = [r for r in reals if r <= position - gap] or reals
            replays[position] = rng.choice(old)
            chosen.append(chosen[replays[position]])
        else:
            chosen.append(rng.randrange(units))
    return Plan(kinds, chosen, replays, interval)


def _sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event(unit: Unit, item: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers (without signature and id) the tool sends for ``item``
    being closed."""
    if unit.tool == "jira":
        body: dict[str, Any] = {
            "timestamp": int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue_event_type_name": "issue_generic",
            "issue": {
                "key": item,
                "fields": {"project": {"key": unit.scope}, "status": {"name": "Done"}},
            },
            "changelog": {"items": [{"field": "status", "toString": "Done"}]},
        }
        headers = {"User-Agent": "Atlassian Webhook HTTP Client"}
    else:
        body = {
            "action": "closed",
            "issue": {"number": int(item.rsplit("#", 1)[1]), "state": "closed"},
            "repository": {"full_name": unit.scope},
            "sender": {"login": "ana"},
        }
        headers = {"User-Agent": "GitHub-Hookshot/bench", "X-GitHub-Event": "issues"}
    return json.dumps(body).encode(), {"Content-Type": "application/json", **headers}


def signed(unit: Unit, item: str, delivery_id: str, secret: str | None) -> Delivery:
    body, headers = event(unit, item)
    if unit.tool == "jira":
        headers["X-Atlassian-Webhook-Identifier"] = delivery_id
        name = "X-Hub-Signature"
    else:
        headers["X-GitHub-Delivery"] = delivery_id
        name = "X-Hub-Signature-256"
    if secret is not None:
        headers[name] = _sign(secret, body)
    return Delivery(REAL, unit, delivery_id, body, headers)


Change = Callable[[int], Awaitable[dict[str, Any]]]


async def send_all(the_plan: Plan, serve_url: str, change: Change) -> list[Delivery]:
    """Send the plan's deliveries at its rate; ``change(unit)`` makes a real change
    before its delivery. Returns every delivery with its answer."""
    sent: list[Delivery] = []
    tasks: list[asyncio.Task[None]] = []
    # Delivery ids of their own: a store kept from an earlier run (PostgreSQL) has seen
    # that run's.
    batch = uuid.uuid4().hex[:8]
    # A connection each, as the tools open them: a kept-alive one the server closes
    # as it idles would fail a delivery that was never sent.
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=serve_url, timeout=60, limits=limits) as client:

        async def post(delivery: Delivery) -> None:
            delivery.sent = time.time()
            try:
                answer = await client.post(
                    f"/webhooks/{delivery.unit.tool}",
                    content=delivery.body,
                    headers=delivery.headers,
                )
                delivery.status = answer.status_code
            except httpx.HTTPError as failure:
                delivery.status, delivery.error = None, type(failure).__name__
            delivery.answered = time.time()

        start = time.monotonic()
        for position, kind in enumerate(the_plan.kinds):
            pause = start + position * the_plan.interval - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            unit = Unit(the_plan.units[position])
            if kind == REAL:
                made = await change(unit.index)
                delivery = signed(
                    unit, made["item"], f"real-{batch}-{position}", SECRETS[unit.tool]
                )
                delivery.changes = int(made["changes"])
            elif kind == DUPLICATE:
                original = sent[the_plan.replays[position]]
                delivery = Delivery(
                    DUPLICATE, unit, original.id, original.body, dict(original.headers)
                )
            else:
                secret = "not-the-secret" if position % 2 else None
                item = f"{unit.scope}-1" if unit.tool == "jira" else f"{unit.scope}#1"
                delivery = signed(unit, item, f"forged-{batch}-{position}", secret)
                delivery.kind = FORGED
            sent.append(delivery)
            tasks.append(asyncio.create_task(post(delivery)))
        await asyncio.gather(*tasks)
    return sent
